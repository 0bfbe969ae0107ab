"""GET /api/v1/events/{id}/bracket: a published event's bracket and standings as public JSON, the same
for everyone (no credentials needed), cacheable (ETag, Cache-Control) and readable from any site."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.conftest import bearer_client
from tests.factories import EventFactory
from tests.tournaments.test_bracket_pages import match, started_event
from tests.tournaments.test_match_engine import player_of
from tournaments.brackets.services.matches import match_report

pytestmark = pytest.mark.django_db


def bracket(event_id: int, **headers):
    return APIClient().get(f"/api/v1/events/{event_id}/bracket", headers=headers)


def test_anyone_reads_every_match_of_a_started_bracket_without_credentials():
    event, players = started_event(8)

    response = bracket(event.pk)

    assert response.status_code == 200
    body = response.json()
    assert body["event"]["id"] == event.pk and body["event"]["format"] == "single_elimination"
    assert body["event"]["game"]["slug"] == event.game.slug
    assert [item["key"] for item in body["matches"][:4]] == ["W1-1", "W1-2", "W1-3", "W1-4"]
    assert len(body["matches"]) == 7
    first = body["matches"][0]
    assert first["entry_a"]["name"] == players[0].public_name and first["entry_a"]["seed"] == 1
    assert body["standings"] == [] and body["placements"] == []


def test_the_answer_is_cacheable_and_readable_from_any_site():
    event, _ = started_event(4)

    first = bracket(event.pk)
    unchanged = bracket(event.pk, **{"If-None-Match": first["ETag"]})
    opener = match(event, "W1-1")
    match_report(match_id=opener.pk, actor=event.organizer, score_a=2, score_b=0)
    changed = bracket(event.pk, **{"If-None-Match": first["ETag"]})

    assert first["Cache-Control"] == "public, max-age=10"
    assert first["Access-Control-Allow-Origin"] == "*"
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed.json()["matches"][0]["score_a"] == 2


def test_round_robin_groups_come_with_their_tables():
    event, _ = started_event(6, format="round_robin", groups=2)
    some = event.matches.order_by("pk").first()
    match_report(match_id=some.pk, actor=event.organizer, score_a=1, score_b=0)

    body = bracket(event.pk).json()

    assert [group["group"] for group in body["standings"]] == [1, 2]
    rows = [row for group in body["standings"] for row in group["rows"]]
    assert len(rows) == 6
    winner = next(row for row in rows if row["entry"]["id"] == some.entry_a_id)
    assert (winner["wins"], winner["points"], winner["place"]) == (1, 3, 1)


def test_a_completed_event_lists_its_final_places():
    event, _ = started_event(2)
    final = match(event, "W1-1")
    match_report(match_id=final.pk, actor=player_of(final.entry_a), score_a=2, score_b=0)
    match_report(match_id=final.pk, actor=player_of(final.entry_b), score_a=2, score_b=0)

    body = bracket(event.pk).json()

    assert body["event"]["status"] == "completed" and body["event"]["completed_at"]
    assert [(item["place"], item["entry"]["id"]) for item in body["placements"]] == [
        (1, final.entry_a_id),
        (2, final.entry_b_id),
    ]


def test_a_draft_does_not_exist_here_even_for_its_organizer_and_a_token_changes_nothing():
    draft = EventFactory(status="draft", published_at=None)

    assert bracket(draft.pk).status_code == 404
    assert bearer_client(draft.organizer).get(f"/api/v1/events/{draft.pk}/bracket").status_code == 404
    assert bracket(999999).json()["code"] == "not_found"
    published, _ = started_event(2)
    assert bracket(published.pk, Authorization="Bearer not-a-token").status_code == 200


@pytest.mark.parametrize("entrants", [8, 32])
def test_the_query_count_does_not_grow_with_the_bracket(entrants):
    event, _ = started_event(entrants)

    with CaptureQueriesContext(connection) as captured:
        response = bracket(event.pk)

    assert response.status_code == 200 and len(response.json()["matches"]) == entrants - 1
    assert len(captured.captured_queries) <= 4, [query["sql"] for query in captured.captured_queries]
