"""Archiving: `manage.py archive_chat` and the daily task move old messages; history still finds them all."""

from datetime import timedelta
from io import StringIO

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.utils import timezone

from chat.models import ArchivedChatMessage, ChatMessage
from chat.services import dm_open, message_post
from chat.tasks import archive_chat
from driftwood.celery import app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(user):
    other = UserFactory(allow_messages_from_anyone=True)
    return dm_open(user=user, other_id=other.pk)[0]


def old_messages(room, sender, count: int, *, days_ago: int, label: str) -> None:
    """`count` messages written at one and the same instant `days_ago` days back."""
    moment = timezone.now() - timedelta(days=days_ago)
    ChatMessage.objects.bulk_create(
        ChatMessage(room=room, sender=sender, text=f"{label}{n}", created_at=moment) for n in range(count)
    )


def archive(*args: str) -> str:
    out = StringIO()
    call_command("archive_chat", *args, stdout=out)
    return out.getvalue()


def test_moves_messages_older_than_90_days_in_batches(user, room):
    # given 25 messages from 120 days ago, 5 from 91 days ago, and 4 recent ones
    old_messages(room, user, 25, days_ago=120, label="ancient")
    old_messages(room, user, 5, days_ago=91, label="old")
    old_messages(room, user, 4, days_ago=89, label="recent")
    ids_before = set(ChatMessage.objects.values_list("pk", flat=True))

    # when the command runs with the default age and small batches
    output = archive("--batch-size", "7")

    # then the 30 old ones moved with their ids, the 4 recent ones stayed
    assert "Archived 30 messages older than 90 days." in output
    assert ArchivedChatMessage.objects.count() == 30
    assert set(ChatMessage.objects.values_list("text", flat=True)) == {f"recent{n}" for n in range(4)}
    assert (
        set(ArchivedChatMessage.objects.values_list("pk", flat=True))
        | set(ChatMessage.objects.values_list("pk", flat=True))
        == ids_before
    )
    assert "Archived 0 messages" in archive()


def test_older_than_is_in_days(user, room):
    old_messages(room, user, 3, days_ago=31, label="month")
    old_messages(room, user, 2, days_ago=29, label="weeks")

    assert "Archived 3 messages older than 30 days." in archive("--older-than", "30")
    assert ChatMessage.objects.count() == 2


@pytest.mark.parametrize("args", [["--older-than", "0"], ["--batch-size", "-1"], ["--older-than", "soon"]])
def test_refuses_nonsense_arguments(args):
    with pytest.raises(CommandError):
        archive(*args)


def test_history_over_the_api_still_returns_every_message_in_order(user, room, jwt_client):
    # given 60 archived-to-be messages sharing one timestamp, 15 older ones, and 12 live messages
    old_messages(room, user, 15, days_ago=200, label="older")
    old_messages(room, user, 60, days_ago=100, label="tied")
    for n in range(12):
        message_post(room=room, sender=user, text=f"live{n}")
    expected = list(ChatMessage.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))

    # when the archive runs and the client pages through history with pages that straddle both tables
    archive("--batch-size", "11")
    seen, before = [], None
    while True:
        params = {"limit": 9} | ({"before": before} if before else {})
        body = jwt_client.get(f"/api/v1/chat/{room.room_id}/history", params).json()
        seen += [message["id"] for message in body["results"]]
        if not body["has_more"]:
            break
        before = body["next_before"]

    # then every message comes exactly once, newest first, as before archiving
    assert ArchivedChatMessage.objects.count() == 75 and ChatMessage.objects.count() == 12
    assert seen == expected


def test_the_daily_task_archives_and_is_scheduled_at_two(user, room):
    old_messages(room, user, 4, days_ago=95, label="old")

    assert archive_chat.apply(kwargs={"batch_size": 3}).get() == 4
    assert ArchivedChatMessage.objects.count() == 4
    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "chat.tasks.archive_chat")
    assert entry["schedule"] == crontab(hour=2, minute=0)
