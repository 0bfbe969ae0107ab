"""The free-for-all pages in Bahasa Melayu: nothing the catalogue translates is left in English, no
placeholder shows (the walk of tests/core/test_i18n.py, over these pages)."""

from decimal import Decimal

import pytest
from django.utils.text import capfirst

from tests.core.test_i18n import _english_with_malay, check_admin, check_page, malay_client
from tests.factories import EventFactory, UserFactory
from tournaments.brackets.ffa import services
from tournaments.brackets.services.start import event_start
from tournaments.models import Event, Lobby
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def test_the_free_for_all_pages_are_all_in_malay():
    english = _english_with_malay()
    organizer = UserFactory(language="ms")
    waiting = EventFactory(organizer=organizer, format=Event.Format.FREE_FOR_ALL)
    event = EventFactory(
        organizer=organizer,
        format=Event.Format.FREE_FOR_ALL,
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        max_participants=6,
    )
    for player in UserFactory.create_batch(6):
        registration_join(event_id=event.pk, user=player)
    services.ffa_settings_update(event_id=event.pk, actor=organizer, lobby_size=3, rounds=2, reshuffle=True)
    event_start(event_id=event.pk, actor=organizer)
    first, second = Lobby.objects.filter(stage__event=event).order_by("number")
    host = UserFactory(language="ms")
    services.lobby_host_set(lobby_id=second.pk, actor=organizer, host_id=host.pk)
    slots = list(first.slots.order_by("entry__seed"))
    results = [{"entry_id": slot.entry_id, "placement": place, "kills": 1} for place, slot in enumerate(slots, 1)]
    services.lobby_results_enter(lobby_id=first.pk, actor=organizer, results=results)

    browser = malay_client(organizer)
    for url in (
        f"/events/{waiting.pk}/ffa/",
        f"/events/{event.pk}/ffa/",
        f"/events/{event.pk}/bracket/",
        f"/events/{event.pk}/manage/",
        f"/events/{event.pk}/lobbies/{first.pk}/",
    ):
        check_page(browser, url, english)
    html = check_page(malay_client(host), f"/events/{event.pk}/lobbies/{second.pk}/", english)
    assert "Simpan keputusan" in html
    assert "Pusingan 1 daripada 2 sedang dimainkan." in check_page(
        malay_client(), f"/events/{event.pk}/bracket/", english
    )

    # Model and field names are lower case in the catalogue; the admin shows them capitalised.
    english |= {capfirst(text) for text in english}
    staff = malay_client(UserFactory(is_staff=True, is_superuser=True, language="ms"))
    for url in (
        "/admin/tournaments/lobby/",
        f"/admin/tournaments/lobby/{first.pk}/change/",
        "/admin/tournaments/freeforallsettings/",
    ):
        check_admin(staff.get(url), english)
