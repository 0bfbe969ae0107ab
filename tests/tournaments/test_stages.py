"""Two-stage events through the services and pages: the playoff is planned at the start, drawn when
the groups finish, thrown away and drawn again when a group result changes before it is played, and
drawn on the bracket page and in the public JSON after the group tables. One-stage events are as
they were."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import bearer_client
from tests.factories import EventFactory, GameFactory
from tests.tournaments.test_bracket_pages import client_for, page_of, started_event
from tournaments.brackets.services.matches import match_reopen, match_report, match_resolve
from tournaments.exceptions import ReopenRefused
from tournaments.models import Entry, Event, Match, Stage
from tournaments.services.event_rules import event_values_check

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

TWO_STAGES = {"format": "round_robin", "groups": 2, "playoff_format": "single_elimination", "playoff_advance": 2}


def play(match: Match, organizer, *, a_wins: bool = True) -> None:
    """The organizer enters a result: the better seed (or side A) wins 2-0."""
    match_report(match_id=match.pk, actor=organizer, score_a=2 if a_wins else 0, score_b=0 if a_wins else 2)


def play_stage(event: Event, number: int) -> None:
    while ready := list(Match.objects.filter(event=event, stage__number=number, status=Match.Status.READY)):
        for match in ready:
            play(match, event.organizer, a_wins=match.entry_a.seed < match.entry_b.seed)


def test_an_event_without_a_playoff_keeps_one_stage():
    event, _players = started_event(4, format="round_robin")

    play_stage(event, 1)

    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    assert list(Stage.objects.filter(event=event).values_list("number", flat=True)) == [1]
    assert "playoff" not in Stage.objects.get(event=event).options


def test_the_playoff_is_planned_at_the_start_and_drawn_when_the_last_group_match_completes():
    # given 8 players in 2 groups, the top 2 of each into a single elimination playoff with a 3rd-place match
    event, _players = started_event(8, third_place_match=True, **TWO_STAGES)
    groups = Stage.objects.get(event=event, number=1)
    assert groups.options["playoff"] == {
        "format": "single_elimination",
        "advance": 2,
        "best_of": 1,
        "third_place": True,
        "bracket_reset": True,
    }

    # when every group match is played (the better seed wins)
    play_stage(event, 1)

    # then the playoff is stage 2: each group winner against the other group's runner-up
    playoff = Stage.objects.get(event=event, number=2)
    seeds = {entry.pk: entry.seed for entry in Entry.objects.filter(event=event)}
    # snake groups of 8 in 2: {1, 4, 5, 8} and {2, 3, 6, 7}; the better seed won every match, so the
    # winners are 1 and 2 and the runners-up 4 (group 1, seeded 3rd: the half group 1's winner is not in) and 3
    assert [seeds[entry_id] for entry_id in playoff.options["seeds"]] == [1, 2, 4, 3]
    assert [[seeds[entry_id] for entry_id in table] for table in playoff.options["groups"]] == [
        [1, 4, 5, 8],
        [2, 3, 6, 7],
    ]
    semifinals = Match.objects.filter(stage=playoff, round=1).order_by("position")
    assert [(m.entry_a.seed, m.entry_b.seed) for m in semifinals] == [(1, 3), (2, 4)]
    assert {m.status for m in semifinals} == {Match.Status.READY}
    assert Event.objects.get(pk=event.pk).status == Event.Status.ONGOING

    # when the playoff is played
    play_stage(event, 2)

    # then the playoff gives places 1-4 and the groups' 3rd and 4th share 5th and 7th
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    places = {entry.seed: entry.placement for entry in Entry.objects.filter(event=event)}
    assert places == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 5, 7: 7, 8: 7}


def test_swiss_sends_its_top_k_as_one_group():
    event, _players = started_event(8, format="swiss", playoff_format="double_elimination", playoff_advance=4)

    play_stage(event, 1)

    playoff = Stage.objects.get(event=event, number=2)
    assert playoff.format == "double_elimination" and len(playoff.options["seeds"]) == 4
    assert len(playoff.options["groups"]) == 1 and playoff.options["groups"][0][:4] == playoff.options["seeds"]
    play_stage(event, 2)
    places = sorted(Entry.objects.filter(event=event).values_list("placement", flat=True))
    assert places == [1, 2, 3, 4, 5, 6, 7, 8]


def test_swiss_groups_are_paired_apart_and_each_sends_its_top_k():
    # given 12 players in two Swiss groups of 6 (3 rounds each), the top 2 of each into a playoff
    event, _players = started_event(
        12, max_participants=12, format="swiss", groups=2, playoff_format="single_elimination"
    )
    stage = Stage.objects.get(event=event, number=1)
    assert (stage.options["groups"], stage.options["rounds"]) == (2, 3)
    first_round = Match.objects.filter(stage=stage).select_related("entry_a", "entry_b")
    assert sorted(match.key for match in first_round) == [f"G{g}-S1-{p}" for g in (1, 2) for p in (1, 2, 3)]

    play_stage(event, 1)

    # then nobody met someone of the other group, every round of each group was paired
    group_of = {1: {1, 4, 5, 8, 9, 12}, 2: {2, 3, 6, 7, 10, 11}}
    played = Match.objects.filter(stage=stage).select_related("entry_a", "entry_b")
    assert {match.round for match in played} == {1, 2, 3} and len(played) == 18
    for match in played:
        assert {match.entry_a.seed, match.entry_b.seed} <= group_of[match.group]
    # and the playoff took the top 2 of each group's table: with the better seed winning every match,
    # 1 and 5 lead group 1 (5 lost only to 1), 2 and 6 group 2
    playoff = Stage.objects.get(event=event, number=2)
    seeds = {entry.pk: entry.seed for entry in Entry.objects.filter(event=event)}
    tables = [[seeds[entry_id] for entry_id in table] for table in playoff.options["groups"]]
    assert [set(table) for table in tables] == [group_of[1], group_of[2]]
    assert [seeds[entry_id] for entry_id in playoff.options["seeds"]] == [1, 2, 5, 6]  # 1 v 6, 2 v 5
    assert [table[:2] for table in tables] == [[1, 5], [2, 6]]


def test_advance_shrinks_when_too_few_checked_in_for_every_group_to_send_that_many():
    event, _players = started_event(4, format="round_robin", groups=2, playoff_format="single_elimination")
    assert Stage.objects.get(event=event).options["playoff"]["advance"] == 2

    event, _players = started_event(
        5, max_participants=12, format="round_robin", groups=2, playoff_format="single_elimination", playoff_advance=3
    )
    assert Stage.objects.get(event=event).options["playoff"]["advance"] == 2


def test_a_group_result_changed_before_the_playoff_is_played_draws_it_again():
    event, _players = started_event(8, **TWO_STAGES)
    play_stage(event, 1)
    first_draw = Stage.objects.get(event=event, number=2)
    group_match = Match.objects.filter(stage__number=1, event=event).order_by("pk").last()

    # when the organizer reverses a group result while no playoff match has been played
    winner_was_a = group_match.winner_id == group_match.entry_a_id
    match_resolve(
        match_id=group_match.pk,
        actor=event.organizer,
        score_a=0 if winner_was_a else 2,
        score_b=2 if winner_was_a else 0,
    )

    # then the playoff is drawn again from the new tables (a new stage 2, the old one gone)
    redrawn = Stage.objects.get(event=event, number=2)
    assert redrawn.pk != first_draw.pk
    assert not Stage.objects.filter(pk=first_draw.pk).exists()
    assert Match.objects.filter(stage=redrawn).count() == 3

    # and once a playoff match has a result, group results are final
    play(Match.objects.filter(stage=redrawn, status=Match.Status.READY).first(), event.organizer)
    with pytest.raises(ReopenRefused):
        match_reopen(match_id=group_match.pk, actor=event.organizer)
    assert Stage.objects.filter(event=event).count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"format": "single_elimination", "playoff_format": "double_elimination"}, "playoff_format"),
        ({"format": "round_robin", "groups": 1, "playoff_advance": 1}, "playoff_advance"),
        ({"format": "round_robin", "groups": 4, "playoff_advance": 5, "max_participants": 16}, "playoff_advance"),
        ({"format": "round_robin", "groups": 3, "playoff_advance": 3, "max_participants": 8}, "playoff_advance"),
        ({"format": "swiss", "playoff_best_of": 2}, "playoff_best_of"),
    ],
)
def test_impossible_playoff_settings_are_refused(values, field):
    base = {"playoff_format": "single_elimination", "max_participants": 16, "prize_distribution": []}
    with pytest.raises(ValidationError) as refused:
        event_values_check({**base, **values})
    assert field in refused.value.message_dict


def test_the_bracket_page_draws_the_group_tables_then_the_playoff(client):
    event, _players = started_event(8, entry_fee=Decimal("0.00"), **TWO_STAGES)

    # while the groups are played, the playoff is announced, not drawn
    before = page_of(client.get(f"/events/{event.pk}/bracket/"))
    assert "Stage 1: group stage" in before and "Stage 2: playoff (Single elimination)" in before
    assert "The top 2 of each group go through to the playoff." in before
    assert "The playoff is drawn as soon as every group match is played" in before
    assert before.count('class="bk-advances"') == 4

    play_stage(event, 1)
    after = page_of(client_for(event.organizer).get(f"/events/{event.pk}/bracket/"))

    # then both stages are drawn, the group tables first, then the playoff's bracket with its own seeds
    assert after.index("Group 1") < after.index("Group 2") < after.index('id="bk-winners-title"')
    assert "The playoff is drawn as soon as" not in after
    playoff = after[after.index("bk-stage-playoff") :]
    assert "Semifinals" in playoff and "Final" in playoff
    # and the event and manage pages name both formats; the manage page lists the playoff after the groups
    assert "Round robin → Single elimination" in page_of(client.get(f"/events/{event.pk}/"))
    manage = page_of(client_for(event.organizer).get(f"/events/{event.pk}/manage/?matches=all"))
    assert "Round robin → Single elimination" in manage
    assert manage.index("G2-R3-2") < manage.index("W1-1") < manage.index("W2-1")


def test_the_public_json_lists_the_stages():
    event, _players = started_event(8, **TWO_STAGES)

    body = Client().get(f"/api/v1/events/{event.pk}/bracket").json()
    assert body["stages"] == [
        {"number": 1, "format": "round_robin", "status": "ongoing", "advance": None},
        {"number": 2, "format": "single_elimination", "status": "planned", "advance": 2},
    ]

    play_stage(event, 1)

    body = Client().get(f"/api/v1/events/{event.pk}/bracket").json()
    assert [(stage["number"], stage["status"], stage["advance"]) for stage in body["stages"]] == [
        (1, "completed", None),
        (2, "ongoing", 2),
    ]
    assert [match["bracket"] for match in body["matches"]][-3:] == ["winners"] * 3
    assert len(body["standings"]) == 2


def test_the_api_refuses_a_playoff_after_an_elimination_format(user):
    response = bearer_client(user).post(
        "/api/v1/events",
        {
            "name": "Wrong Cup",
            "game": GameFactory().pk,
            "format": "single_elimination",
            "playoff_format": "double_elimination",
            "starts_at": "2030-01-01T10:00:00Z",
            "registration_closes_at": "2030-01-01T09:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid", ["playoff_format"])


def test_a_one_stage_event_lists_one_stage_and_a_draft_of_another_organizer_none(user):
    event, _players = started_event(4, format="single_elimination")
    stages = Client().get(f"/api/v1/events/{event.pk}/stages").json()
    assert [(stage["number"], stage["format"], stage["status"], stage["match_count"]) for stage in stages] == [
        (1, "single_elimination", "ongoing", 3)
    ]

    draft = EventFactory(status=Event.Status.DRAFT, published_at=None)
    assert bearer_client(user).get(f"/api/v1/events/{draft.pk}/stages").status_code == 404
