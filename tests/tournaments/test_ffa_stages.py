"""A free-for-all is one stage like any event: the public bracket JSON and the stages API list it,
under way while rounds are played and completed after the last; its rounds take a planned start
time like any other round (shown on the bracket page and in its JSON)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import bearer_client
from tests.tournaments.test_ffa_pages import play_round, started
from tests.tournaments.test_match_json import iso

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def test_the_public_json_and_the_stages_api_list_the_free_for_all_stage():
    # given a started free-for-all of 4 in one lobby over two rounds
    event = started(4, lobby_size=4, rounds=2)
    stage = {"number": 1, "format": "free_for_all", "status": "ongoing", "advance": None}

    # then its one stage is under way
    assert Client().get(f"/api/v1/events/{event.pk}/bracket").json()["stages"] == [stage]
    listed = bearer_client(event.organizer).get(f"/api/v1/events/{event.pk}/stages").json()
    assert [(row["number"], row["format"], row["status"]) for row in listed] == [(1, "free_for_all", "ongoing")]

    # when both rounds are played and closed, it is completed
    play_round(event, 1)
    play_round(event, 2)
    assert Client().get(f"/api/v1/events/{event.pk}/bracket").json()["stages"] == [{**stage, "status": "completed"}]
    listed = bearer_client(event.organizer).get(f"/api/v1/events/{event.pk}/stages").json()
    assert listed[0]["status"] == "completed"


def test_the_organizer_plans_a_free_for_all_rounds_start_and_players_see_it():
    # given a started free-for-all of 4 over two rounds
    event = started(4, lobby_size=4, rounds=2)
    organizer = bearer_client(event.organizer)

    # then the schedule lists both rounds (lobbies, not matches), and the manage page offers a start time only
    rounds = organizer.get(f"/api/v1/events/{event.pk}/schedule").json()["rounds"]
    assert [(row["stage"], row["bracket"], row["round"]) for row in rounds] == [(1, "group", 1), (1, "group", 2)]
    manage = Client()
    manage.force_login(event.organizer)
    page = manage.get(reverse("tournaments:event_manage", args=[event.pk])).content.decode()
    plans = page[page.index('id="round-plans"') :]
    assert 'name="round-1-group-2-starts_at"' in plans and 'name="round-1-group-2-best_of"' not in plans

    # when the organizer sets round 1's start (a best-of or a match check-in is refused)
    starts_at = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    url = f"/api/v1/events/{event.pk}/rounds/1/group/1"
    refused = organizer.put(url, {"starts_at": iso(starts_at), "best_of": 3}, format="json")
    assert refused.status_code == 400 and "best_of" in refused.json()["errors"]
    assert organizer.put(url, {"starts_at": iso(starts_at)}, format="json").status_code == 200

    # then the free-for-all JSON and the bracket page show it
    ffa = Client().get(f"/api/v1/events/{event.pk}/bracket").json()["ffa"]
    assert [row["starts_at"] for row in ffa["rounds"]] == [iso(starts_at)]
    html = Client().get(reverse("tournaments:event_bracket", args=[event.pk])).content.decode()
    assert f'<time datetime="{timezone.localtime(starts_at).isoformat()}">' in html
