"""Steps the browser tests share."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD
from tests.wallet.stripe_support import THREE_D_SECURE_CARD

# How long a page may wait for Stripe's webhook (localstripe posts it about a second after payment).
WEBHOOK_WAIT_MS = 20_000


def log_in(page, server: str, username: str, next_path: str) -> None:
    """Log in through the site's form as a user created with TEST_PASSWORD and land on `next_path`."""
    page.goto(f"{server}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server}{next_path}")


def type_card(page, *, postal_code: str, number: str = THREE_D_SECURE_CARD) -> None:
    """Type a test card into the page's card element (localstripe's stand-in has one input per field)."""
    card = page.get_by_role("group", name="Card details")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill(postal_code)


def elsewhere(work) -> None:
    """Run service calls from another thread: broadcasts after commit cannot run on Playwright's loop thread."""

    def run():
        try:
            work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()
