"""A free-for-all in one go: the event form carries its lobby size, rounds, reshuffle and points table
(saved with the event, or neither); the event page tells a player their lobby in the round being played."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import GameFactory
from tests.tournaments.test_ffa_pages import lobbies, play_round, started
from tests.tournaments.test_pages import NEW_URL, event_form_data
from tournaments.brackets.formats.ffa import PRESETS
from tournaments.models import Event, FreeForAllSettings, LobbySlot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

FFA = {"format": "free_for_all", "ffa_lobby_size": "20", "ffa_rounds": "4", "ffa_reshuffle": "on"}


def test_the_organizer_creates_a_free_for_all_with_its_settings_in_one_go(player_client, user):
    # when the organizer creates a free-for-all with 20-entry lobbies, 4 reshuffled rounds and Free Fire points
    response = player_client.post(NEW_URL, event_form_data(GameFactory(), **FFA, ffa_preset="free_fire"))

    # then the event and its settings are saved together
    assert response.status_code == 302
    event = Event.objects.get(organizer=user)
    settings = FreeForAllSettings.objects.get(event=event)
    assert (settings.lobby_size, settings.rounds, settings.reshuffle) == (20, 4, True)
    assert list(settings.placement_points) == list(PRESETS["free_fire"].placement)
    # and the edit form shows them
    page = player_client.get(reverse("tournaments:event_edit", args=[event.pk])).content.decode()
    assert 'name="ffa_lobby_size" value="20"' in page and 'name="ffa_rounds" value="4"' in page


def test_empty_settings_keep_the_defaults_and_other_formats_ignore_them(player_client, user):
    player_client.post(NEW_URL, event_form_data(GameFactory(), format="free_for_all", name="Defaults"))
    player_client.post(NEW_URL, event_form_data(GameFactory(), **{**FFA, "format": "single_elimination"}))

    defaults = FreeForAllSettings.objects.get(event__name="Defaults")
    assert (defaults.lobby_size, defaults.rounds, defaults.reshuffle) == (100, 3, False)
    assert FreeForAllSettings.objects.count() == 1


def test_a_refused_setting_shows_on_its_field_and_creates_nothing(player_client, user):
    response = player_client.post(NEW_URL, event_form_data(GameFactory(), **{**FFA, "ffa_lobby_size": "1"}))

    assert response.status_code == 200 and "ffa_lobby_size" in response.context["form"].errors
    assert not Event.objects.filter(organizer=user).exists()


def test_the_event_page_tells_a_player_their_lobby_in_the_round_being_played():
    # given a free-for-all of 6 in lobbies of 3, round 1 played and closed (round 2 dealt)
    event = started(6, lobby_size=3, rounds=2)
    play_round(event, 1)
    lobby = lobbies(event, 2)[1]
    player = LobbySlot.objects.filter(lobby=lobby).select_related("entry__registration__user").first()
    client = Client()
    client.force_login(player.entry.registration.user)

    # when they open the event page
    page = client.get(reverse("tournaments:event_detail", args=[event.pk])).content.decode()

    # then it names round 2's lobby and links to it on the bracket page
    assert 'id="your-lobby"' in page and "lobby 2" in page and "Round 2" in page
    assert f"/events/{event.pk}/bracket/#ffa-round-2" in page
    # and a signed-out visitor is told nothing of the kind
    assert 'id="your-lobby"' not in Client().get(reverse("tournaments:event_detail", args=[event.pk])).content.decode()
