"""Match scheduling at the service level: round plans and best-of per round, match check-in, the
beat's reminders (once) and no-show forfeits proposed, confirmed or rejected by the organizer."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from driftwood.core.exceptions import PermissionDenied
from driftwood.notifications.models import Notification
from tests.tournaments.test_match_engine import match, play, player_of, started_event
from tournaments.brackets.schedule_selectors import match_schedule
from tournaments.brackets.services.forfeits import forfeit_confirm, forfeit_reject, match_schedule_sweep
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.schedule import match_check_in, round_schedule_set
from tournaments.exceptions import (
    ForfeitNotPending,
    InvalidScore,
    MatchCheckInClosed,
    MatchCheckInRequired,
    RoundScheduleLocked,
)
from tournaments.models import Entry, Event, ForfeitProposal, Match, MatchReminder

Status = Match.Status


def plan_round(event, round_number=1, *, starts_in=5, check_in=30, deadline=10, bracket="winners", **extra):
    return round_schedule_set(
        event_id=event.pk,
        actor=event.organizer,
        bracket=bracket,
        round=round_number,
        starts_at=timezone.now() + timedelta(minutes=starts_in),
        check_in_minutes=check_in,
        deadline_minutes=deadline,
        **extra,
    )


def later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


def sides(current: Match):
    return player_of(current.entry_a), player_of(current.entry_b)


@pytest.mark.django_db
def test_a_round_plan_gives_its_matches_a_start_a_check_in_window_and_a_deadline():
    # given a started four-player bracket
    event, _ = started_event(4)

    # when the organizer plans round one: starts in 5 minutes, check-in 30 minutes before, 10 minutes' grace
    plan = plan_round(event)

    # then each first-round match shows the plan; the final (unplanned) has none
    schedule = match_schedule(match(event, "W1-1").pk)
    assert schedule.times.scheduled_at == plan.starts_at == schedule.times.starts_at
    assert schedule.times.check_in_opens_at == plan.starts_at - timedelta(minutes=30)
    assert schedule.times.deadline_at == plan.starts_at + timedelta(minutes=10)
    assert schedule.times.check_in_required and schedule.checked_in == {}
    assert not match_schedule(match(event, "W2-1").pk).times.check_in_required


@pytest.mark.django_db
def test_sides_report_only_once_both_checked_in_and_the_organizer_is_not_held_up():
    event, _ = started_event(4)
    plan_round(event)
    first, second = match(event, "W1-1"), match(event, "W1-2")
    a, b = sides(first)

    # a side cannot report before both sides checked in
    with pytest.raises(MatchCheckInRequired):
        match_report(match_id=first.pk, actor=a, score_a=1, score_b=0)
    match_check_in(match_id=first.pk, actor=a)
    with pytest.raises(MatchCheckInRequired):
        match_report(match_id=first.pk, actor=a, score_a=1, score_b=0)

    # once both are in, the match is played as ever; checking in again changes nothing
    match_check_in(match_id=first.pk, actor=b)
    match_check_in(match_id=first.pk, actor=b)
    assert set(match_schedule(first.pk).checked_in) == {"a", "b"}
    play(event, "W1-1", 1, 0)
    assert match(event, "W1-1").status == Status.COMPLETED

    # and the organizer enters a result without anyone checking in
    match_report(match_id=second.pk, actor=event.organizer, score_a=0, score_b=1)
    assert match(event, "W1-2").status == Status.COMPLETED


@pytest.mark.django_db
def test_check_in_is_refused_to_outsiders_before_the_window_and_for_rounds_without_it():
    event, _ = started_event(4)
    plan_round(event, starts_in=120, check_in=30)
    first = match(event, "W1-1")
    a, _b = sides(first)
    other = player_of(match(event, "W1-2").entry_a)

    with pytest.raises(MatchCheckInClosed):
        match_check_in(match_id=first.pk, actor=a)  # opens in 90 minutes
    with pytest.raises(PermissionDenied):
        match_check_in(match_id=first.pk, actor=other)
    with pytest.raises(PermissionDenied):
        match_check_in(match_id=match(event, "W2-1").pk, actor=a)  # not (yet) a player of the final


@pytest.mark.django_db
def test_a_round_without_match_check_in_takes_none():
    event, _ = started_event(2)
    round_schedule_set(
        event_id=event.pk, actor=event.organizer, bracket="winners", round=1, starts_at=timezone.now(), best_of=3
    )
    final = match(event, "W1-1")
    with pytest.raises(MatchCheckInClosed):
        match_check_in(match_id=final.pk, actor=player_of(final.entry_a))
    play(event, "W1-1", 2, 0)  # no check-in asked: reports as ever


@pytest.mark.django_db
def test_best_of_per_round_applies_to_unplayed_matches_and_locks_once_played():
    # given a four-player bracket played best of 1
    event, _ = started_event(4)
    final = match(event, "W2-1")
    assert final.best_of == 1

    # when the organizer makes the final best of 5 and the semis best of 3
    round_schedule_set(event_id=event.pk, actor=event.organizer, bracket="winners", round=2, best_of=5)
    round_schedule_set(event_id=event.pk, actor=event.organizer, bracket="winners", round=1, best_of=3)

    # then the matches take it and scores are checked against it
    assert match(event, "W2-1").best_of == 5 and match(event, "W1-1").best_of == 3
    first = match(event, "W1-1")
    with pytest.raises(InvalidScore):
        match_report(match_id=first.pk, actor=player_of(first.entry_a), score_a=1, score_b=0)
    play(event, "W1-1", 2, 1)

    # and a round with a result keeps its best-of
    with pytest.raises(RoundScheduleLocked):
        round_schedule_set(event_id=event.pk, actor=event.organizer, bracket="winners", round=1, best_of=5)
    play(event, "W1-2", 2, 0)
    with pytest.raises(InvalidScore):
        play(event, "W2-1", 2, 0)
    play(event, "W2-1", 3, 2)
    assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED


@pytest.mark.django_db
def test_a_later_swiss_round_is_paired_with_its_planned_best_of():
    event, _ = started_event(4, format=Event.Format.SWISS, swiss_rounds=2)
    round_schedule_set(event_id=event.pk, actor=event.organizer, bracket="group", round=2, best_of=3)
    for current in Match.objects.filter(event=event, round=1):
        play(event, current.key, 1, 0)
    assert {m.best_of for m in Match.objects.filter(event=event, round=2)} == {3}


@pytest.mark.django_db
def test_reminders_are_sent_once_however_often_the_beat_runs():
    event, _ = started_event(4)
    plan_round(event, starts_in=10, check_in=30)
    players = [player_of(entry) for entry in Entry.objects.filter(event=event)]

    # when the beat runs twice in the reminder window
    first = match_schedule_sweep()
    second = match_schedule_sweep()

    # then every player heard once that check-in opened and once that their match starts soon
    assert first["check_in_open"] == first["starting"] == 2
    assert second["check_in_open"] == second["starting"] == 0
    for player in players:
        reminders = Notification.objects.filter(user=player, kind__in=["match_check_in_open", "match_starting"])
        kinds = sorted(reminders.values_list("kind", flat=True))
        assert kinds == ["match_check_in_open", "match_starting"]
    assert MatchReminder.objects.count() == 4


@pytest.mark.django_db
def test_a_no_show_is_proposed_for_a_forfeit_and_the_organizer_confirms_it_so_the_bracket_goes_on():
    # given round one planned, and W1-1's side b never checking in
    event, _ = started_event(4)
    plan_round(event, starts_in=5, check_in=30, deadline=10)
    first = match(event, "W1-1")
    a, b = sides(first)
    match_check_in(match_id=first.pk, actor=a)

    # when the beat runs before the deadline nothing is proposed; after it, a forfeit is
    assert match_schedule_sweep(now=later(10))["proposed"] == 0
    assert match_schedule_sweep(now=later(16))["proposed"] == 2  # W1-2: nobody checked in
    assert match_schedule_sweep(now=later(17))["proposed"] == 0
    proposal = ForfeitProposal.objects.get(match=first)
    assert (proposal.status, proposal.absent) == ("proposed", "b")
    assert Notification.objects.filter(user=event.organizer, kind="forfeit_proposed").count() == 2

    # then a player cannot confirm it; the organizer can, and side a advances
    with pytest.raises(PermissionDenied):
        forfeit_confirm(proposal_id=proposal.pk, actor=a)
    forfeit_confirm(proposal_id=proposal.pk, actor=event.organizer)
    first.refresh_from_db()
    assert (first.status, first.winner_id, first.score_a, first.score_b) == (Status.COMPLETED, first.entry_a_id, 1, 0)
    assert match(event, "W2-1").entry_a_id == first.entry_a_id
    assert Notification.objects.filter(user=b, kind="match_forfeited").count() == 1
    with pytest.raises(ForfeitNotPending):
        forfeit_confirm(proposal_id=proposal.pk, actor=event.organizer)

    # and when both sides were absent the organizer names who advances
    both = ForfeitProposal.objects.get(match=match(event, "W1-2"))
    assert both.absent == "both"
    with pytest.raises(Exception, match="choose who advances"):
        forfeit_confirm(proposal_id=both.pk, actor=event.organizer)
    forfeit_confirm(proposal_id=both.pk, actor=event.organizer, winner="b")
    final = match(event, "W2-1")
    assert final.status == Status.READY and final.entry_b_id == match(event, "W1-2").entry_b_id

    # the final is played and the event completes with placements
    play(event, "W2-1", 1, 0)
    assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED
    assert Entry.objects.get(pk=first.entry_a_id).placement == 1


@pytest.mark.django_db
def test_a_rejected_forfeit_keeps_the_match_open_and_is_not_proposed_again():
    event, _ = started_event(2)
    plan_round(event, starts_in=0, check_in=30, deadline=5)
    final = match(event, "W1-1")
    a, b = sides(final)
    match_check_in(match_id=final.pk, actor=a)
    match_schedule_sweep(now=later(10))
    proposal = ForfeitProposal.objects.get(match=final)

    forfeit_reject(proposal_id=proposal.pk, actor=event.organizer)

    assert match(event, "W1-1").status == Status.READY
    assert match_schedule_sweep(now=later(20))["proposed"] == 0
    assert ForfeitProposal.objects.get(pk=proposal.pk).status == "rejected"
    # the late side checks in and the match is played
    match_check_in(match_id=final.pk, actor=b)
    play(event, "W1-1", 0, 1)
    assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED


@pytest.mark.django_db
def test_a_late_check_in_withdraws_the_pending_proposal():
    event, _ = started_event(2)
    plan_round(event, starts_in=0, check_in=30, deadline=5)
    final = match(event, "W1-1")
    a, b = sides(final)
    match_check_in(match_id=final.pk, actor=a)
    match_schedule_sweep(now=later(10))

    match_check_in(match_id=final.pk, actor=b)

    proposal = ForfeitProposal.objects.get(match=final)
    assert proposal.status == "withdrawn"
    with pytest.raises(ForfeitNotPending):
        forfeit_confirm(proposal_id=proposal.pk, actor=event.organizer)


@pytest.mark.django_db
def test_a_match_whose_sides_are_known_late_gets_its_deadline_from_then():
    # given the final planned to start now, while the semis are not played yet
    event, _ = started_event(4)
    round_schedule_set(
        event_id=event.pk,
        actor=event.organizer,
        bracket="winners",
        round=2,
        starts_at=timezone.now(),
        check_in_minutes=30,
        deadline_minutes=10,
    )
    # when the semis finish an hour late (their completion time is when the final's sides are known)
    play(event, "W1-1")
    play(event, "W1-2")
    Match.objects.filter(event=event, round=1).update(completed_at=later(60))

    # then the final's own start and deadline follow, and the beat proposes nothing before then
    times = match_schedule(match(event, "W2-1").pk).times
    assert times.starts_at > times.scheduled_at
    assert times.deadline_at == times.starts_at + timedelta(minutes=10)
    assert match_schedule_sweep(now=later(30))["proposed"] == 0
    assert match_schedule_sweep(now=later(75))["proposed"] == 1


@pytest.mark.django_db
def test_a_confirmed_forfeit_in_double_elimination_sends_the_absent_side_to_the_losers_bracket():
    event, _ = started_event(4, format=Event.Format.DOUBLE_ELIMINATION)
    plan_round(event, starts_in=0, check_in=30, deadline=5)
    first = match(event, "W1-1")
    match_check_in(match_id=first.pk, actor=player_of(first.entry_a))
    match_schedule_sweep(now=later(10))

    forfeit_confirm(proposal_id=ForfeitProposal.objects.get(match=first).pk, actor=event.organizer)

    losers = Match.objects.filter(event=event, bracket="losers")
    assert losers.filter(Q(entry_a=first.entry_b) | Q(entry_b=first.entry_b)).exists()
    assert match(event, "W2-1").entry_a_id == first.entry_a_id
