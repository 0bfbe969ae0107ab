"""FPX and GrabPay in Bahasa Melayu, in a real browser against real servers (issue #18): the player
switches the site to Malay with the header's switcher, tops up by FPX and by GrabPay through the
development stand-in in front of localstripe, sees a declined FPX payment explained in Malay with
nothing changed, and pays an event's entry fee by FPX. Every visible text is checked against the
Malay catalogue (`malay()` reads the msgstr of the English msgid from locale/ms/.../django.po), so
the test follows the translation instead of repeating it. The wallet, top-up return and event pages
are saved in Malay at 1280 and 390 pixels under test-artifacts/ (malay-…-desktop/mobile.png).
"""

import functools
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from driftwood.accounts.models import User
from driftwood.core.catalogues import LOCALE_DIR, parse_po
from tests.core.test_i18n import placeholders_left, untranslated
from tests.e2e.helpers import WEBHOOK_WAIT_MS, elsewhere, log_in, screenshots
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.models import Registration
from wallet.models import LedgerEntry, TopUp

pytestmark = pytest.mark.browser

MALAY_PO = LOCALE_DIR / "ms" / "LC_MESSAGES" / "django.po"


@functools.cache
def _malay_catalogue() -> dict[str, str]:
    """The translated entries of the Malay .po (fuzzy and empty ones left out, as gettext does)."""
    return parse_po(MALAY_PO.read_text(encoding="utf-8"), str(MALAY_PO))


def malay(english: str, **values: str) -> str:
    """The Malay the page shows for `english` (a msgid, `%(name)s` placeholders filled from `values`)."""
    catalogue = _malay_catalogue()
    assert english in catalogue, f"{english!r} has no Malay translation in {MALAY_PO}"
    return catalogue[english] % values if values else catalogue[english]


def assert_all_malay(page) -> None:
    """Nothing on the page as it stands is English that the catalogue translates, and no template
    or format placeholder shows (tests/core/test_i18n.py's check, on the live page)."""
    english = {
        msgid
        for msgid, msgstr in _malay_catalogue().items()
        if msgid and msgstr != msgid and not any(mark in msgid for mark in ("\x04", "\0", "%(", "{", "<"))
    }
    html = page.content()
    assert untranslated(html, english) == [], page.url
    assert placeholders_left(html) == [], page.url


@pytest.fixture
def asgi_server(stripe_server):
    """conftest's server, registered as localstripe's webhook."""
    return stripe_server


def switch_to_malay(page, server: str, path: str) -> None:
    """Press "Bahasa Melayu" in the header: the same page comes back in Malay, its scripts running."""
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".site-header").get_by_role("button", name="Bahasa Melayu").click()
    expect(page.locator("html")).to_have_attribute("lang", "ms")
    expect(page).to_have_url(f"{server}{path}")
    # The page's deferred scripts (wallet.js, events.js) have run once the document has loaded:
    # before that, the top-up and join forms are not yet wired to the API.
    page.wait_for_load_state("load")


def balance(page):
    return page.locator('.balance-amount[data-balance="current_balance"]')


def start_top_up(page, amount: str, method: str, bank: str | None = None) -> None:
    """Fill the wallet page's top-up form in Malay and send it."""
    page.get_by_label(malay("Amount (RM)"), exact=True).fill(amount)
    page.get_by_label(malay(method), exact=True).check()
    if bank:
        page.get_by_label(malay("Your bank"), exact=True).select_option(label=bank)
    page.get_by_role("button", name=malay("Top up"), exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_in_malay_top_up_rm_30_by_fpx_and_see_the_new_balance(asgi_server, browser_page, browser_context):
    page = browser_page
    player = UserFactory(username="nurul_bm")
    log_in(page, asgi_server, player, "/wallet/")

    # given she switched the site to Bahasa Melayu from the header
    switch_to_malay(page, asgi_server, "/wallet/")
    expect(page.locator("h1")).to_have_text(malay("Your wallet"))
    assert_all_malay(page)
    assert User.objects.get(pk=player.pk).language == "ms"

    # when she tops up RM 30 by FPX from Maybank2u
    start_top_up(page, "30.00", "FPX online banking", bank="Maybank2u")

    # then the stand-in bank asks her, in Malay, to approve RM 30.00
    expect(page.get_by_role("heading", level=1)).to_have_text(malay("%(bank)s (test bank)", bank="Maybank2u"))
    expect(page.locator("[data-stand-in-amount]")).to_have_text("RM 30.00")
    assert_all_malay(page)
    page.get_by_role("button", name=malay("Approve"), exact=True).click()

    # and the return page says, in Malay, that RM 30.00 was added once the webhook is in
    topup = TopUp.objects.get(user=player)
    expect(page).to_have_url(re.compile(rf"/wallet/topups/{topup.pk}/\?payment_intent=.*redirect_status=succeeded"))
    expect(page.locator("h1")).to_have_text(malay("Top-up of %(amount)s", amount="RM 30.00"))
    expect(page.locator(".page-header")).to_contain_text(
        malay("Paid with FPX online banking (%(bank)s)", bank="Maybank2u")
    )
    result = page.locator("#topup-result")
    expect(result).to_contain_text(
        malay("%(amount)s was added to your wallet.", amount="RM 30.00"), timeout=WEBHOOK_WAIT_MS
    )
    expect(result.locator(".badge")).to_have_text(malay("Paid"))
    expect(result).to_contain_text(malay("Your balance:"))
    expect(result.locator('[data-balance="current_balance"]')).to_have_text("RM 30.00")
    assert_all_malay(page)

    # and her wallet shows the new balance and the top-up in its history
    page.get_by_role("link", name=malay("Back to your wallet")).click()
    expect(page.locator("h1")).to_have_text(malay("Your wallet"))
    expect(balance(page)).to_have_text("RM 30.00")
    history_row = page.locator("#history tbody tr").filter(has_text=malay("FPX top-up #%(id)s", id=str(topup.pk)))
    expect(history_row).to_contain_text(malay("Top-up"))
    expect(history_row).to_contain_text("+RM 30.00")
    assert_all_malay(page)
    assert TopUp.objects.get(pk=topup.pk).status == TopUp.Status.SUCCEEDED

    screenshots(browser_context, asgi_server, player, "/wallet/", "malay-wallet")
    screenshots(browser_context, asgi_server, player, f"/wallet/topups/{topup.pk}/", "malay-topup-return")


@pytest.mark.django_db(transaction=True)
def test_in_malay_top_up_rm_30_by_grabpay(asgi_server, browser_page):
    page = browser_page
    player = UserFactory(username="farid_bm")
    log_in(page, asgi_server, player, "/wallet/")
    switch_to_malay(page, asgi_server, "/wallet/")

    start_top_up(page, "30.00", "GrabPay")

    expect(page.get_by_role("heading", level=1)).to_have_text(malay("GrabPay (test e-wallet)"))
    expect(page.locator("[data-stand-in-amount]")).to_have_text("RM 30.00")
    page.get_by_role("button", name=malay("Approve"), exact=True).click()

    topup = TopUp.objects.get(user=player)
    expect(page).to_have_url(re.compile(rf"/wallet/topups/{topup.pk}/\?payment_intent=.*redirect_status=succeeded"))
    expect(page.locator(".page-header")).to_contain_text(malay("Paid with GrabPay"))
    result = page.locator("#topup-result")
    expect(result).to_contain_text(
        malay("%(amount)s was added to your wallet.", amount="RM 30.00"), timeout=WEBHOOK_WAIT_MS
    )
    expect(result.locator('[data-balance="current_balance"]')).to_have_text("RM 30.00")
    page.get_by_role("link", name=malay("Back to your wallet")).click()
    expect(balance(page)).to_have_text("RM 30.00")
    expect(page.locator("#history")).to_contain_text(malay("GrabPay top-up #%(id)s", id=str(topup.pk)))
    assert TopUp.objects.get(pk=topup.pk).status == TopUp.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_in_malay_a_declined_fpx_payment_says_so_plainly_and_changes_nothing(asgi_server, browser_page):
    made = {}

    def setup():
        made["player"] = player = UserFactory(username="hafiz_bm")
        funded_wallet(player, "50.00")

    elsewhere(setup)
    player = made["player"]
    ledger_before = list(LedgerEntry.objects.filter(wallet__owner=player).values_list("pk", flat=True))
    page = browser_page
    log_in(page, asgi_server, player, "/wallet/")
    switch_to_malay(page, asgi_server, "/wallet/")
    expect(balance(page)).to_have_text("RM 50.00")

    # when she declines an FPX top-up at CIMB Clicks
    start_top_up(page, "30.00", "FPX online banking", bank="CIMB Clicks")
    expect(page.get_by_role("heading", level=1)).to_have_text(malay("%(bank)s (test bank)", bank="CIMB Clicks"))
    page.get_by_role("button", name=malay("Decline"), exact=True).click()

    # then the return page says in Malay that nothing was charged or added, once the webhook is in
    topup = TopUp.objects.get(user=player)
    expect(page).to_have_url(re.compile(rf"/wallet/topups/{topup.pk}/\?payment_intent=.*redirect_status=failed"))
    declined = malay(
        "%(bank)s did not approve the payment, or it was cancelled. You have not been charged. "
        "Nothing was added to your wallet.",
        bank="CIMB Clicks",
    )
    expect(page.locator("#topup-result").get_by_role("alert")).to_have_text(declined, timeout=WEBHOOK_WAIT_MS)
    assert_all_malay(page)

    # and nothing changed: the balance, no ledger row, the top-up failed
    page.get_by_role("link", name=malay("Try again")).click()
    expect(page.locator("h1")).to_have_text(malay("Your wallet"))
    expect(balance(page)).to_have_text("RM 50.00")
    assert TopUp.objects.get(pk=topup.pk).status == TopUp.Status.FAILED
    assert list(LedgerEntry.objects.filter(wallet__owner=player).values_list("pk", flat=True)) == ledger_before
    assert not LedgerEntry.objects.filter(metadata__topup_id=topup.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_in_malay_pay_an_entry_fee_by_fpx_and_come_back_to_a_confirmed_place(
    asgi_server, browser_page, browser_context
):
    page = browser_page
    event = EventFactory(name="Piala FPX Kopitiam", entry_fee=Decimal("10.00"))
    player = UserFactory(username="zara_bm", display_name="Zara")
    log_in(page, asgi_server, player, f"/events/{event.pk}/")
    switch_to_malay(page, asgi_server, f"/events/{event.pk}/")

    # when she joins paying by FPX from Public Bank and approves at the bank
    entry = page.locator("#entry-panel")
    expect(entry.locator("legend")).to_have_text(malay("Pay %(fee)s with", fee="RM 10.00"))
    assert_all_malay(page)
    entry.get_by_label(malay("FPX online banking"), exact=True).check()
    entry.get_by_label(malay("Your bank"), exact=True).select_option(label="Public Bank")
    entry.get_by_role("button", name=malay("Join for %(fee)s", fee="RM 10.00")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(malay("%(bank)s (test bank)", bank="Public Bank"))
    expect(page.locator("[data-stand-in-amount]")).to_have_text("RM 10.00")
    page.get_by_role("button", name=malay("Approve"), exact=True).click()

    # then back on the event page her place is confirmed in Malay once the webhook is in
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/\?payment=\d+"))
    expect(entry).to_contain_text(
        malay("Your payment of %(amount)s went through: your place is confirmed.", amount="RM 10.00"),
        timeout=WEBHOOK_WAIT_MS,
    )
    status = entry.locator("[data-registration-status]")
    expect(status).to_have_attribute("data-registration-status", "confirmed")
    registered, in_ = malay("Registered"), malay("You're in.")
    expect(status).to_have_text(f"{registered} {in_}")
    expect(page.get_by_role("region", name=malay("Participants"))).to_contain_text("Zara")
    assert_all_malay(page)
    assert Registration.objects.get(event=event).status == Registration.Status.CONFIRMED

    screenshots(browser_context, asgi_server, player, f"/events/{event.pk}/", "malay-event")
