"""A tournament night in real browsers against a real ASGI server (daphne, Redis channel layer).

A player finds an event and joins it from their wallet; the organizer, on the same event
page in another browser, sees the participant count change live and then cancels the event
with a penalty; the player sees the refund in their wallet history. Another player pays
their entry by card through Stripe.js (localstripe's stand-in) and Stripe's webhook.
"""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections
from playwright.sync_api import expect

from tests.e2e.helpers import WEBHOOK_WAIT_MS, log_in, new_context, type_card
from tests.factories import EventFactory, GameFactory, UserFactory, funded_wallet
from tournaments.models import Event, ParticipantPayment, Registration
from tournaments.services.registrations import registration_join
from wallet.models import Wallet

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_join_from_the_wallet_live_count_and_refund_after_cancellation(asgi_server, browser_context, browser_page):
    # given an open RM 15 event, a player with RM 50, and another event on the list
    valorant = GameFactory(name="Valorant", slug="valorant", icon="🎯")
    organizer = UserFactory(username="aiman", display_name="Aiman the Ace")
    event = EventFactory(name="Kopitiam Valorant Night", game=valorant, organizer=organizer, entry_fee=Decimal("15.00"))
    EventFactory(name="Tekken Friday Brawl", game=GameFactory(name="Tekken 8", slug="tekken-8"))
    player = UserFactory(username="siti_nur", display_name="Siti the Sniper")
    funded_wallet(player, "50.00")
    event_path = f"/events/{event.pk}/"

    # and the organizer watching the event page in another browser session
    organizer_context = new_context(browser_context)
    watcher = organizer_context.new_page()
    log_in(watcher, asgi_server, organizer, event_path)
    entries = watcher.locator("#entry-count")
    expect(watcher.locator("[data-connection]")).to_have_attribute("data-state", "live")
    expect(entries).to_contain_text("0 of 8 confirmed")

    # when the player logs in, finds the event on the list and opens it
    page = browser_page
    log_in(page, asgi_server, player, "/events/")
    page.get_by_label("Search").fill("valorant")
    page.get_by_role("button", name="Filter").click()
    results = page.get_by_role("region", name="Matching events")
    expect(results.get_by_role("link")).to_have_count(1)
    results.get_by_role("link", name="Kopitiam Valorant Night").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kopitiam Valorant Night")
    expect(page.locator("[data-wallet-usable]")).to_have_text("RM 50.00")

    # and joins it paying from the wallet
    expect(page.get_by_label("Wallet balance")).to_be_checked()
    page.get_by_role("button", name="Join for RM 15.00").click()

    # then the fee left their wallet and their name is among the participants
    expect(page.get_by_role("status")).to_contain_text("You're in “Kopitiam Valorant Night”! RM 15.00 paid")
    expect(page.locator("[data-wallet-usable]")).to_have_text("RM 35.00")
    participants = page.get_by_role("region", name="Participants")
    expect(participants).to_contain_text("Siti the Sniper")
    expect(page.locator("#entry-count")).to_contain_text("1 of 8 confirmed")

    # and the organizer's page updated by itself: count and participant list
    expect(entries).to_contain_text("1 of 8 confirmed")
    expect(entries).to_contain_text("7 slots left")
    expect(watcher.get_by_role("region", name="Participants")).to_contain_text("Siti the Sniper")

    # when the organizer cancels the event with a 20% penalty
    watcher.get_by_role("link", name="Cancel event").click()
    watcher.get_by_label("Cancellation penalty (%)").fill("20")
    watcher.get_by_role("button", name="Cancel event and refund players").click()

    # then the organizer is told what was refunded
    expect(watcher.get_by_role("status")).to_contain_text(
        "“Kopitiam Valorant Night” is cancelled. 1 paid entry refunded (RM 12.00 in all, less a 20% penalty)."
    )
    expect(watcher.locator("#event-status")).to_have_text("Cancelled")

    # and the player's open page shows the cancellation live
    expect(page.locator("#event-status")).to_have_text("Cancelled")
    expect(page.locator("#entry-panel")).to_contain_text("This event was cancelled.")

    # and the player finds the refund in their wallet history
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Wallet").click()
    history = page.get_by_role("region", name="Transaction history")
    refund = history.get_by_role("row").filter(has_text="Kopitiam Valorant Night was cancelled")
    expect(refund).to_contain_text("+RM 12.00")
    expect(history.get_by_role("row").filter(has_text="Entry fee: Kopitiam Valorant Night")).to_contain_text("RM 15.00")
    expect(page.locator('.balance-amount[data-balance="usable_balance"]')).to_have_text("RM 47.00")
    organizer_context.close()

    assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED
    assert Registration.objects.get(event=event, user=player).status == Registration.Status.CANCELLED
    assert Wallet.objects.get(owner=player).usable_balance == Decimal("47.00")


def join_elsewhere(event: Event, player) -> None:
    """Join from another thread: the broadcast after commit cannot run on Playwright's event-loop thread."""

    def join():
        try:
            registration_join(event_id=event.pk, user=player)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(join).result()


@pytest.mark.django_db(transaction=True)
def test_without_the_socket_the_page_polls_the_event_api(asgi_server, browser_context, browser_page):
    # given a visitor on an event page whose WebSocket is refused every time
    event = EventFactory(name="Penang LAN Party", entry_fee=Decimal("0.00"), max_participants=4)
    browser_context.route_web_socket("**/ws/events/**", lambda socket: socket.close(code=1011))
    page = browser_page
    page.goto(f"{asgi_server}/events/{event.pk}/")
    entries = page.locator("#entry-count")
    expect(entries).to_contain_text("0 of 4 confirmed")

    # when a player joins (elsewhere)
    join_elsewhere(event, UserFactory(display_name="Jun Wei"))

    # then the page catches up by polling GET /api/v1/events/<id>, and says it is reconnecting
    expect(entries).to_contain_text("1 of 4 confirmed", timeout=15_000)
    expect(entries).to_contain_text("3 slots left")
    expect(page.get_by_role("region", name="Participants")).to_contain_text("Jun Wei")
    connection = page.locator("[data-connection]")
    expect(connection).to_have_attribute("data-state", "reconnecting")
    expect(connection).to_contain_text("Reconnecting")


@pytest.mark.django_db(transaction=True)
def test_join_paying_by_card(stripe_server, browser_page):
    # given a player with an empty wallet on an open RM 15 event
    event = EventFactory(name="Kuching Kites Cup", entry_fee=Decimal("15.00"))
    player = UserFactory(username="jun_wei", display_name="Jun Wei")
    page = browser_page
    log_in(page, stripe_server, player, f"/events/{event.pk}/")

    # when they choose to pay by card, type a 3-D Secure card and join
    page.get_by_role("radio", name="Card").check()
    type_card(page, postal_code="93000")
    page.get_by_role("button", name="Join for RM 15.00").click()

    # and complete the 3-D Secure step of the payment the page started through the join API
    prompt = page.get_by_role("button", name="Complete authentication")
    expect(prompt).to_be_visible()
    payment = ParticipantPayment.objects.get(payer=player)
    assert (payment.method, payment.status, payment.registration.status) == ("stripe", "pending", "pending")
    prompt.click()

    # then Stripe's webhook confirms the place and the page shows it
    expect(page.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "confirmed", timeout=WEBHOOK_WAIT_MS
    )
    expect(page.get_by_role("region", name="Participants")).to_contain_text("Jun Wei")
    expect(page.locator("#entry-count")).to_contain_text("1 of 8 confirmed")
    payment.refresh_from_db()
    assert payment.status == ParticipantPayment.Status.SUCCEEDED
    assert Wallet.objects.get(owner=player).usable_balance == Decimal("0.00")
