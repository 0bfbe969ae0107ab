"""The organizer's webhooks hear match scheduling and free-for-all rounds: each side's check-in, a
forfeit proposed and confirmed, a free-for-all round closed with its results; the `match` in every
payload is the API's match JSON (stage and schedule included)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from integrations.models import WebhookDelivery
from tests.conftest import bearer_client
from tests.integrations.support import endpoint_for
from tests.integrations.test_webhook_targets import PUBLIC_URL
from tests.tournaments.test_ffa_pages import play_round, started
from tests.tournaments.test_match_engine import match, player_of, started_event
from tournaments.brackets.services.forfeits import forfeit_confirm, match_schedule_sweep
from tournaments.brackets.services.schedule import match_check_in, round_schedule_set
from tournaments.models import ForfeitProposal, Lobby, Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_hooks_run", "production_rules")]


def payloads(event_type: str) -> list[dict]:
    deliveries = WebhookDelivery.objects.filter(event_type=event_type).order_by("pk")
    return [delivery.payload for delivery in deliveries]


def test_check_ins_and_a_forfeit_are_heard_once_each_with_the_match_as_the_api_shows_it():
    # given an endpoint for the scheduling events and a final planned to start now, drawn an hour ago
    event, _ = started_event(2)
    endpoint_for(event.organizer, PUBLIC_URL, ["match.checked_in", "match.forfeit_proposed", "match.forfeited"])
    Stage.objects.filter(event=event).update(created_at=timezone.now() - timedelta(hours=1))
    final = match(event, "W1-1")
    round_schedule_set(
        event_id=event.pk,
        actor=event.organizer,
        bracket="winners",
        round=1,
        starts_at=timezone.now(),
        check_in_minutes=30,
        deadline_minutes=5,
    )

    # when side a checks in (twice), side b never does, the deadline passes and the organizer confirms
    match_check_in(match_id=final.pk, actor=player_of(final.entry_a))
    match_check_in(match_id=final.pk, actor=player_of(final.entry_a))
    detail = bearer_client(event.organizer).get(f"/api/v1/matches/{final.pk}").json()
    assert match_schedule_sweep(now=timezone.now() + timedelta(minutes=10))["proposed"] == 1
    proposal = ForfeitProposal.objects.get(match=final)
    forfeit_confirm(proposal_id=proposal.pk, actor=event.organizer)

    # then one check-in was heard, with the match as the API showed it then
    [checked_in] = payloads("match.checked_in")
    assert checked_in["data"]["match"] == detail and detail["stage"] == 1
    assert checked_in["data"]["check_in"]["side"] == "a"
    assert checked_in["data"]["check_in"]["entry_id"] == final.entry_a_id
    # and the forfeit's proposal and confirmation, naming who was absent and who won
    [proposed] = payloads("match.forfeit_proposed")
    assert proposed["data"]["forfeit"]["id"] == proposal.pk and proposed["data"]["forfeit"]["absent"] == "b"
    assert proposed["data"]["match"]["forfeit"] == {"id": proposal.pk, "status": "proposed", "absent": "b"}
    [forfeited] = payloads("match.forfeited")
    assert forfeited["data"]["forfeit"]["status"] == "confirmed"
    assert forfeited["data"]["forfeit"]["winner_entry_id"] == final.entry_a_id
    assert forfeited["data"]["match"]["status"] == "completed"


def test_a_closed_free_for_all_round_is_heard_with_its_lobbies_results_and_the_standings():
    # given a free-for-all of 6 in lobbies of 3 over two rounds, and an endpoint for closed rounds
    event = started(6, lobby_size=3, rounds=2)
    endpoint_for(event.organizer, PUBLIC_URL, ["ffa.round_closed"])

    # when round 1 is played and closed
    play_round(event, 1)

    # then one delivery carries round 1's two lobbies with every placement, and the standings
    [closed] = payloads("ffa.round_closed")
    data = closed["data"]
    assert data["event"]["id"] == event.pk
    assert (data["round"]["number"], data["round"]["rounds_total"]) == (1, 2)
    round_one = Lobby.objects.filter(stage__event=event, round=1)
    assert sorted(lobby["id"] for lobby in data["round"]["lobbies"]) == sorted(round_one.values_list("pk", flat=True))
    assert all(slot["placement"] for lobby in data["round"]["lobbies"] for slot in lobby["slots"])
    assert [row["place"] for row in data["standings"]] == [1, 2, 3, 4, 5, 6]


def test_a_facts_times_are_written_like_the_match_jsons():
    event, _ = started_event(2)
    endpoint_for(event.organizer, PUBLIC_URL, ["match.checked_in"])
    final = match(event, "W1-1")
    round_schedule_set(
        event_id=event.pk,
        actor=event.organizer,
        bracket="winners",
        round=1,
        starts_at=timezone.now(),
        check_in_minutes=30,
    )

    match_check_in(match_id=final.pk, actor=player_of(final.entry_b))

    [checked_in] = payloads("match.checked_in")
    assert checked_in["data"]["check_in"]["checked_in_at"] == checked_in["data"]["match"]["checked_in_b_at"]
    assert checked_in["data"]["check_in"]["checked_in_at"].endswith("Z")


NEW_EVENTS = ["match.checked_in", "match.forfeit_proposed", "match.forfeited", "ffa.round_closed"]


def test_the_new_events_are_offered_on_the_organizer_page_and_in_the_api_schema(user):
    browser = Client()
    browser.force_login(user)

    form = browser.get("/organizer/webhooks/").content.decode()
    schema = browser.get("/api/schema/?format=json").content.decode()

    assert all(f'value="{event_type}"' in form for event_type in NEW_EVENTS)
    assert all(f'"{event_type}"' in schema for event_type in NEW_EVENTS)
