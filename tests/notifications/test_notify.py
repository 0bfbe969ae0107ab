"""`notify`: one notification per happening per player, e-mail per kind and preference (one message
or a digest), the preferences page and API, and the overdue-e-mail sweep."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from driftwood.notifications import delivery
from driftwood.notifications.kinds import KINDS, PLAYER_KINDS
from driftwood.notifications.models import EmailPreference, Notification
from driftwood.notifications.services import email_preferences_set, notify
from driftwood.notifications.tasks import notification_emails_sweep
from tests.conftest import bearer_client
from tests.factories import UserFactory

CONTRACT_KINDS = [
    "checkin_open",
    "match_ready",
    "result_reported",
    "dispute_opened",
    "dispute_resolved",
    "event_started",
    "event_cancelled",
    "event_completed",
    "prize_paid",
    "waitlist_promoted",
    "withdrawal_completed",
    "withdrawal_failed",
    "withdrawal_review",
    "friend_request",
    "team_invite",
    "account_suspended",
]


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.SITE_URL = "https://driftwood.example"
    return mail.outbox


def test_every_kind_the_contract_names_exists():
    assert set(CONTRACT_KINDS) <= set(KINDS)
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(users=[1], kind="no_such_kind", title="x")


@pytest.mark.django_db
def test_a_key_makes_a_happening_notify_each_player_once(user):
    other = UserFactory()

    first = notify(users=[user, other], kind="match_ready", title="Ready", key="match_ready:1:1")
    again = notify(users=[user, other], kind="match_ready", title="Ready", key="match_ready:1:1")
    newcomer = notify(users=[user, UserFactory()], kind="match_ready", title="Ready", key="match_ready:1:1")

    assert len(first) == 2 and again == [] and len(newcomer) == 1
    assert Notification.objects.filter(user=user, key="match_ready:1:1").count() == 1
    # without a key, notices may repeat
    notify(users=[user], kind="friend_accepted", title="a")
    notify(users=[user], kind="friend_accepted", title="a")
    assert Notification.objects.filter(user=user, kind="friend_accepted").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_steps_notifying_the_same_happening_at_once_write_one_row():
    # given a player, and two threads that each open a transaction and notify the same happening
    user = UserFactory()
    barrier = threading.Barrier(2)
    written: list[list[int]] = []

    def step():
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                written.append(notify(users=[user], kind="dispute_opened", title="Disputed", key="dispute_opened:9:1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=step) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    # then both succeeded, and exactly one wrote the row
    assert sorted(len(ids) for ids in written) == [0, 1]
    assert Notification.objects.filter(user=user, kind="dispute_opened").count() == 1


@pytest.mark.django_db
def test_recipients_may_be_a_subquery(user, django_assert_num_queries):
    staff = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    from django.contrib.auth import get_user_model

    with django_assert_num_queries(1):
        ids = notify(
            users=get_user_model().objects.filter(is_staff=True).values_list("pk", flat=True),
            kind="report_filed",
            title="New report",
        )
    assert sorted(Notification.objects.filter(pk__in=ids).values_list("user_id", flat=True)) == sorted(
        s.pk for s in staff
    )
    assert (
        notify(
            users=get_user_model().objects.filter(pk__in=[]).values_list("pk", flat=True),
            kind="report_filed",
            title="x",
        )
        == []
    )


@pytest.mark.django_db
def test_email_follows_the_kind_and_the_players_choice(user, commit_hooks_run, mailbox):
    # given a player who turned off match_ready e-mails and turned on event_started ones
    user.email = "ana@example.com"
    user.save()
    email_preferences_set(user=user, choices={"match_ready": False, "event_started": True})

    # when they are told of three things (each in its own transaction)
    for kind in ("match_ready", "event_started", "new_follower"):
        with transaction.atomic():
            notify(users=[user], kind=kind, title=f"About {kind}", body="Details.", url="/events/1/")

    # then all three are in the app, and only event_started was e-mailed (new_follower is off by default)
    assert Notification.objects.filter(user=user).count() == 3
    assert [message.subject for message in mailbox] == ["About event_started"]
    [message] = mailbox
    assert message.to == ["ana@example.com"]
    assert "Details." in message.body and "https://driftwood.example/events/1/" in message.body
    assert "https://driftwood.example/notifications/settings/" in message.body
    assert not Notification.objects.filter(email_pending=True).exists()


@pytest.mark.django_db
def test_required_kinds_cannot_be_turned_off(user):
    with pytest.raises(ValueError, match="cannot be turned off"):
        email_preferences_set(user=user, choices={"withdrawal_failed": False})
    with pytest.raises(ValueError, match="Unknown"):
        email_preferences_set(user=user, choices={"report_filed": True})  # staff only
    assert not EmailPreference.objects.exists()


@pytest.mark.django_db
def test_several_notices_at_once_make_one_digest(user, settings, mailbox):
    # given an organizer told of three entries while the e-mail task waits (its delay)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    user.email = "org@example.com"
    user.save()
    for n in range(3):
        notify(users=[user], kind="entry_update", title=f"Cup: player{n} is confirmed", url="/events/1/manage/")

    # when the e-mail task runs (twice, as a retry or a second queued copy would)
    sent = delivery.emails_send(user_id=user.pk)
    again = delivery.emails_send(user_id=user.pk)

    # then one digest e-mail lists all three, and nothing is sent twice
    assert (sent, again) == (3, 0)
    [digest] = mailbox
    assert digest.subject == "3 updates from Driftwood"
    assert all(f"player{n} is confirmed" in digest.body for n in range(3))


@pytest.mark.django_db
def test_a_failed_send_leaves_the_notices_waiting(user, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    user.email = "p@example.com"
    user.save()
    notify(users=[user], kind="match_ready", title="Ready")

    def smtp_down(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        delivery.emails_send(user_id=user.pk)

    assert Notification.objects.filter(user=user, email_pending=True).count() == 1


@pytest.mark.django_db
def test_the_sweep_sends_what_a_lost_task_left_waiting(user, settings, mailbox, django_capture_on_commit_callbacks):
    # given a notice whose e-mail task was lost (never queued) long ago
    settings.CELERY_TASK_ALWAYS_EAGER = True
    user.email = "p@example.com"
    user.save()
    notify(users=[user], kind="match_ready", title="Ready")  # on-commit never runs here
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=10))

    # when the beat's sweep runs
    assert notification_emails_sweep() == 1

    # then it is sent
    assert [message.subject for message in mailbox] == ["Ready"]


@pytest.mark.django_db
def test_preferences_page_and_api(user, client):
    client.force_login(user)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    assert 'value="match_ready" checked' in page.content.decode()

    response = client.post("/notifications/settings/", {"email": ["event_started"]})
    assert response.status_code == 302
    choices = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email"))
    # every kind on by default and now unchecked is stored off; event_started (off by default) on
    assert choices["match_ready"] is False and choices["event_started"] is True
    assert "withdrawal_failed" not in choices  # required: never stored off

    api = bearer_client(user)
    listed = api.get("/api/v1/notifications/preferences").json()
    assert {item["kind"] for item in listed} == set(PLAYER_KINDS)
    assert next(item for item in listed if item["kind"] == "withdrawal_failed") == {
        "kind": "withdrawal_failed",
        "label": KINDS["withdrawal_failed"].label,
        "email": True,
        "required": True,
    }
    updated = api.patch("/api/v1/notifications/preferences", {"email": {"match_ready": True}}, format="json")
    assert updated.status_code == 200
    assert next(item for item in updated.json() if item["kind"] == "match_ready")["email"] is True
    for bad in ({"email": {"withdrawal_failed": False}}, {"email": {"nope": True}}, {"email": "x"}, {}):
        refused = api.patch("/api/v1/notifications/preferences", bad, format="json")
        assert refused.status_code == 400, bad
        assert refused.json()["code"] == "invalid"


@pytest.mark.django_db
def test_the_list_api_gives_read_at(user):
    notify(users=[user], kind="match_ready", title="Ready")
    api = bearer_client(user)
    [item] = api.get("/api/v1/notifications").json()["results"]
    assert item["read_at"] is None and item["kind"] == "match_ready"
    api.post("/api/v1/notifications/read", {}, format="json")
    [item] = api.get("/api/v1/notifications").json()["results"]
    assert item["read_at"] is not None
