"""The waitlist in a real browser against a real ASGI server (issue 16)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.services.registrations import registration_join, registration_leave

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_waitlisted_player_is_promoted_and_sees_the_wallet_debit(asgi_server, browser_page):
    event = EventFactory(name="Kopitiam Cup", max_participants=2, entry_fee=Decimal("5.00"))
    seated = [UserFactory(), UserFactory()]
    for player in seated:
        funded_wallet(player, "5.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
    siti = UserFactory(username="siti", display_name="Siti the Sniper")
    funded_wallet(siti, "20.00")
    page = browser_page

    # given siti on a full event's page, she joins its waitlist
    log_in(page, asgi_server, siti, f"/events/{event.pk}/")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("status")).to_contain_text("You're on the waitlist for “Kopitiam Cup”, number 1 in line.")
    expect(page.locator("[data-waitlist-position]")).to_have_text("1")

    # when a seated player leaves
    registration_leave(event_id=event.pk, user=seated[0])

    # then she is in, and her wallet shows the entry fee taken
    page.reload()
    expect(page.locator("[data-registration-status]")).to_have_attribute("data-registration-status", "confirmed")
    page.goto(f"{asgi_server}/wallet/")
    expect(page.get_by_text("Entry fee: Kopitiam Cup")).to_be_visible()
    expect(page.get_by_text("RM 15.00").first).to_be_visible()
