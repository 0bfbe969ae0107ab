"""FPX and GrabPay in a real browser against real servers: the wallet page sends the player to the
bank's (or GrabPay's) page, here the development stand-in in front of localstripe; they approve or
decline, come back to the top-up's return page, and localstripe's signed webhook settles it while
they watch. An event's entry fee paid by FPX comes back to the event page the same way.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import WEBHOOK_WAIT_MS, log_in
from tests.factories import EventFactory, UserFactory
from tournaments.models import Registration
from wallet.models import LedgerEntry, TopUp

pytestmark = pytest.mark.browser


@pytest.fixture
def asgi_server(stripe_server):
    """conftest's server, registered as localstripe's webhook."""
    return stripe_server


def balance(page, name: str = "current_balance"):
    return page.locator(f'.balance-amount[data-balance="{name}"]')


def start_top_up(page, amount: str, method: str, bank: str | None = None) -> None:
    page.get_by_label("Amount (RM)").fill(amount)
    page.get_by_label(method).check()
    if bank:
        page.get_by_label("Your bank", exact=True).select_option(label=bank)
    page.get_by_role("button", name="Top up").click()


@pytest.mark.django_db(transaction=True)
def test_top_up_rm_30_by_fpx_approve_at_the_bank_and_see_the_balance(asgi_server, browser_page):
    page = browser_page
    player = UserFactory(username="nurul")
    log_in(page, asgi_server, player, "/wallet/")
    expect(page.get_by_label("Your bank", exact=True)).to_be_hidden()  # card is the default

    # when she tops up RM 30 by FPX from Maybank2u
    start_top_up(page, "30.00", "FPX online banking", bank="Maybank2u")

    # then her bank's page asks her to approve RM 30.00
    expect(page.get_by_role("heading", level=1)).to_have_text("Maybank2u (test bank)")
    expect(page.locator("[data-stand-in-amount]")).to_have_text("RM 30.00")
    page.get_by_role("button", name="Approve").click()

    # and back on Driftwood the top-up shows as processing, then paid once the webhook is in
    topup = TopUp.objects.get(user=player)
    expect(page).to_have_url(re.compile(rf"/wallet/topups/{topup.pk}/\?payment_intent=.*redirect_status=succeeded"))
    result = page.locator("#topup-result")
    expect(result).to_contain_text("RM 30.00 was added to your wallet.", timeout=WEBHOOK_WAIT_MS)
    expect(result.locator('[data-balance="current_balance"]')).to_have_text("RM 30.00")

    # and her wallet shows the balance and the FPX top-up in its history
    page.get_by_role("link", name="Back to your wallet").click()
    expect(balance(page)).to_have_text("RM 30.00")
    expect(page.locator("#history")).to_contain_text(f"FPX top-up #{topup.pk}")
    assert TopUp.objects.get(pk=topup.pk).status == TopUp.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_top_up_rm_30_by_grabpay(asgi_server, browser_page):
    page = browser_page
    player = UserFactory(username="farid")
    log_in(page, asgi_server, player, "/wallet/")

    start_top_up(page, "30.00", "GrabPay")

    expect(page.get_by_role("heading", level=1)).to_have_text("GrabPay (test e-wallet)")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#topup-result")).to_contain_text("RM 30.00 was added to your wallet.", timeout=WEBHOOK_WAIT_MS)
    page.get_by_role("link", name="Back to your wallet").click()
    expect(balance(page)).to_have_text("RM 30.00")
    expect(page.locator("#history")).to_contain_text("GrabPay top-up #")


@pytest.mark.django_db(transaction=True)
def test_a_declined_fpx_payment_says_so_plainly_and_changes_nothing(asgi_server, browser_page):
    page = browser_page
    player = UserFactory(username="hafiz")
    log_in(page, asgi_server, player, "/wallet/")

    start_top_up(page, "30.00", "FPX online banking", bank="CIMB Clicks")
    expect(page.get_by_role("heading", level=1)).to_have_text("CIMB Clicks (test bank)")
    page.get_by_role("button", name="Decline").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "CIMB Clicks did not approve the payment, or it was cancelled. You have not been charged. "
        "Nothing was added to your wallet.",
        timeout=WEBHOOK_WAIT_MS,
    )
    page.get_by_role("link", name="Try again").click()
    expect(balance(page)).to_have_text("RM 0.00")
    assert TopUp.objects.get(user=player).status == TopUp.Status.FAILED
    assert not LedgerEntry.objects.filter(wallet__owner=player).exists()


@pytest.mark.django_db(transaction=True)
def test_an_fpx_without_a_bank_is_stopped_on_the_page(asgi_server, browser_page):
    page = browser_page
    log_in(page, asgi_server, UserFactory(username="amir"), "/wallet/")

    start_top_up(page, "30.00", "FPX online banking")

    expect(page.get_by_role("alert")).to_have_text("Choose your bank for FPX.")
    assert not TopUp.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_pay_an_entry_fee_by_fpx_and_come_back_to_a_confirmed_place(asgi_server, browser_page):
    page = browser_page
    event = EventFactory(name="Kopitiam FPX Cup", entry_fee=Decimal("10.00"))
    player = UserFactory(username="zara", display_name="Zara")
    log_in(page, asgi_server, player, f"/events/{event.pk}/")

    # when she joins paying by FPX from Public Bank and approves at the bank
    page.get_by_label("FPX online banking").check()
    page.get_by_label("Your bank", exact=True).select_option(label="Public Bank")
    page.get_by_role("button", name="Join for RM 10.00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public Bank (test bank)")
    page.get_by_role("button", name="Approve").click()

    # then back on the event page her place is confirmed once the webhook is in
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/\?payment=\d+"))
    expect(page.locator("#entry-panel")).to_contain_text(
        "Your payment of RM 10.00 went through: your place is confirmed.", timeout=WEBHOOK_WAIT_MS
    )
    expect(page.locator("[data-registration-status]")).to_have_attribute("data-registration-status", "confirmed")
    expect(page.get_by_role("region", name="Participants")).to_contain_text("Zara")
    assert Registration.objects.get(event=event).status == Registration.Status.CONFIRMED
