"""A free-for-all is one stage like any event: the public bracket JSON and the stages API list it,
under way while rounds are played and completed after the last."""

import pytest
from django.test import Client

from tests.conftest import bearer_client
from tests.tournaments.test_ffa_pages import play_round, started

pytestmark = pytest.mark.django_db


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
