"""A free-for-all evening in real browsers against a real ASGI server (daphne, Redis channel layer).

Eight players are dealt into two lobbies of four; the organizer types a lobby's placements and
kills on its results page; a spectator on a phone watches the standings table, which reorders
itself without a reload as results come in and rounds close, and fits the phone's width.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import MOBILE
from tests.e2e.helpers import elsewhere, log_in, new_context, screenshot, screenshots
from tests.factories import EventFactory, UserFactory
from tournaments.brackets.ffa import services
from tournaments.brackets.services.start import event_start
from tournaments.models import Event, Lobby
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.browser

PLAYERS = ["Siti", "Aiman", "Jun Wei", "Kavitha", "Hafiz", "Mei Ling", "Arjun", "Nurul"]


def lobby(event: Event, round_number: int, number: int) -> Lobby:
    return Lobby.objects.get(stage__event=event, round=round_number, number=number)


def by_seed_reversed(round_lobby: Lobby) -> list[dict]:
    """The worst seed wins the lobby with 5 kills; the others in reverse seed order, no kills."""
    slots = list(round_lobby.slots.select_related("entry").order_by("-entry__seed"))
    return [
        {"entry_id": slot.entry_id, "placement": place, "kills": 5 if place == 1 else 0}
        for place, slot in enumerate(slots, start=1)
    ]


@pytest.mark.django_db(transaction=True)
def test_the_standings_follow_the_results_live_on_a_phone(asgi_server, browser_context, browser_page):
    server = asgi_server
    # given a started free-for-all of eight in lobbies of four, two rounds, PUBG Mobile points
    organizer = UserFactory(username="organizer_ffa", display_name="Farah the Organizer")
    event = EventFactory(
        name="Cyberjaya Battle Royale",
        organizer=organizer,
        format=Event.Format.FREE_FOR_ALL,
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        max_participants=8,
    )
    players = [UserFactory(display_name=name) for name in PLAYERS]

    def start():
        for player in players:
            registration_join(event_id=event.pk, user=player)
        services.ffa_settings_update(event_id=event.pk, actor=organizer, lobby_size=4, rounds=2)
        event_start(event_id=event.pk, actor=organizer)

    elsewhere(start)

    # and a spectator on a phone watches the standings, live
    spectator_context = new_context(browser_context, MOBILE)
    spectator = spectator_context.new_page()
    spectator.goto(f"{server}/events/{event.pk}/bracket/")
    expect(spectator.locator("[data-connection]")).to_have_attribute("data-state", "live")
    spectator.evaluate("window.__sameDocument = true")
    standings = spectator.locator("#ffa-standings")
    expect(standings.locator("tbody tr")).to_have_count(8)
    expect(spectator.locator("[data-ffa-progress]")).to_have_text("Round 1 of 2 is being played.")
    expect(standings.locator("tbody tr").first).to_contain_text("Siti")

    # when the organizer types lobby 1's results on its page: Hafiz (seed 5) first with 5 kills
    first = lobby(event, 1, 1)
    rows = by_seed_reversed(first)
    names = {slot.entry_id: slot.entry.name for slot in first.slots.select_related("entry__registration__user")}
    log_in(browser_page, server, organizer, f"/events/{event.pk}/ffa/")
    browser_page.get_by_role("link", name="Lobby 1").first.click()
    form = browser_page.locator("#lobby-results-form")
    for row in rows:
        form.get_by_label(f"Placement of {names[row['entry_id']]}", exact=True).fill(str(row["placement"]))
        form.get_by_label(f"Kills of {names[row['entry_id']]}", exact=True).fill(str(row["kills"]))
    form.get_by_role("button", name="Save results").click()
    expect(browser_page.get_by_role("status")).to_contain_text("Results saved.")
    screenshot(browser_page, "ffa-lobby-results-desktop")
    winner = names[rows[0]["entry_id"]]

    # then the spectator's table puts the lobby's winner on top with 10 + 5 points, without a reload
    top = standings.locator("tbody tr").first
    expect(top).to_contain_text(winner)
    expect(top.locator("[data-points]")).to_have_text("15")

    # when lobby 2's results are in and the organizer closes the round on the lobbies page
    second = lobby(event, 1, 2)
    elsewhere(
        lambda: services.lobby_results_enter(lobby_id=second.pk, actor=organizer, results=by_seed_reversed(second))
    )
    browser_page.goto(f"{server}/events/{event.pk}/ffa/")
    screenshot(browser_page, "ffa-lobbies-desktop")
    browser_page.get_by_role("button", name="Close round 1").click()
    expect(browser_page.get_by_role("status")).to_contain_text("Round 1 closed.")

    # then the spectator sees round 2 under way, its lobbies drawn, still on the same page
    expect(spectator.locator("[data-ffa-progress]")).to_have_text("Round 2 of 2 is being played.")
    expect(spectator.locator(".ffa-lobby")).to_have_count(4)
    assert spectator.evaluate("window.__sameDocument") is True

    # and the page fits the phone: nothing wider than the screen but the tables' own scroll boxes
    assert spectator.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    screenshot(spectator, "ffa-standings-mobile")
    spectator_context.close()
    screenshots(browser_context, server, organizer, f"/events/{event.pk}/lobbies/{lobby(event, 2, 1).pk}/", "ffa-lobby")
