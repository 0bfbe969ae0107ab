"""The bracket engine at the service level: reports, agreement, disputes, resolution, reopening,
advancement in each format, and completion."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework import serializers

from driftwood.core.exceptions import PermissionDenied
from driftwood.notifications.models import Notification
from tests.concurrency.helpers import run_in_threads
from tests.factories import EventFactory, UserFactory
from tournaments import row_selectors, selectors
from tournaments.brackets.api.serializers import MatchSerializer, match_row
from tournaments.brackets.services.matches import dispute_open, match_reopen, match_report, match_resolve
from tournaments.brackets.services.start import event_start
from tournaments.exceptions import InvalidScore, MatchNotPlayable, ReopenRefused
from tournaments.models import Dispute, Entry, Event, Match, MatchReport
from tournaments.services.registrations import registration_join

Status = Match.Status


def started_event(entrants: int, **options) -> tuple[Event, dict[int, object]]:
    """A free event with `entrants` players, started (no check-in); returns it and {seed: player}."""
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=64, **options)
    players = [UserFactory() for _ in range(entrants)]
    for player in players:
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    by_seed = {entry.seed: entry.registration.user for entry in Entry.objects.filter(event=event, status="active")}
    return event, by_seed


def match(event: Event, key: str) -> Match:
    return Match.objects.get(event=event, key=key)


def player_of(entry: Entry):
    return entry.registration.user


def play(event: Event, key: str, score_a: int = 2, score_b: int = 0) -> Match:
    """Both sides report the same score."""
    current = match(event, key)
    match_report(match_id=current.pk, actor=player_of(current.entry_a), score_a=score_a, score_b=score_b)
    match_report(match_id=current.pk, actor=player_of(current.entry_b), score_a=score_a, score_b=score_b)
    return match(event, key)


@pytest.mark.django_db
def test_agreeing_reports_complete_the_match_and_advance_the_winner():
    event, _ = started_event(4)
    first = match(event, "W1-1")
    assert first.status == Status.READY
    assert match(event, "W2-1").status == Status.PENDING

    match_report(match_id=first.pk, actor=player_of(first.entry_a), score_a=1, score_b=0)
    assert match(event, "W1-1").status == Status.REPORTED
    match_report(match_id=first.pk, actor=player_of(first.entry_b), score_a=1, score_b=0)

    first.refresh_from_db()
    assert (first.status, first.winner_id, first.score_a, first.score_b) == (Status.COMPLETED, first.entry_a_id, 1, 0)
    final = match(event, "W2-1")
    assert final.entry_a_id == first.entry_a_id and final.entry_b_id is None
    assert final.status == Status.PENDING
    play(event, "W1-2")
    assert match(event, "W2-1").status == Status.READY


@pytest.mark.django_db
def test_conflicting_reports_dispute_then_agreement_completes():
    event, _ = started_event(2)
    final = match(event, "W1-1")
    a, b = player_of(final.entry_a), player_of(final.entry_b)
    match_report(match_id=final.pk, actor=a, score_a=2, score_b=1)
    match_report(match_id=final.pk, actor=b, score_a=1, score_b=2)
    assert match(event, "W1-1").status == Status.DISPUTED
    assert Notification.objects.filter(user=event.organizer, kind="dispute_opened").count() == 1

    # Side b changes its mind: a new version, the first one kept.
    match_report(match_id=final.pk, actor=b, score_a=2, score_b=1)
    final.refresh_from_db()
    assert final.status == Status.COMPLETED and final.winner_id == final.entry_a_id
    versions = list(MatchReport.objects.filter(match=final, side="b").values_list("version", "score_a", "score_b"))
    assert versions == [(1, 1, 2), (2, 2, 1)]
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED


@pytest.mark.django_db
def test_organizer_resolves_a_dispute_and_closes_it():
    event, _ = started_event(4)
    first = match(event, "W1-1")
    match_report(match_id=first.pk, actor=player_of(first.entry_a), score_a=1, score_b=0)
    dispute = dispute_open(
        match_id=first.pk,
        actor=player_of(first.entry_b),
        reason="They used a banned character",
        evidence=SimpleUploadedFile("proof.png", b"\x89PNG fake", content_type="image/png"),
    )
    assert match(event, "W1-1").status == Status.DISPUTED
    assert dispute.evidence.name.endswith(".png")

    match_resolve(match_id=first.pk, actor=event.organizer, score_a=0, score_b=1, resolution="Rematch won by b")
    first.refresh_from_db()
    assert first.status == Status.COMPLETED and first.winner_id == first.entry_b_id
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.RESOLVED and dispute.resolved_by == event.organizer
    assert dispute.resolution == "Rematch won by b"
    assert match(event, "W2-1").entry_a_id == first.entry_b_id


@pytest.mark.django_db
def test_only_the_match_players_and_the_organizer_may_report():
    event, _ = started_event(4)
    first, second = match(event, "W1-1"), match(event, "W1-2")
    with pytest.raises(PermissionDenied):
        match_report(match_id=first.pk, actor=player_of(second.entry_a), score_a=1, score_b=0)
    with pytest.raises(PermissionDenied):
        match_report(match_id=first.pk, actor=UserFactory(), score_a=1, score_b=0)
    with pytest.raises(InvalidScore):
        match_report(match_id=first.pk, actor=player_of(first.entry_a), score_a=1, score_b=1)
    with pytest.raises(MatchNotPlayable):
        match_report(match_id=match(event, "W2-1").pk, actor=event.organizer, score_a=1, score_b=0)
    assert not MatchReport.objects.exists()

    # The organizer's report alone completes it.
    match_report(match_id=first.pk, actor=event.organizer, score_a=0, score_b=3)
    assert match(event, "W1-1").winner_id == first.entry_b_id


@pytest.mark.django_db
def test_best_of_three_needs_two_game_wins():
    event, _ = started_event(2, best_of=3)
    final = match(event, "W1-1")
    for bad in ((3, 0), (1, 0), (2, 2)):
        with pytest.raises(InvalidScore):
            match_report(match_id=final.pk, actor=event.organizer, score_a=bad[0], score_b=bad[1])
    match_report(match_id=final.pk, actor=event.organizer, score_a=1, score_b=2)
    assert match(event, "W1-1").status == Status.COMPLETED


@pytest.mark.django_db
def test_reopen_rolls_the_advancement_back_and_a_new_result_advances():
    event, _ = started_event(4)
    first = play(event, "W1-1", 2, 0)
    assert match(event, "W2-1").entry_a_id == first.entry_a_id

    match_reopen(match_id=first.pk, actor=event.organizer)
    first.refresh_from_db()
    assert (first.status, first.winner_id, first.score_a, first.attempt) == (Status.READY, None, None, 2)
    assert match(event, "W2-1").entry_a_id is None
    # The first attempt's reports stay on record but no longer count.
    assert MatchReport.objects.filter(match=first, attempt=1).count() == 2
    match_report(match_id=first.pk, actor=player_of(first.entry_a), score_a=0, score_b=2)
    assert match(event, "W1-1").status == Status.REPORTED

    play(event, "W1-1", 0, 2)
    assert match(event, "W2-1").entry_a_id == first.entry_b_id


@pytest.mark.django_db
def test_reopen_is_refused_once_a_dependant_was_played():
    event, _ = started_event(4)
    play(event, "W1-1")
    play(event, "W1-2")
    final = match(event, "W2-1")
    match_report(match_id=final.pk, actor=player_of(final.entry_a), score_a=2, score_b=0)
    with pytest.raises(ReopenRefused):
        match_reopen(match_id=match(event, "W1-1").pk, actor=event.organizer)
    with pytest.raises(PermissionDenied):
        match_reopen(match_id=match(event, "W1-2").pk, actor=player_of(final.entry_a))
    assert match(event, "W1-1").status == Status.COMPLETED


@pytest.mark.django_db
def test_double_elimination_drops_the_loser_and_reopen_takes_it_back():
    event, _ = started_event(4, format=Event.Format.DOUBLE_ELIMINATION)
    first = play(event, "W1-1", 2, 1)
    losers = match(event, "L1-1")
    assert losers.entry_a_id == first.entry_b_id
    match_reopen(match_id=first.pk, actor=event.organizer)
    assert match(event, "L1-1").entry_a_id is None
    assert match(event, "W2-1").entry_a_id is None


@pytest.mark.django_db
@pytest.mark.parametrize("losers_side_wins", [False, True])
def test_grand_final_reset_is_played_only_when_the_losers_finalist_wins(losers_side_wins):
    event, _ = started_event(2, format=Event.Format.DOUBLE_ELIMINATION, bracket_reset=True)
    play(event, "W1-1", 2, 0)
    grand_final = play(event, "GF", *((0, 2) if losers_side_wins else (2, 0)))
    reset = match(event, "GF-reset")
    event.refresh_from_db()
    if losers_side_wins:
        assert reset.status == Status.READY
        assert (reset.entry_a_id, reset.entry_b_id) == (grand_final.entry_b_id, grand_final.entry_a_id)
        assert event.status == Event.Status.ONGOING
        play(event, "GF-reset", 2, 0)
        event.refresh_from_db()
        champion = grand_final.entry_b_id
    else:
        assert reset.status == Status.SKIPPED
        champion = grand_final.entry_a_id
    assert event.status == Event.Status.COMPLETED
    assert Entry.objects.get(pk=champion).placement == 1


@pytest.mark.django_db
def test_a_grand_final_turned_around_inside_the_dispute_window_brings_the_reset_back():
    # given a grand final won by the winners-bracket finalist: no reset, the event completed
    event, _ = started_event(2, format=Event.Format.DOUBLE_ELIMINATION, bracket_reset=True)
    play(event, "W1-1", 2, 0)
    grand_final = play(event, "GF", 2, 0)
    assert match(event, "GF-reset").status == Status.SKIPPED
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED

    # when the organizer changes the result (the prizes are not paid yet)
    match_resolve(match_id=grand_final.pk, actor=event.organizer, score_a=0, score_b=2)

    # then the reset is to be played and the event is live again, nobody placed
    reset = match(event, "GF-reset")
    assert reset.status == Status.READY
    assert (reset.entry_a_id, reset.entry_b_id) == (grand_final.entry_b_id, grand_final.entry_a_id)
    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING
    assert not Entry.objects.filter(event=event, placement__isnull=False).exists()


@pytest.mark.django_db
def test_swiss_pairs_each_round_after_the_previous_one_finishes():
    event, _ = started_event(5, format=Event.Format.SWISS)
    round_one = list(Match.objects.filter(event=event, round=1))
    # Five players: two matches and a bye (a walkover for the lowest seed).
    assert sorted(m.status for m in round_one) == [Status.READY, Status.READY, Status.WALKOVER]
    for current in round_one:
        if current.status == Status.READY:
            play(event, current.key, 2, 0)
    round_two = Match.objects.filter(event=event, round=2)
    assert round_two.count() == 3
    # Every later round is paired until the default ceil(log2 5) = 3 rounds are played.
    for round_number in (2, 3):
        for current in Match.objects.filter(event=event, round=round_number, status=Status.READY):
            play(event, current.key, 2, 0)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    assert sorted(Entry.objects.filter(event=event).values_list("placement", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_round_robin_allows_draws_and_ranks_everyone():
    event, _ = started_event(3, format=Event.Format.ROUND_ROBIN)
    for current in Match.objects.filter(event=event):
        play(event, current.key, 1, 1)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    assert sorted(Entry.objects.filter(event=event).values_list("placement", flat=True)) == [1, 2, 3]


@pytest.mark.django_db
def test_reopening_the_last_match_inside_the_window_makes_the_event_live_again():
    event, _ = started_event(2)
    final = play(event, "W1-1", 2, 0)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    match_reopen(match_id=final.pk, actor=event.organizer)
    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING and event.completed_at is None
    assert set(Entry.objects.filter(event=event).values_list("placement", flat=True)) == {None}
    play(event, "W1-1", 0, 2)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    assert Entry.objects.get(pk=final.entry_b_id).placement == 1


@pytest.mark.django_db(transaction=True)
def test_both_sides_reporting_at_once_complete_the_match_once():
    event, _ = started_event(4)
    first = match(event, "W1-1")
    players = [player_of(first.entry_a), player_of(first.entry_b)]
    outcomes = run_in_threads(2, lambda i: match_report(match_id=first.pk, actor=players[i], score_a=2, score_b=0))
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    first.refresh_from_db()
    assert first.status == Status.COMPLETED
    assert match(event, "W2-1").entry_a_id == first.entry_a_id


@pytest.mark.django_db(transaction=True)
def test_two_matches_feeding_one_final_at_once_both_advance():
    event, _ = started_event(4)
    semis = [match(event, "W1-1"), match(event, "W1-2")]
    outcomes = run_in_threads(
        2, lambda i: match_report(match_id=semis[i].pk, actor=event.organizer, score_a=2, score_b=0)
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    final = match(event, "W2-1")
    assert (final.entry_a_id, final.entry_b_id, final.status) == (semis[0].entry_a_id, semis[1].entry_a_id, "ready")


@pytest.mark.django_db
def test_match_list_fast_representation_matches_the_declared_fields():
    event, _ = started_event(3)
    play(event, "W1-2", 2, 1)
    serializer = MatchSerializer()
    rows = list(selectors.matches_of_event(event.pk))
    assert {row.status for row in rows} == {Status.COMPLETED, Status.READY}
    with timezone.override("UTC"):
        for row in rows:
            fast = serializer.to_representation(row)
            assert fast == serializers.Serializer.to_representation(serializer, row)
            assert list(fast) == list(serializer.fields)


@pytest.mark.django_db
def test_match_list_rows_render_what_the_serializer_renders():
    # given a bracket with a bye and a played match, and a player without a display name
    event, _ = started_event(3)
    play(event, "W1-2", 2, 1)
    first = Entry.objects.filter(event=event).select_related("registration__user").first()
    first.registration.user.display_name = ""
    first.registration.user.save(update_fields=["display_name"])

    # when the API's list rows (plain values) and the models of the same matches are rendered
    with timezone.override("UTC"):
        rows = [match_row(row) for row in row_selectors.match_list_rows(event.pk, user=None)]
        models = [MatchSerializer().to_representation(match) for match in selectors.matches_of_event(event.pk)]

    # then both are the same, field for field and in order
    assert rows == models
    assert {row["status"] for row in rows} == {Status.COMPLETED, Status.READY}
    names = {side["name"] for row in rows for side in (row["entry_a"], row["entry_b"]) if side}
    assert first.registration.user.username in names
    assert all(list(row) == list(MatchSerializer().fields) for row in rows)


@pytest.mark.django_db
def test_swiss_reopen_drops_the_unplayed_next_round_and_refuses_once_it_has_a_report():
    event, _ = started_event(4, format=Event.Format.SWISS)
    first, second = Match.objects.filter(event=event, round=1).order_by("position")
    play(event, first.key, 2, 0)
    play(event, second.key, 2, 0)
    assert Match.objects.filter(event=event, round=2).count() == 2

    match_reopen(match_id=first.pk, actor=event.organizer)
    assert not Match.objects.filter(event=event, round=2).exists()
    play(event, first.key, 0, 2)
    round_two = list(Match.objects.filter(event=event, round=2).order_by("position"))
    assert len(round_two) == 2

    match_report(match_id=round_two[0].pk, actor=player_of(round_two[0].entry_a), score_a=2, score_b=0)
    with pytest.raises(ReopenRefused):
        match_reopen(match_id=second.pk, actor=event.organizer)
    assert Match.objects.filter(event=event, round=2).count() == 2
