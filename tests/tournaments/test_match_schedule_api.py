"""Match scheduling through the REST API, end to end: the organizer plans rounds, players check in to
matches, the beat proposes a forfeit for a player who never checks in, the organizer confirms it
(or rejects it) and the bracket goes on to completion."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import bearer_client
from tests.tournaments.test_match_engine import match, player_of, started_event
from tournaments.models import Event, ForfeitProposal, RoundSchedule, Stage
from tournaments.tasks import match_schedule_sweep_task

pytestmark = pytest.mark.django_db

SCHEDULE_FIELDS = {
    "scheduled_at",
    "starts_at",
    "check_in_opens_at",
    "deadline_at",
    "check_in_required",
    "checked_in_a_at",
    "checked_in_b_at",
    "forfeit",
}


def iso(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def drawn_an_hour_ago(event: Event) -> None:
    """The bracket was drawn an hour ago: first-round sides have been known since then."""
    Stage.objects.filter(event=event).update(created_at=timezone.now() - timedelta(hours=1))


def test_the_organizer_plans_a_round_and_the_matches_show_it():
    event, _ = started_event(4)
    organizer = bearer_client(event.organizer)
    starts_at = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    body = {"starts_at": iso(starts_at), "best_of": 3, "check_in_minutes": 20, "deadline_minutes": 10}

    response = organizer.put(f"/api/v1/events/{event.pk}/rounds/1/winners/1", body, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"stage": 1, "bracket": "winners", "round": 1, "planned": True, **body}
    rounds = bearer_client(player_of(match(event, "W1-1").entry_a)).get(f"/api/v1/events/{event.pk}/schedule").json()
    assert [(row["bracket"], row["round"], row["planned"]) for row in rounds["rounds"]] == [
        ("winners", 1, True),
        ("winners", 2, False),
    ]
    listed = organizer.get(f"/api/v1/events/{event.pk}/matches").json()["results"]
    first = next(row for row in listed if row["key"] == "W1-1")
    assert set(first) >= SCHEDULE_FIELDS
    assert (first["best_of"], first["scheduled_at"], first["check_in_required"]) == (3, iso(starts_at), True)
    assert first["deadline_at"] == iso(starts_at + timedelta(minutes=10))
    assert first["check_in_opens_at"] == iso(starts_at - timedelta(minutes=20))
    detail = organizer.get(f"/api/v1/matches/{first['id']}").json()
    assert detail == first


def test_only_the_organizer_plans_and_bad_plans_are_refused():
    event, _ = started_event(4)
    player = bearer_client(player_of(match(event, "W1-1").entry_a))
    organizer = bearer_client(event.organizer)
    url = f"/api/v1/events/{event.pk}/rounds/1/winners/1"

    assert player.put(url, {"best_of": 3}, format="json").status_code == 403
    bad = organizer.put(url, {"best_of": 4, "check_in_minutes": -1}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"best_of", "check_in_minutes"}
    missing = organizer.put(f"/api/v1/events/{event.pk}/rounds/1/winners/7", {}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"] == {"round": ["This stage has no such round."]}


def test_a_no_show_forfeit_proposed_by_the_beat_and_confirmed_lets_the_opponent_advance_to_the_end():
    # given a four-player bracket whose first round started 30 minutes ago, check-in 60 minutes before,
    # a 10-minute deadline, and the final planned best of 3 with no check-in
    event, _ = started_event(4)
    drawn_an_hour_ago(event)
    organizer = bearer_client(event.organizer)
    started = timezone.now() - timedelta(minutes=30)
    plan = {"starts_at": iso(started), "check_in_minutes": 60, "deadline_minutes": 40}
    assert organizer.put(f"/api/v1/events/{event.pk}/rounds/1/winners/1", plan, format="json").status_code == 200
    final_plan = {"best_of": 3}
    assert organizer.put(f"/api/v1/events/{event.pk}/rounds/1/winners/2", final_plan, format="json").status_code == 200
    first, second = match(event, "W1-1"), match(event, "W1-2")
    present, absent = bearer_client(player_of(first.entry_a)), bearer_client(player_of(first.entry_b))

    # when W1-1's side a checks in and side b never does, and both sides of W1-2 check in and play
    checked = present.post(f"/api/v1/matches/{first.pk}/check-in")
    assert checked.status_code == 200 and checked.json()["checked_in_a_at"] and not checked.json()["checked_in_b_at"]
    early = present.post(f"/api/v1/matches/{first.pk}/report", {"score_a": 1, "score_b": 0}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "check_in_required"
    both = [bearer_client(player_of(side)) for side in (second.entry_a, second.entry_b)]
    for client in both:
        assert client.post(f"/api/v1/matches/{second.pk}/check-in").status_code == 200
    for client in both:
        assert client.post(f"/api/v1/matches/{second.pk}/report", {"score_a": 1, "score_b": 0}).status_code == 200

    # and the deadline passes (as if 30 minutes went by), closing W1-1's check-in, and the beat runs
    # (twice: the second does nothing)
    RoundSchedule.objects.filter(event=event, round=1).update(deadline_minutes=10)
    late = absent.post(f"/api/v1/matches/{first.pk}/check-in")
    assert late.status_code == 409 and late.json()["code"] == "check_in_closed"
    assert match_schedule_sweep_task()["proposed"] == 1
    assert match_schedule_sweep_task()["proposed"] == 0

    # then the organizer's queue holds one proposal naming side b; a player may not see or decide it
    assert absent.get(f"/api/v1/events/{event.pk}/forfeits").status_code == 403
    queue = organizer.get(f"/api/v1/events/{event.pk}/forfeits").json()
    assert [(row["match_key"], row["absent"], row["status"]) for row in queue["results"]] == [("W1-1", "b", "proposed")]
    forfeit_id = queue["results"][0]["id"]
    assert absent.post(f"/api/v1/forfeits/{forfeit_id}/confirm").status_code == 403
    shown = present.get(f"/api/v1/matches/{first.pk}").json()
    assert shown["forfeit"] == {"id": forfeit_id, "status": "proposed", "absent": "b"}

    # when the organizer confirms it
    confirmed = organizer.post(f"/api/v1/forfeits/{forfeit_id}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["winner"]["id"] == first.entry_a_id
    again = organizer.post(f"/api/v1/forfeits/{forfeit_id}/reject")
    assert again.status_code == 409 and again.json()["code"] == "not_pending"

    # then W1-1 is completed for side a, who meets W1-2's winner in a best-of-3 final
    done = present.get(f"/api/v1/matches/{first.pk}").json()
    outcome = (done["status"], done["score_a"], done["score_b"], done["winner"]["id"])
    assert outcome == ("completed", 1, 0, first.entry_a_id)
    final = match(event, "W2-1")
    assert (final.status, final.entry_a_id, final.entry_b_id, final.best_of) == (
        "ready",
        first.entry_a_id,
        second.entry_a_id,
        3,
    )

    # and the bracket continues to the end
    for side in (final.entry_a, final.entry_b):
        body = {"score_a": 2, "score_b": 1}
        assert bearer_client(player_of(side)).post(f"/api/v1/matches/{final.pk}/report", body).status_code == 200
    assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED


def test_a_rejected_forfeit_keeps_the_match_open_for_a_late_check_in():
    event, _ = started_event(2)
    drawn_an_hour_ago(event)
    organizer = bearer_client(event.organizer)
    plan = {"starts_at": iso(timezone.now() - timedelta(minutes=30)), "check_in_minutes": 60, "deadline_minutes": 5}
    organizer.put(f"/api/v1/events/{event.pk}/rounds/1/winners/1", plan, format="json")
    final = match(event, "W1-1")
    match_schedule_sweep_task()
    proposal = ForfeitProposal.objects.get(match=final)
    assert proposal.absent == "both"

    no_winner = organizer.post(f"/api/v1/forfeits/{proposal.pk}/confirm", {}, format="json")
    assert no_winner.status_code == 400 and "winner" in no_winner.json()["errors"]
    rejected = organizer.post(f"/api/v1/forfeits/{proposal.pk}/reject")

    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert match_schedule_sweep_task()["proposed"] == 0
    both = [bearer_client(player_of(side)) for side in (final.entry_a, final.entry_b)]
    for client in both:
        assert client.post(f"/api/v1/matches/{final.pk}/check-in").status_code == 200
    for client in both:
        assert client.post(f"/api/v1/matches/{final.pk}/report", {"score_a": 0, "score_b": 1}).status_code == 200
    assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED


def test_check_in_is_refused_to_others_and_before_the_window():
    event, _ = started_event(4)
    organizer = bearer_client(event.organizer)
    plan = {"starts_at": iso(timezone.now() + timedelta(hours=3)), "check_in_minutes": 30}
    organizer.put(f"/api/v1/events/{event.pk}/rounds/1/winners/1", plan, format="json")
    first = match(event, "W1-1")

    early = bearer_client(player_of(first.entry_a)).post(f"/api/v1/matches/{first.pk}/check-in")
    stranger = bearer_client(player_of(match(event, "W1-2").entry_a)).post(f"/api/v1/matches/{first.pk}/check-in")

    assert early.status_code == 409 and early.json()["code"] == "check_in_closed"
    assert stranger.status_code == 403


def test_the_match_list_costs_the_same_queries_however_many_matches():
    costs = []
    for entrants in (4, 16):
        event, _ = started_event(entrants)
        round_schedule = {"starts_at": iso(timezone.now()), "check_in_minutes": 30}
        client = bearer_client(event.organizer)
        client.put(f"/api/v1/events/{event.pk}/rounds/1/winners/1", round_schedule, format="json")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/events/{event.pk}/matches?limit=100").status_code == 200
        costs.append(len(captured))
    assert costs[0] == costs[1]
