"""The manage page's match list: every match of the event, filtered (ready, disputed, all), with a
quick result form where `match_permissions` lets the organizer report or decide, posting to the
same services as the match page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory
from tests.tournaments.test_match_engine import match, player_of, started_event
from tournaments.brackets.services.matches import dispute_open, match_report
from tournaments.models import Dispute, Match

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def manage_url(event, matches: str | None = None) -> str:
    return f"/events/{event.pk}/manage/" + (f"?matches={matches}" if matches else "")


def result_url(event, current: Match) -> str:
    return f"/events/{event.pk}/matches/{current.pk}/result/"


def scores(current: Match, score_a, score_b, **more) -> dict:
    prefix = f"match-{current.pk}"
    return {f"{prefix}-score_a": str(score_a), f"{prefix}-score_b": str(score_b), **more}


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def disputed(event, key: str) -> Match:
    current = match(event, key)
    match_report(match_id=current.pk, actor=player_of(current.entry_a), score_a=1, score_b=0)
    match_report(match_id=current.pk, actor=player_of(current.entry_b), score_a=0, score_b=1)
    return match(event, key)


def test_the_filters_split_ready_and_disputed_matches_and_all_lists_every_one(client):
    event, _ = started_event(8)
    disputed(event, "W1-1")
    reported = match(event, "W1-3")
    match_report(match_id=reported.pk, actor=player_of(reported.entry_a), score_a=1, score_b=0)
    client.force_login(event.organizer)

    ready = client.get(manage_url(event))
    disputes = client.get(manage_url(event, "disputed"))
    everything = client.get(manage_url(event, "all"))

    assert [row.match.key for row in ready.context["match_rows"]] == ["W1-2", "W1-3", "W1-4"]
    assert [row.match.key for row in disputes.context["match_rows"]] == ["W1-1"]
    assert len(everything.context["match_rows"]) == Match.objects.filter(event=event).count() == 7
    assert [(key, count) for key, _label, count in ready.context["match_filters"]] == [
        ("ready", 3),
        ("disputed", 1),
        ("all", 7),
    ]
    html = ready.content.decode()
    assert html.count('class="quick-result"') == 3 and "Save result" in html
    assert "Decide W1-1" in disputes.content.decode()
    assert ready.context["match_filter"] == "ready"
    assert client.get(manage_url(event, "nonsense")).context["match_filter"] == "ready"


def test_a_quick_result_completes_the_match_and_advances_the_bracket(client):
    event, _ = started_event(4)
    first = match(event, "W1-1")
    client.force_login(event.organizer)

    response = client.post(result_url(event, first), scores(first, 1, 0, matches="ready"), follow=True)

    assert response.redirect_chain == [(f"{manage_url(event, 'ready')}#matches", 302)]
    first.refresh_from_db()
    assert (first.status, first.winner_id, first.score_a, first.score_b) == ("completed", first.entry_a_id, 1, 0)
    assert match(event, "W2-1").entry_a_id == first.entry_a_id
    assert shown(response) == [f"W1-1 is decided: {first.entry_a.name} 1-0 {first.entry_b.name}. The bracket moves on."]
    assert [row.match.key for row in response.context["match_rows"]] == ["W1-2"]


def test_a_disputed_match_is_decided_with_the_organizers_reason(client):
    event, _ = started_event(4)
    current = match(event, "W1-1")
    match_report(match_id=current.pk, actor=player_of(current.entry_a), score_a=1, score_b=0)
    dispute = dispute_open(match_id=current.pk, actor=player_of(current.entry_b), reason="They used a banned map.")
    client.force_login(event.organizer)

    response = client.post(
        result_url(event, current),
        scores(current, 0, 1, matches="disputed", **{f"match-{current.pk}-resolution": "Map was banned."}),
        follow=True,
    )

    current.refresh_from_db()
    dispute.refresh_from_db()
    assert (current.status, current.winner_id) == ("completed", current.entry_b_id)
    assert (dispute.status, dispute.resolution) == (Dispute.Status.RESOLVED, "Map was banned.")
    assert response.context["match_rows"] == []
    assert "No disputes to decide." in response.content.decode()


def test_a_score_the_match_cannot_have_is_refused_with_the_services_reason(client):
    event, _ = started_event(4)
    first = match(event, "W1-1")
    client.force_login(event.organizer)

    level = client.post(result_url(event, first), scores(first, 1, 1), follow=True)
    missing = client.post(result_url(event, first), scores(first, "", 1), follow=True)

    assert shown(level) == ["W1-1: An elimination match needs a winner: the scores cannot be level."]
    assert shown(missing) == ["W1-1: enter both scores, whole numbers from 0 to 999."]
    first.refresh_from_db()
    assert first.status == Match.Status.READY


def test_a_completed_match_is_refused_by_the_service_and_offered_reopening(client):
    event, _ = started_event(4)
    first = match(event, "W1-1")
    match_report(match_id=first.pk, actor=event.organizer, score_a=1, score_b=0)
    client.force_login(event.organizer)

    response = client.post(result_url(event, first), scores(first, 0, 1, matches="all"), follow=True)

    assert shown(response) == ["W1-1: This match is completed."]
    first.refresh_from_db()
    assert first.winner_id == first.entry_a_id
    assert "Reopen W1-1" in response.content.decode()


def test_only_the_organizer_enters_results_here(client):
    event, _ = started_event(4)
    first = match(event, "W1-1")
    client.force_login(player_of(first.entry_a))

    response = client.post(result_url(event, first), scores(first, 1, 0), follow=True)

    assert shown(response) == ["Only the organizer can manage this event."]
    first.refresh_from_db()
    assert first.status == Match.Status.READY


def test_a_match_of_another_event_is_404(client):
    event, _ = started_event(2)
    other, _ = started_event(2)
    client.force_login(event.organizer)

    response = client.post(result_url(event, match(other, "W1-1")), scores(match(other, "W1-1"), 1, 0))

    assert response.status_code == 404
    assert match(other, "W1-1").status == Match.Status.READY


def test_the_list_costs_the_same_queries_for_4_or_16_players(client):
    small, _ = started_event(4)
    big, _ = started_event(16, organizer=small.organizer)
    client.force_login(small.organizer)

    def queries(event) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(manage_url(event, "all")).status_code == 200
        return len(captured)

    queries(small)  # warm: the session, the caches
    assert queries(small) == queries(big)


def test_the_list_appears_once_the_bracket_is_drawn(client):
    event, _ = started_event(2)
    not_started = EventFactory(organizer=event.organizer)
    client.force_login(event.organizer)

    assert 'id="matches"' in client.get(manage_url(event)).content.decode()
    assert 'id="matches"' not in client.get(manage_url(not_started)).content.decode()
