"""Steps the browser tests share."""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, CONTEXT_OPTIONS, DESKTOP, MOBILE
from tests.wallet.stripe_support import THREE_D_SECURE_CARD

# How long a page may wait for Stripe's webhook (localstripe posts it about a second after payment).
WEBHOOK_WAIT_MS = 20_000


def give_session(context, server: str, user) -> None:
    """Log the browser context in as `user`: a session made as the log-in form makes it (`login()`,
    its signals included), handed to the browser as its session cookie.

    For the tests that are not about logging in (tests/e2e/test_accounts_flow.py is): no form, and
    no password hashed on either side."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": session.key, "value": session.value, "url": server}])


def log_in(page, server: str, user, next_path: str) -> None:
    """Open `next_path` logged in as `user` (`give_session`)."""
    give_session(page.context, server, user)
    page.goto(f"{server}{next_path}")
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


def new_context(browser_context, viewport: dict = DESKTOP, **options):
    """Another browser (its own cookies) in the shared chromium, as players in Malaysia see it."""
    context = browser_context.browser.new_context(viewport=viewport, **{**CONTEXT_OPTIONS, **options})
    context.set_default_timeout(10_000)
    return context


def screenshot(page, name: str) -> None:
    """A full-page screenshot in test-artifacts/ (kept by CI, looked at by eye)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def screenshots(browser_context, server: str, user, path: str, name: str) -> None:
    """The page at `path` as `user` sees it, at desktop and mobile widths (`<name>-desktop.png`, ...)."""
    for label, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
        context = new_context(browser_context, viewport)
        give_session(context, server, user)
        page = context.new_page()
        page.goto(f"{server}{path}")
        screenshot(page, f"{name}-{label}")
        context.close()
