"""The schedule's beat run by several workers at once: every reminder is sent once, every no-show
forfeit proposed once (real threads, each on its own PostgreSQL connection)."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from driftwood.notifications.models import Notification
from tests.concurrency.helpers import run_in_threads
from tests.tournaments.test_match_engine import started_event
from tournaments.brackets.services.forfeits import match_schedule_sweep
from tournaments.brackets.services.schedule import round_schedule_set
from tournaments.models import Entry, ForfeitProposal, MatchReminder

pytestmark = pytest.mark.django_db(transaction=True)

REMINDERS = ("match_check_in_open", "match_starting")


def test_four_beats_at_once_remind_every_player_once():
    # given two eight-player brackets whose first rounds start in ten minutes, check-in open
    events = [started_event(8)[0] for _ in range(2)]
    for event in events:
        round_schedule_set(
            event_id=event.pk,
            actor=event.organizer,
            bracket="winners",
            round=1,
            starts_at=timezone.now() + timedelta(minutes=10),
            check_in_minutes=30,
            deadline_minutes=10,
        )

    # when four workers run the beat at the same moment
    outcomes = run_in_threads(4, lambda _: match_schedule_sweep())

    # then none failed, the claims add up to one per match and kind, and every player has exactly
    # one notification of each reminder
    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    assert sum(outcome["check_in_open"] for outcome in outcomes) == 8
    assert sum(outcome["starting"] for outcome in outcomes) == 8
    assert MatchReminder.objects.count() == 16
    players = Entry.objects.filter(event__in=events).values_list("registration__user_id", flat=True)
    counts = (
        Notification.objects.filter(kind__in=REMINDERS, user_id__in=players)
        .values("user_id", "kind")
        .annotate(n=Count("id"))
    )
    assert len(counts) == 16 * 2 and {row["n"] for row in counts} == {1}


def test_four_beats_at_once_propose_each_forfeit_once_and_tell_the_organizer_once():
    # given a bracket whose first-round deadline has passed with nobody checked in
    event, _ = started_event(8)
    round_schedule_set(
        event_id=event.pk,
        actor=event.organizer,
        bracket="winners",
        round=1,
        starts_at=timezone.now(),
        check_in_minutes=30,
        deadline_minutes=5,
    )
    later = timezone.now() + timedelta(minutes=10)

    # when four workers run the beat at once
    outcomes = run_in_threads(4, lambda _: match_schedule_sweep(now=later))

    # then each first-round match has one proposal, and the organizer heard of each once
    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    assert sum(outcome["proposed"] for outcome in outcomes) == 4
    assert ForfeitProposal.objects.filter(match__event=event).count() == 4
    assert Notification.objects.filter(user=event.organizer, kind="forfeit_proposed").count() == 4
