"""Match scheduling on the pages: the manage page's round plans and forfeit queue, the match page's
start time, check-in state and button."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.core.test_i18n import _english_with_malay, check_page, malay_client
from tests.tournaments.test_match_engine import match, player_of, started_event
from tournaments.brackets.services.forfeits import match_schedule_sweep
from tournaments.brackets.services.schedule import round_schedule_set
from tournaments.models import ForfeitProposal, MatchCheckIn, RoundSchedule

pytestmark = pytest.mark.django_db


def manage_url(event) -> str:
    return reverse("tournaments:event_manage", args=[event.pk])


def plan(event, *, starts_in=10, check_in=30, deadline=10):
    return round_schedule_set(
        event_id=event.pk,
        actor=event.organizer,
        bracket="winners",
        round=1,
        starts_at=timezone.now() + timedelta(minutes=starts_in),
        check_in_minutes=check_in,
        deadline_minutes=deadline,
    )


def test_the_organizer_plans_a_round_on_the_manage_page(client):
    event, _ = started_event(4)
    client.force_login(event.organizer)

    page = client.get(manage_url(event))
    assert [row.label for row in page.context["round_rows"]] == ["Winners, round 1", "Winners, round 2"]
    assert b'id="round-plans"' in page.content

    response = client.post(
        reverse("tournaments:event_round_plan", args=[event.pk]),
        {
            "prefix": "round-1-winners-2",
            "round-1-winners-2-stage": 1,
            "round-1-winners-2-bracket": "winners",
            "round-1-winners-2-round": 2,
            "round-1-winners-2-starts_at": "2030-01-05T20:00",
            "round-1-winners-2-best_of": 5,
            "round-1-winners-2-check_in_minutes": 15,
            "round-1-winners-2-deadline_minutes": 10,
        },
        follow=True,
    )

    assert response.status_code == 200
    saved = RoundSchedule.objects.get(event=event, round=2)
    assert (saved.best_of, saved.check_in_minutes, saved.deadline_minutes) == (5, 15, 10)
    assert timezone.localtime(saved.starts_at, timezone.get_default_timezone()).strftime("%H:%M") == "20:00"
    assert match(event, "W2-1").best_of == 5


def test_a_bad_plan_is_shown_on_its_form(client):
    event, _ = started_event(4)
    client.force_login(event.organizer)
    response = client.post(
        reverse("tournaments:event_round_plan", args=[event.pk]),
        {
            "prefix": "round-1-winners-1",
            "round-1-winners-1-stage": 1,
            "round-1-winners-1-bracket": "winners",
            "round-1-winners-1-round": 1,
            "round-1-winners-1-check_in_minutes": -5,
            "round-1-winners-1-deadline_minutes": 10,
        },
    )
    assert response.status_code == 400
    form = response.context["round_rows"][0].form
    assert "check_in_minutes" in form.errors
    assert not RoundSchedule.objects.exists()


def test_a_player_sees_the_start_and_checks_in_on_the_match_page(client):
    event, _ = started_event(4)
    plan(event)
    first = match(event, "W1-1")
    player = player_of(first.entry_a)
    client.force_login(player)
    url = reverse("tournaments:match_detail", args=[first.pk])

    page = client.get(url)
    assert b'id="match-schedule"' in page.content and b'id="match-check-in"' in page.content
    assert "Scores can be reported once both sides have checked in." in page.content.decode()
    assert not page.context["permissions"].can_report

    checked = client.post(reverse("tournaments:match_check_in", args=[first.pk]), follow=True)

    assert checked.status_code == 200
    assert MatchCheckIn.objects.filter(match=first, side="a", checked_in_by=player).exists()
    assert b'id="match-check-in"' not in checked.content
    assert "checked in to W1-1" in checked.content.decode()


def test_the_opponent_sees_no_button_before_the_window_opens(client):
    event, _ = started_event(4)
    plan(event, starts_in=120, check_in=30)
    first = match(event, "W1-1")
    client.force_login(player_of(first.entry_b))

    page = client.get(reverse("tournaments:match_detail", args=[first.pk]))

    assert b'id="match-check-in"' not in page.content
    assert "The check-in button appears here when check-in opens." in page.content.decode()


def test_the_organizer_confirms_a_forfeit_from_the_queue(client):
    event, _ = started_event(2)
    plan(event, starts_in=0, check_in=30, deadline=5)
    final = match(event, "W1-1")
    MatchCheckIn.objects.create(match=final, side="a", entry=final.entry_a, checked_in_by=player_of(final.entry_a))
    match_schedule_sweep(now=timezone.now() + timedelta(minutes=10))
    proposal = ForfeitProposal.objects.get(match=final)
    client.force_login(event.organizer)

    queue = client.get(manage_url(event))
    assert [row.pk for row in queue.context["forfeits"]] == [proposal.pk]
    response = client.post(
        reverse("tournaments:event_forfeit", args=[event.pk, proposal.pk]), {"decision": "confirm"}, follow=True
    )

    assert response.status_code == 200
    final.refresh_from_db()
    assert (final.status, final.winner_id) == ("completed", final.entry_a_id)
    assert ForfeitProposal.objects.get(pk=proposal.pk).status == "confirmed"


def test_a_player_cannot_decide_a_forfeit(client):
    event, _ = started_event(2)
    plan(event, starts_in=0, check_in=30, deadline=5)
    final = match(event, "W1-1")
    match_schedule_sweep(now=timezone.now() + timedelta(minutes=10))
    proposal = ForfeitProposal.objects.get(match=final)
    client.force_login(player_of(final.entry_a))

    client.post(reverse("tournaments:event_forfeit", args=[event.pk, proposal.pk]), {"decision": "reject"})

    assert ForfeitProposal.objects.get(pk=proposal.pk).status == "proposed"


def test_the_schedule_card_and_the_forfeit_queue_are_in_malay():
    # given a planned round whose deadline passed with side a checked in and a forfeit proposed
    event, _ = started_event(4)
    plan(event, starts_in=0, check_in=30, deadline=5)
    first = match(event, "W1-1")
    MatchCheckIn.objects.create(match=first, side="a", entry=first.entry_a, checked_in_by=player_of(first.entry_a))
    match_schedule_sweep(now=timezone.now() + timedelta(minutes=10))
    english = _english_with_malay()

    # then the organizer's manage page and the players' match pages read in Malay
    check_page(malay_client(event.organizer), manage_url(event), english)
    for player in (player_of(first.entry_a), player_of(first.entry_b)):
        html = check_page(malay_client(player), reverse("tournaments:match_detail", args=[first.pk]), english)
        assert "Jadual" in html
