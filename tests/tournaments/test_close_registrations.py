"""`manage.py close_registrations` and its beat schedule close registration once the deadline passes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from driftwood.celery import app
from tests.factories import EventFactory
from tournaments.models import Event
from tournaments.tasks import registrations_close

pytestmark = pytest.mark.django_db


def past_deadline(**fields) -> Event:
    starts = timezone.now() + timedelta(hours=2)
    return EventFactory(starts_at=starts, registration_closes_at=timezone.now() - timedelta(minutes=1), **fields)


def test_command_closes_open_events_past_their_deadline_only():
    # given two open events past their deadline, one still taking entries, and a draft past it
    due = [past_deadline(), past_deadline()]
    still_open = EventFactory()
    draft = past_deadline(status=Event.Status.DRAFT, published_at=None)
    out = StringIO()

    # when ops run the command
    call_command("close_registrations", stdout=out)

    # then only the open, due events closed
    assert {event.status for event in Event.objects.filter(pk__in=[event.pk for event in due])} == {
        Event.Status.REGISTRATION_CLOSED
    }
    still_open.refresh_from_db()
    draft.refresh_from_db()
    assert still_open.status == Event.Status.REGISTRATION_OPEN
    assert draft.status == Event.Status.DRAFT
    assert out.getvalue().strip() == "Closed registration on 2 events."


def test_running_it_again_closes_nothing_more():
    past_deadline()
    call_command("close_registrations", stdout=StringIO())
    out = StringIO()

    call_command("close_registrations", stdout=out)

    assert out.getvalue().strip() == "Closed registration on 0 events."


def test_the_beat_task_closes_due_events():
    event = past_deadline()

    closed = registrations_close.apply().get()

    event.refresh_from_db()
    assert (closed, event.status) == (1, Event.Status.REGISTRATION_CLOSED)


def test_beat_runs_the_close_task_every_five_minutes():
    entry = next(
        entry for entry in app.conf.beat_schedule.values() if entry["task"] == "tournaments.tasks.registrations_close"
    )

    assert entry["schedule"] == 300.0
    assert "tournaments.tasks.registrations_close" in app.tasks


def test_activity_log_is_routed_to_the_low_queue():
    assert app.amqp.router.route({}, "tournaments.tasks.activity_log")["queue"].name == "low"
