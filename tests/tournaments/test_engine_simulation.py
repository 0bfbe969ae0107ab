"""Whole tournaments played through the database services with random results.

Hypothesis picks the entrant count, the format's options, the order matches are played in, their
scores and how each result arrives: the organizer's word, both sides agreeing, conflicting reports
resolved by the organizer, and now and then a completed match reopened (while nothing it fed has been
played) and given a different result. Every example plays its own event to the end and then checks
what any finished tournament must look like.
"""

import math
from collections import Counter
from decimal import Decimal
from itertools import combinations, pairwise

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import event as observe
from hypothesis import strategies as st

from driftwood.accounts.models import User
from tests.factories import EventFactory, UserFactory
from tournaments.brackets.services.matches import match_reopen, match_report, match_resolve
from tournaments.brackets.services.start import event_start
from tournaments.exceptions import ReopenRefused
from tournaments.models import Entry, Event, Match, MatchReport
from tournaments.services.registrations import registration_join

Status = Match.Status
Format = Event.Format
UNFINISHED = (Status.PENDING, Status.READY, Status.REPORTED, Status.DISPUTED)
PLAYED = (Status.REPORTED, Status.COMPLETED, Status.DISPUTED)
MAX_REOPENS = 3

SIMULATION = settings(
    max_examples=8,
    deadline=None,
    database=None,
    # A failing example is printed with every draw; shrinking whole tournaments would take minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
ENTRANTS = st.integers(min_value=2, max_value=16)


def started_event(entrants: int, **options) -> Event:
    """A free event with `entrants` players who joined through the service, started without check-in."""
    observe(f"{entrants} entrants")
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=64, **options)
    # The players in one INSERT; each joins through the service.
    for player in User.objects.bulk_create(UserFactory.build_batch(entrants)):
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING
    return event


def player(entry: Entry):
    return entry.registration.user


def matches_of(event: Event):
    sides = ("entry_a__registration__user", "entry_b__registration__user")
    return Match.objects.filter(event=event).select_related(*sides)


def dependants(match: Match) -> list[Match]:
    return list(Match.objects.filter(Q(a_source_match=match) | Q(b_source_match=match)).order_by("pk"))


# --- Choosing results


GAME_SCORES = [(a, b) for a in range(4) for b in range(4)]


def scores(match: Match, *, besides: tuple[int, int] | None = None):
    """Games won by each side (other than `besides`); level only where a draw is allowed (group/Swiss)."""
    draws_allowed = match.bracket == Match.Bracket.GROUP
    return st.sampled_from([s for s in GAME_SCORES if (draws_allowed or s[0] != s[1]) and s != besides])


def other_result(match: Match, score: tuple[int, int]) -> tuple[int, int]:
    """A different result: the other side wins (or, after a draw, side a)."""
    return (score[1], score[0]) if score[0] != score[1] else (score[0] + 1, score[1])


def play(event: Event, match: Match, data) -> tuple[int, int]:
    """Complete `match` one of three ways; returns the final score."""
    score = data.draw(scores(match), label=f"{match.key} score")
    way = data.draw(st.sampled_from(["organizer", "agree", "conflict"]), label=f"{match.key} reported by")
    observe(f"result by {way}")
    a, b = player(match.entry_a), player(match.entry_b)
    if way == "organizer":
        match_report(match_id=match.pk, actor=event.organizer, score_a=score[0], score_b=score[1])
    elif way == "agree":
        first, second = (a, b) if data.draw(st.booleans(), label="side a first") else (b, a)
        match_report(match_id=match.pk, actor=first, score_a=score[0], score_b=score[1])
        assert Match.objects.get(pk=match.pk).status == Status.REPORTED
        match_report(match_id=match.pk, actor=second, score_a=score[0], score_b=score[1])
    else:
        claimed = data.draw(scores(match, besides=score), label=f"{match.key} b claims")
        match_report(match_id=match.pk, actor=a, score_a=score[0], score_b=score[1])
        match_report(match_id=match.pk, actor=b, score_a=claimed[0], score_b=claimed[1])
        assert Match.objects.get(pk=match.pk).status == Status.DISPUTED
        score = data.draw(st.sampled_from([score, claimed]), label=f"{match.key} organizer decides")
        match_resolve(match_id=match.pk, actor=event.organizer, score_a=score[0], score_b=score[1])
    assert_settled(Match.objects.get(pk=match.pk), score)
    return score


def assert_settled(match: Match, score: tuple[int, int]) -> None:
    """Completed with this score, and its winner (and loser) sit where the bracket sends them."""
    assert match.status == Status.COMPLETED
    assert (match.score_a, match.score_b) == score
    expected_winner = match.entry_a_id if score[0] > score[1] else match.entry_b_id if score[1] > score[0] else None
    assert match.winner_id == expected_winner
    for dependant in dependants(match):
        if dependant.conditional and match.winner_id == match.entry_a_id:
            assert dependant.status == Status.SKIPPED
            continue
        for slot in ("a", "b"):
            if getattr(dependant, f"{slot}_source_match_id") == match.pk:
                fed = match.winner_id if getattr(dependant, f"{slot}_source") == Match.Source.WINNER else match.loser_id
                assert getattr(dependant, f"entry_{slot}_id") == fed, f"{match.key} did not feed {dependant.key}"
        if dependant.entry_a_id and dependant.entry_b_id:
            assert dependant.status != Status.PENDING


# --- Reopening


def reopenable(match: Match, played_later: bool) -> bool:
    """The engine's rule: nothing the match fed (for Swiss: no later round) has been played."""
    if played_later:
        return False
    for dependant in dependants(match):
        reported = MatchReport.objects.filter(match=dependant, attempt=dependant.attempt).exists()
        if dependant.status in PLAYED or reported:
            return False
    return True


def maybe_reopen(event: Event, data, reopens: int) -> int:
    """Sometimes reopen a completed match and give it the other result; sometimes check a refusal."""
    if reopens >= MAX_REOPENS or data.draw(st.integers(0, 3), label="reopen?") != 0:
        return reopens
    completed = list(matches_of(event).filter(status=Status.COMPLETED).order_by("pk"))
    if not completed:
        return reopens
    match = completed[data.draw(st.integers(0, len(completed) - 1), label="reopen which")]
    played_later = event.format == Format.SWISS and (
        Match.objects.filter(event=event, round__gt=match.round, status__in=PLAYED).exists()
    )
    before = (match.status, match.score_a, match.score_b, match.attempt)
    if not reopenable(match, played_later):
        observe("reopen refused")
        with pytest.raises(ReopenRefused):
            match_reopen(match_id=match.pk, actor=event.organizer)
        match.refresh_from_db()
        assert (match.status, match.score_a, match.score_b, match.attempt) == before
        return reopens

    observe("reopened")
    match_reopen(match_id=match.pk, actor=event.organizer)
    reopened = Match.objects.get(pk=match.pk)
    assert (reopened.status, reopened.winner_id, reopened.score_a, reopened.attempt) == (
        Status.READY,
        None,
        None,
        before[3] + 1,
    )
    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING and event.completed_at is None
    assert not Entry.objects.filter(event=event, placement__isnull=False).exists()
    for dependant in dependants(reopened):
        assert dependant.status == Status.PENDING
        for slot in ("a", "b"):
            if getattr(dependant, f"{slot}_source_match_id") == match.pk:
                assert getattr(dependant, f"entry_{slot}_id") is None, f"{dependant.key} still holds the old result"
    if event.format == Format.SWISS:
        assert not Match.objects.filter(event=event, round__gt=match.round).exists()

    score = other_result(reopened, (before[1], before[2]))
    match_report(match_id=match.pk, actor=event.organizer, score_a=score[0], score_b=score[1])
    assert_settled(Match.objects.get(pk=match.pk), score)
    return reopens + 1


def play_out(event: Event, data) -> None:
    """Play ready matches in a random order until none is left."""
    reopens = 0
    for _ in range(1000):
        ready = list(matches_of(event).filter(status=Status.READY).order_by("pk"))
        if not ready:
            break
        match = ready[data.draw(st.integers(0, len(ready) - 1), label="next match")]
        play(event, match, data)
        reopens = maybe_reopen(event, data, reopens)
    else:  # pragma: no cover - the loop is a guard against an engine that never finishes
        pytest.fail("the event never ran out of ready matches")


# --- What every finished event looks like


def assert_finished(event: Event) -> tuple[list[Entry], list[Match]]:
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED and event.completed_at is not None
    matches = list(Match.objects.filter(event=event))
    assert not [m.key for m in matches if m.status in UNFINISHED]
    entries = list(Entry.objects.filter(event=event, status=Entry.Status.ACTIVE))
    places = [entry.placement for entry in entries]
    assert None not in places
    assert_valid_ranking(places)
    return entries, matches


def assert_valid_ranking(places: list[int]) -> None:
    """One winner; a place p shared by n entries is followed by place p + n."""
    counts = Counter(places)
    assert counts[1] == 1
    expected = 1
    for place in sorted(counts):
        assert place == expected, f"places {sorted(places)} skip or repeat"
        expected += counts[place]


def losses(matches: list[Match]) -> Counter:
    return Counter(m.loser_id for m in matches if m.status == Status.COMPLETED and m.loser_id is not None)


def champion(entries: list[Entry]) -> Entry:
    return next(entry for entry in entries if entry.placement == 1)


def assert_points_order(entries: list[Entry], matches: list[Match]) -> None:
    """Round robin and Swiss: places 1..N, never a place above someone with more points."""
    assert sorted(entry.placement for entry in entries) == list(range(1, len(entries) + 1))
    points = Counter()
    for match in matches:
        if match.status == Status.WALKOVER:
            points[match.entry_a_id] += 3
        elif match.winner_id is not None:
            points[match.winner_id] += 3
        else:
            points[match.entry_a_id] += 1
            points[match.entry_b_id] += 1
    ranked = sorted(entries, key=lambda entry: entry.placement)
    assert all(points[a.pk] >= points[b.pk] for a, b in pairwise(ranked))


def pairs(matches: list[Match]) -> Counter:
    return Counter(frozenset((m.entry_a_id, m.entry_b_id)) for m in matches if m.status == Status.COMPLETED)


# --- The formats


@pytest.mark.django_db
@SIMULATION
@given(entrants=ENTRANTS, third_place=st.booleans(), data=st.data())
def test_single_elimination_simulation(entrants, third_place, data):
    event = started_event(entrants, format=Format.SINGLE_ELIMINATION, third_place_match=third_place)
    play_out(event, data)
    entries, matches = assert_finished(event)

    assert len(entries) == entrants
    expected = entrants - 1 + (1 if third_place and entrants >= 4 else 0)
    assert len(matches) == expected
    assert [m.status for m in matches].count(Status.COMPLETED) == expected
    lost = losses(matches)
    winner = champion(entries)
    # The champion never lost; everyone else went out on their first loss, and only the loser of the
    # third-place match lost a second time.
    third_place_loser = next((m.loser_id for m in matches if m.key == "3P"), None)
    assert {entry.pk: lost[entry.pk] for entry in entries} == {
        entry.pk: (0 if entry.pk == winner.pk else 1) + (entry.pk == third_place_loser) for entry in entries
    }
    final = max((m for m in matches if m.bracket == Match.Bracket.WINNERS), key=lambda m: m.round)
    assert final.winner_id == winner.pk
    assert next(entry.placement for entry in entries if entry.pk == final.loser_id) == 2


@pytest.mark.django_db
@SIMULATION
@given(entrants=ENTRANTS, reset=st.booleans(), data=st.data())
def test_double_elimination_simulation(entrants, reset, data):
    event = started_event(entrants, format=Format.DOUBLE_ELIMINATION, bracket_reset=reset)
    play_out(event, data)
    entries, matches = assert_finished(event)

    completed = [m for m in matches if m.status == Status.COMPLETED]
    reset_match = [m for m in matches if m.key == "GF-reset"]
    assert len(reset_match) == (1 if reset else 0)
    reset_played = bool(reset_match) and reset_match[0].status == Status.COMPLETED
    if reset_match and not reset_played:
        assert reset_match[0].status == Status.SKIPPED
    assert len(completed) == 2 * entrants - 2 + (1 if reset_played else 0)
    assert len(matches) == len(completed) + (1 if reset_match and not reset_played else 0)

    lost = losses(matches)
    winner = champion(entries)
    grand_final = next(m for m in matches if m.key == "GF")
    assert lost[winner.pk] <= 1
    # Nobody is eliminated before losing twice (nor loses a third time), except that without a reset
    # the winners-bracket finalist goes out on losing the grand final, its first loss.
    once_is_enough = None if reset else grand_final.entry_a_id
    assert {entry.pk: lost[entry.pk] for entry in entries if entry.pk != winner.pk} == {
        entry.pk: 1 if entry.pk == once_is_enough else 2 for entry in entries if entry.pk != winner.pk
    }
    deciding = reset_match[0] if reset_played else grand_final
    assert deciding.winner_id == winner.pk


@pytest.mark.django_db
@SIMULATION
@given(entrants=ENTRANTS, groups=st.integers(1, 2), data=st.data())
def test_round_robin_simulation(entrants, groups, data):
    event = started_event(entrants, format=Format.ROUND_ROBIN, groups=groups)
    observe(f"{max(1, min(groups, entrants // 2))} group(s)")
    play_out(event, data)
    entries, matches = assert_finished(event)

    group_of = {}
    for match in matches:
        for entry_id in (match.entry_a_id, match.entry_b_id):
            assert group_of.setdefault(entry_id, match.group) == match.group, "an entrant plays in two groups"
    assert set(group_of) == {entry.pk for entry in entries}
    sizes = sorted(Counter(group_of.values()).values())
    used = max(1, min(groups, entrants // 2))
    assert len(sizes) == used and sum(sizes) == entrants and sizes[-1] - sizes[0] <= 1
    assert all(m.status == Status.COMPLETED for m in matches)
    assert len(matches) == sum(size * (size - 1) // 2 for size in sizes)
    # Every pair of the same group met exactly once.
    met = pairs(matches)
    assert set(met.values()) == {1}
    members = {}
    for entry_id, group in group_of.items():
        members.setdefault(group, []).append(entry_id)
    assert set(met) == {frozenset(pair) for group in members.values() for pair in combinations(group, 2)}
    assert_points_order(entries, matches)


@pytest.mark.django_db
@SIMULATION
@given(entrants=ENTRANTS, data=st.data())
def test_swiss_simulation(entrants, data):
    event = started_event(entrants, format=Format.SWISS)
    play_out(event, data)
    entries, matches = assert_finished(event)

    rounds = Match.objects.filter(event=event).values_list("stage__options", flat=True).first()["rounds"]
    assert rounds == math.ceil(math.log2(entrants))  # the default
    assert sorted({m.round for m in matches}) == list(range(1, rounds + 1))
    completed = [m for m in matches if m.status == Status.COMPLETED]
    walkovers = [m for m in matches if m.status == Status.WALKOVER]
    assert len(completed) == rounds * (entrants // 2)
    assert len(walkovers) == (rounds if entrants % 2 else 0)
    assert len(matches) == len(completed) + len(walkovers)
    # Byes are walkovers won by the one entrant in them, at most one per entrant.
    assert all(m.entry_b_id is None and m.winner_id == m.entry_a_id for m in walkovers)
    assert len({m.entry_a_id for m in walkovers}) == len(walkovers)
    # No pair met twice, and every entrant is in exactly one match (or bye) per round.
    assert set(pairs(matches).values()) <= {1}
    for number in range(1, rounds + 1):
        seated = [e for m in matches if m.round == number for e in (m.entry_a_id, m.entry_b_id) if e is not None]
        assert sorted(seated) == sorted(entry.pk for entry in entries)
    assert_points_order(entries, matches)
