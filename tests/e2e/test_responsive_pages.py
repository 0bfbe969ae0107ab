"""The money and bracket pages on a phone (390 x 844) and a desktop (1280 wide), in a real browser.

On the phone nothing is wider than the screen: the wallet's withdrawals and history, the bracket's
rounds and the standings are stacked rows, not tables that scroll sideways. Each page is also
saved as a screenshot, desktop and phone, under test-artifacts/screens/ (git-ignored) for a person
to look at. The 3-D Secure prompt of the card step opens in the middle of the phone's screen,
above the sticky header.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from driftwood.core.stored_text import StoredText
from tests.e2e.conftest import ARTIFACTS, DESKTOP, MOBILE
from tests.e2e.helpers import WEBHOOK_WAIT_MS, elsewhere, give_session, new_context, type_card
from tests.factories import EventFactory, UserFactory, funded_wallet, wallet_receive, wallet_spend
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Event, Match
from tournaments.services.registrations import registration_join
from wallet.services.bank_accounts import bank_account_set
from wallet.services.withdrawals import withdrawal_request

pytestmark = pytest.mark.browser

PHONE = MOBILE
SCREENS = ARTIFACTS / "screens"

# Anything on the page that scrolls sideways inside itself, or sticks out of the screen.
SIDEWAYS = """() => {
  const wide = [];
  const name = (element) => `${element.tagName.toLowerCase()}.${element.className}`;
  if (document.documentElement.scrollWidth > window.innerWidth) {
    wide.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
  }
  document.querySelectorAll("main *").forEach((element) => {
    for (let up = element; up; up = up.parentElement) {
      if (getComputedStyle(up).clip !== "auto") return;  // visually hidden, read by screen readers only
    }
    if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== "visible") {
      wide.push(`${name(element)} scrolls ${element.scrollWidth} > ${element.clientWidth}`);
    }
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > window.innerWidth + 1 || box.left < -1)) {
      wide.push(`${name(element)} sticks out (${box.left}..${box.right})`);
    }
  });
  return wide;
}"""


def new_page(browser_context, server: str, user, viewport: dict):
    context = new_context(browser_context, viewport)
    if user is not None:
        give_session(context, server, user)
    return context.new_page()


def a_player_with_history():
    """A player with a long wallet history (long descriptions, big amounts) and two withdrawals."""
    player = UserFactory(username="siti_nur", display_name="Siti the Sniper")
    wallet = funded_wallet(player, "12500.00")
    bank_account_set(
        user=player, bank_name="Malayan Banking Berhad", account_number="1234567890", account_holder_name="Siti Nur"
    )
    # Described as the services describe new rows (in each reader's language).
    wallet_receive(
        wallet,
        "1500.00",
        transaction_type="prize",
        description=StoredText(
            "Prize for place %(place)s in %(event)s", place=1, event="Kuala Lumpur Winter Championship 2026"
        ),
    )
    wallet_spend(
        wallet,
        "25.00",
        description=StoredText("Entry fee: %(event)s", event="Kuching Kites Invitational, double elimination"),
    )
    for amount in ("250.00", "4999.99"):
        withdrawal_request(user=player, amount=Decimal(amount), ip="127.0.0.1", user_agent="test")
    return player


def a_started_event(format_: str, count: int, name: str) -> Event:
    event = EventFactory(
        name=name, format=format_, entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=count
    )
    for n in range(count):
        player = UserFactory(display_name=f"Player with a long name {n + 1}")
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    # the first round played, so scores and winners show
    for match in Match.objects.filter(event=event, round=1, entry_a__isnull=False, entry_b__isnull=False):
        match_report(match_id=match.pk, actor=event.organizer, score_a=2, score_b=1)
    return event


@pytest.mark.django_db(transaction=True)
def test_money_and_bracket_pages_fit_a_phone_and_are_saved_as_screenshots(asgi_server, browser_context):
    made = {}

    def setup():
        made["player"] = a_player_with_history()
        made["double"] = a_started_event(Event.Format.DOUBLE_ELIMINATION, 8, "Kuala Lumpur Winter Championship 2026")
        made["swiss"] = a_started_event(Event.Format.SWISS, 6, "Penang Swiss Open")

    elsewhere(setup)
    player, double, swiss = made["player"], made["double"], made["swiss"]
    pages = {
        "wallet": (player, "/wallet/"),
        "event-detail": (None, f"/events/{double.pk}/"),
        "bracket": (None, f"/events/{double.pk}/bracket/"),
        "standings": (None, f"/events/{swiss.pk}/bracket/"),
    }
    SCREENS.mkdir(parents=True, exist_ok=True)
    too_wide = {}

    for size, viewport in (("desktop-1280", DESKTOP), ("mobile-390", PHONE)):
        for name, (user, path) in pages.items():
            page = new_page(browser_context, asgi_server, user, viewport)
            page.goto(f"{asgi_server}{path}")
            expect(page.locator("h1")).to_be_visible()
            if name != "wallet":
                expect(page.locator("[data-connection]")).to_have_attribute("data-state", "live")
            page.screenshot(path=SCREENS / f"{name}-{size}.png", full_page=True)

            # then on the phone nothing is wider than the screen, nor scrolls sideways inside it
            if viewport is PHONE:
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert width[0] <= width[1], f"{name} at 390 px: {width}"
                too_wide[name] = page.evaluate(SIDEWAYS)
            page.context.close()
    assert too_wide == {name: [] for name in pages}

    # and the stacked rows still say what each value is
    page = new_page(browser_context, asgi_server, player, PHONE)
    page.goto(f"{asgi_server}/wallet/")
    history_row = page.locator("#history tbody tr").first
    expect(history_row.locator('td[data-label="Amount"]')).to_be_visible()
    assert "Amount" in page.evaluate(
        "(cell) => getComputedStyle(cell, '::before').content",
        history_row.locator('td[data-label="Amount"]').element_handle(),
    )
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_3d_secure_prompt_opens_on_screen_above_the_sticky_header_on_a_phone(stripe_server, browser_context):
    player = UserFactory(username="jun_wei")
    page = new_page(browser_context, stripe_server, player, PHONE)
    page.goto(f"{stripe_server}/wallet/")

    # when the player tops up with a 3-D Secure card, the page scrolled so that the stand-in's prompt
    # (placed at half the first screen's height) would open just under the sticky header
    page.get_by_label("Amount (RM)").fill("20.00")
    type_card(page, postal_code="50000")
    page.evaluate("window.scrollTo(0, 360)")
    page.evaluate("document.getElementById('topup-form').requestSubmit()")

    # then the whole prompt is inside the screen, below the header, its buttons on top and its words readable
    confirm = page.get_by_role("button", name="Complete authentication")
    expect(confirm).to_be_visible()
    prompt = page.evaluate(
        """(button) => {
          const box = button.parentElement.getBoundingClientRect();
          const header = document.querySelector(".site-header").getBoundingClientRect();
          return {top: box.top, bottom: box.bottom, left: box.left, right: box.right, header: header.bottom,
                  text: getComputedStyle(button.parentElement.querySelector("p")).color};
        }""",
        confirm.element_handle(),
    )
    assert prompt["top"] >= prompt["header"], prompt
    assert prompt["bottom"] <= PHONE["height"], prompt
    assert prompt["left"] >= 0, prompt
    assert prompt["right"] <= PHONE["width"], prompt
    assert prompt["text"] == "rgb(17, 17, 17)", prompt
    box = confirm.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).textContent",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Complete authentication"
    page.screenshot(path=SCREENS / "wallet-3d-secure-mobile-390.png")
    confirm.click()
    # (not a passing "Confirming..." state, which a quick webhook replaces before it can be seen)
    expect(page.locator("[data-topup-status]")).to_contain_text("RM 20.00 added", timeout=WEBHOOK_WAIT_MS)
    page.context.close()
