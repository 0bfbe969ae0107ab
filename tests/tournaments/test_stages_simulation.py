"""Two-stage events played at random through the services, as test_engine_simulation plays the
one-stage formats: groups of random sizes, a random K, a single or double elimination playoff, results
reported every way the engine allows, group results sometimes reopened (the playoff is thrown away
and drawn again, or the reopen refused once a playoff match was played). Whatever happens, exactly
the top K of each group reach the playoff and the final places rank the playoff before the groups."""

from collections import Counter, defaultdict

import pytest
from hypothesis import assume, given
from hypothesis import event as observe
from hypothesis import strategies as st

from tests.tournaments.test_engine_simulation import (
    PLAYED,
    SIMULATION,
    assert_finished,
    assert_settled,
    matches_of,
    other_result,
    play,
    started_event,
)
from tournaments.brackets.services.matches import match_reopen, match_report
from tournaments.exceptions import ReopenRefused
from tournaments.models import Event, Match, MatchReport, Stage

Status = Match.Status


def playoff_played(event: Event) -> bool:
    later = Match.objects.filter(event=event, stage__number=2)
    return later.filter(status__in=PLAYED).exists() or MatchReport.objects.filter(match__in=later).exists()


def maybe_reopen_a_group_match(event: Event, data, reopens: int) -> int:
    if reopens >= 3 or data.draw(st.integers(0, 3), label="reopen?") != 0:
        return reopens
    completed = list(matches_of(event).filter(stage__number=1, status=Status.COMPLETED).order_by("pk"))
    if not completed:
        return reopens
    match = completed[data.draw(st.integers(0, len(completed) - 1), label="reopen which")]
    # Swiss: a later round (of any group) was paired from this result; once one is played, it stands.
    later = Match.objects.filter(event=event, stage__number=1, round__gt=match.round)
    later_played = event.format == "swiss" and (
        later.filter(status__in=PLAYED).exists() or MatchReport.objects.filter(match__in=later).exists()
    )
    if playoff_played(event) or later_played:
        observe("group reopen refused")
        stages = list(Stage.objects.filter(event=event).values_list("pk", flat=True))
        with pytest.raises(ReopenRefused):
            match_reopen(match_id=match.pk, actor=event.organizer)
        assert list(Stage.objects.filter(event=event).values_list("pk", flat=True)) == stages
        return reopens
    observe("group result reopened")
    match_reopen(match_id=match.pk, actor=event.organizer)
    assert not Stage.objects.filter(event=event, number=2).exists(), "the playoff outlived a reopened group match"
    score = other_result(match, (match.score_a, match.score_b))
    match_report(match_id=match.pk, actor=event.organizer, score_a=score[0], score_b=score[1])
    assert_settled(Match.objects.get(pk=match.pk), score)
    return reopens + 1


def group_points(matches: list[Match]) -> tuple[dict[int, int], dict[int, int]]:
    points: Counter = Counter()
    group_of: dict[int, int] = {}
    for match in matches:
        group_of[match.entry_a_id] = match.group
        if match.entry_b_id is None:  # a Swiss bye: a walkover win
            points[match.entry_a_id] += 3
            continue
        group_of[match.entry_b_id] = match.group
        if match.winner_id is not None:
            points[match.winner_id] += 3
        else:
            points[match.entry_a_id] += 1
            points[match.entry_b_id] += 1
    return points, group_of


@pytest.mark.django_db
@SIMULATION
@given(
    entrants=st.integers(4, 16),
    groups=st.integers(1, 4),
    advance=st.integers(1, 4),
    playoff=st.sampled_from(["single_elimination", "double_elimination"]),
    group_format=st.sampled_from(["round_robin", "swiss"]),
    data=st.data(),
)
def test_two_stage_simulation(entrants, groups, advance, playoff, group_format, data):
    assume(entrants // groups >= max(2, advance) and groups * advance >= 2)
    observe(f"{group_format} in {groups} group(s), top {advance}, {playoff}")
    event = started_event(entrants, format=group_format, groups=groups, playoff_format=playoff, playoff_advance=advance)
    reopens = 0
    for _ in range(1000):
        ready = list(matches_of(event).filter(status=Status.READY).order_by("pk"))
        if not ready:
            break
        match = ready[data.draw(st.integers(0, len(ready) - 1), label="next match")]
        play(event, match, data)
        reopens = maybe_reopen_a_group_match(event, data, reopens)
    entries, matches = assert_finished(event)

    # exactly the top K of each group reached the playoff (by points: an advancer never has fewer
    # than one of its group who stayed behind)
    playoff_stage = Stage.objects.get(event=event, number=2)
    advanced = set(playoff_stage.options["seeds"])
    group_matches = [match for match in matches if match.stage_id != playoff_stage.pk]
    points, group_of = group_points(group_matches)
    members: dict[int, list[int]] = defaultdict(list)
    for entry_id, group in group_of.items():
        members[group].append(entry_id)
    assert len(members) == groups and len(advanced) == groups * advance
    for group in members.values():
        through = [entry_id for entry_id in group if entry_id in advanced]
        out = [entry_id for entry_id in group if entry_id not in advanced]
        assert len(through) == advance
        assert not out or min(points[e] for e in through) >= max(points[e] for e in out)
    # and the playoff's places come first, everyone else after them
    place_of = {entry.pk: entry.placement for entry in entries}
    assert max(place_of[e] for e in advanced) <= len(advanced)
    assert all(place_of[e] > len(advanced) for e in place_of if e not in advanced)
    assert not [m for m in matches if m.stage_id == playoff_stage.pk and m.bracket == Match.Bracket.GROUP]
