"""One match JSON everywhere: the API's list and detail, the public bracket JSON and the webhooks'
`match` carry the same fields (the stage's number and the schedule's), from one serializer and one
row builder; and scheduling reaches a two-stage event's playoff (plans, check-in, forfeits)."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import bearer_client
from tests.tournaments.test_match_engine import match, play, player_of, started_event
from tests.tournaments.test_stages import TWO_STAGES, play_stage
from tournaments.brackets.api.serializers import MatchSerializer
from tournaments.brackets.services.forfeits import forfeit_confirm, forfeit_reject, match_schedule_sweep
from tournaments.brackets.services.schedule import match_check_in, round_schedule_set
from tournaments.exceptions import MatchCheckInClosed
from tournaments.models import Event, ForfeitProposal, Match, Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

SCHEDULE_FIELDS = [
    "scheduled_at",
    "starts_at",
    "check_in_opens_at",
    "deadline_at",
    "check_in_required",
    "checked_in_a_at",
    "checked_in_b_at",
    "forfeit",
]


def iso(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def of(rows: list[dict], match_id: int) -> dict:
    return next(row for row in rows if row["id"] == match_id)


def drawn_long_ago(event, number: int = 1) -> None:
    """The stage was drawn an hour ago: its first matches' sides have been known since then."""
    Stage.objects.filter(event=event, number=number).update(created_at=timezone.now() - timedelta(hours=1))


def plan(event, *, stage=1, round_number=1, starts_at=None, deadline=10):
    return round_schedule_set(
        event_id=event.pk,
        actor=event.organizer,
        stage_number=stage,
        bracket="winners",
        round=round_number,
        starts_at=starts_at or timezone.now(),
        check_in_minutes=30,
        deadline_minutes=deadline,
    )


def test_list_detail_and_public_json_render_a_match_alike():
    # given a planned round with check-in, one side checked in
    event, _ = started_event(4)
    plan(event)
    first = match(event, "W1-1")
    match_check_in(match_id=first.pk, actor=player_of(first.entry_a))

    # when the match is read in every way there is
    client = bearer_client(event.organizer)
    listed = client.get(f"/api/v1/events/{event.pk}/matches").json()["results"]
    detail = client.get(f"/api/v1/matches/{first.pk}").json()
    public = Client().get(f"/api/v1/events/{event.pk}/bracket").json()["matches"]

    # then all three are the same, field for field and in order, with the stage and the schedule
    # (the webhooks' `match` too: tests/integrations/test_webhook_schedule_events.py)
    assert of(listed, first.pk) == detail == of(public, first.pk)
    assert list(detail) == [*MatchSerializer().fields, *SCHEDULE_FIELDS]
    assert detail["stage"] == 1 and detail["check_in_required"] is True
    assert detail["checked_in_a_at"] is not None and detail["checked_in_b_at"] is None


@pytest.mark.parametrize(("score", "side"), [((2, 0), "entry_a"), ((0, 2), "entry_b")])
def test_every_read_names_the_winner_whichever_side_won(score, side):
    # given a match won by one side (the reads join the two sides, not the winner a third time)
    event, _ = started_event(4)
    played = play(event, "W1-1", *score)

    # when it is read in every way there is
    client = bearer_client(event.organizer)
    listed = of(client.get(f"/api/v1/events/{event.pk}/matches").json()["results"], played.pk)
    detail = client.get(f"/api/v1/matches/{played.pk}").json()
    public = of(Client().get(f"/api/v1/events/{event.pk}/bracket").json()["matches"], played.pk)

    # then each names that side as the winner, as the side itself is written
    for read in (listed, detail, public):
        assert read["winner"] == read[side]
        assert read["winner"]["id"] == played.winner_id


def test_the_public_json_costs_the_same_queries_with_plans_for_any_bracket():
    costs = []
    for entrants in (4, 16):
        event, _ = started_event(entrants)
        plan(event)
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(f"/api/v1/events/{event.pk}/bracket").status_code == 200
        costs.append(len(captured))
    assert costs[0] == costs[1]


def test_check_in_closes_at_the_deadline_and_opens_again_when_the_forfeit_is_rejected():
    # given a round that started 40 minutes ago with a 10-minute deadline, side a checked in in time
    event, _ = started_event(2)
    drawn_long_ago(event)
    final = match(event, "W1-1")
    a, b = player_of(final.entry_a), player_of(final.entry_b)
    plan(event, starts_at=timezone.now() + timedelta(minutes=5), deadline=10)
    match_check_in(match_id=final.pk, actor=a)
    plan(event, starts_at=timezone.now() - timedelta(minutes=40), deadline=10)

    # when side b tries to check in after the deadline: refused, and the page says it closed
    with pytest.raises(MatchCheckInClosed):
        match_check_in(match_id=final.pk, actor=b)
    page = Client()
    page.force_login(b)
    html = page.get(reverse("tournaments:match_detail", args=[final.pk])).content.decode()
    assert 'id="match-check-in-closed"' in html and 'id="match-check-in"' not in html
    late = bearer_client(b).post(f"/api/v1/matches/{final.pk}/check-in")
    assert late.status_code == 409 and late.json()["code"] == "check_in_closed"

    # then the beat proposes the forfeit; rejected, the late side may check in and both play on
    assert match_schedule_sweep()["proposed"] == 1
    forfeit_reject(proposal_id=ForfeitProposal.objects.get(match=final).pk, actor=event.organizer)
    match_check_in(match_id=final.pk, actor=b)
    score = {"score_a": 1, "score_b": 0}
    for player in (a, b):
        assert bearer_client(player).post(f"/api/v1/matches/{final.pk}/report", score).status_code == 200
    assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED


def test_a_two_stage_events_playoff_is_planned_reminded_and_forfeited_like_any_bracket():
    # given 8 players in 2 groups sending 2 each to a single elimination playoff, the groups played
    event, _players = started_event(8, **TWO_STAGES)
    organizer = bearer_client(event.organizer)
    play_stage(event, 1)
    drawn_long_ago(event, 2)

    # when the organizer plans the playoff's first round (it started 30 minutes ago, 40 minutes' grace)
    rounds = organizer.get(f"/api/v1/events/{event.pk}/schedule").json()["rounds"]
    assert [(row["bracket"], row["round"]) for row in rounds if row["stage"] == 2] == [("winners", 1), ("winners", 2)]
    body = {"starts_at": iso(timezone.now() - timedelta(minutes=30)), "check_in_minutes": 60, "deadline_minutes": 40}
    assert organizer.put(f"/api/v1/events/{event.pk}/rounds/2/winners/1", body, format="json").status_code == 200

    # then the playoff's semis show stage 2 and the plan everywhere, and the beat reminds their players
    semis = list(Match.objects.filter(event=event, stage__number=2, round=1).order_by("position"))
    listed = organizer.get(f"/api/v1/events/{event.pk}/matches?limit=100").json()["results"]
    public = Client().get(f"/api/v1/events/{event.pk}/bracket").json()["matches"]
    for semi in semis:
        assert of(listed, semi.pk) == of(public, semi.pk)
        assert of(listed, semi.pk)["stage"] == 2 and of(listed, semi.pk)["check_in_required"] is True
    assert match_schedule_sweep()["check_in_open"] == 2

    # when the second semi's sides check in, the first's never do, and the deadline passes
    second = semis[1]
    for side in (second.entry_a, second.entry_b):
        match_check_in(match_id=second.pk, actor=player_of(side))
    body["deadline_minutes"] = 10
    assert organizer.put(f"/api/v1/events/{event.pk}/rounds/2/winners/1", body, format="json").status_code == 200
    counts = match_schedule_sweep()

    # then only the first semi is proposed, and confirming it advances the chosen side to the final
    assert counts["proposed"] == 1
    proposal = ForfeitProposal.objects.get(match=semis[0])
    assert proposal.absent == "both"
    forfeit_confirm(proposal_id=proposal.pk, actor=event.organizer, winner="a")
    final = Match.objects.get(event=event, stage__number=2, round=2)
    assert semis[0].entry_a_id in (final.entry_a_id, final.entry_b_id)
    # and the bracket page draws the playoff's first round with its start
    html = Client().get(reverse("tournaments:event_bracket", args=[event.pk])).content.decode()
    playoff = html[html.index('id="bk-stage-2-title"') :]
    assert playoff.count('class="bk-column-time"><time datetime=') == 1


@pytest.mark.parametrize("options", [{"format": "single_elimination"}, {"format": "round_robin"}, {"format": "swiss"}])
def test_the_bracket_page_shows_each_planned_rounds_start(options):
    # given a started bracket whose first round the organizer planned
    event, _ = started_event(4, **options)
    bracket = Match.objects.filter(event=event, round=1).values_list("bracket", flat=True).first()
    starts_at = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    round_schedule_set(
        event_id=event.pk, actor=event.organizer, bracket=bracket, round=1, starts_at=starts_at, check_in_minutes=0
    )

    # when anyone opens the bracket page
    html = Client().get(reverse("tournaments:event_bracket", args=[event.pk])).content.decode()

    # then round 1 shows its start (Malaysia time), and no unplanned round shows one
    assert html.count(f'<time datetime="{timezone.localtime(starts_at).isoformat()}">') == 1
    assert ("bk-column-time" in html) == (options["format"] == "single_elimination")
