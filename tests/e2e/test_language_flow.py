"""Bahasa Melayu in a real browser: the switcher in the footer and the header, the choice kept over a
reload and a log-in, and the wallet and event pages in Malay on a desktop (1280) and a phone (390),
saved under test-artifacts/screens/ (…-ms-…png) for a person to look at, with nothing wider than
the phone's screen (longer Malay words must not push the layout sideways)."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import expect

from driftwood.accounts.models import User
from tests.e2e.conftest import DESKTOP
from tests.e2e.helpers import elsewhere
from tests.e2e.test_responsive_pages import PHONE, SCREENS, SIDEWAYS, a_player_with_history, a_started_event, new_page
from tests.factories import TEST_PASSWORD, UserFactory
from tournaments.models import Event

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_switch_to_malay_and_back_the_choice_survives_a_reload_and_logging_in(asgi_server, browser_page):
    made = {}

    # Hashed as the server checks it (the tests' own hasher is a fast one the server does not know).
    def setup():
        hasher = PBKDF2PasswordHasher()
        player = UserFactory(username="aiman_bm")
        player.password = hasher.encode(TEST_PASSWORD, hasher.salt())
        player.save(update_fields=["password"])
        made["player"] = player

    elsewhere(setup)
    page = browser_page

    page.goto(f"{asgi_server}/events/")
    expect(page.locator("h1")).to_have_text("Events")
    page.locator(".site-footer").get_by_role("button", name="Bahasa Melayu").click()
    expect(page).to_have_url(f"{asgi_server}/events/")
    expect(page.locator("h1")).to_have_text("Kejohanan")
    expect(page.locator("html")).to_have_attribute("lang", "ms")

    page.reload()
    expect(page.locator("h1")).to_have_text("Kejohanan")

    page.goto(f"{asgi_server}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Log masuk")
    page.get_by_label("Nama pengguna").fill("aiman_bm")
    page.get_by_label("Kata laluan").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="Log masuk").click()
    expect(page).to_have_url(f"{asgi_server}/")
    expect(page.get_by_role("heading", name="Perlawanan seterusnya")).to_be_visible()
    assert User.objects.get(pk=made["player"].pk).language == "ms"

    # Back to English from the header, stored on the account and kept after a reload and a new session.
    page.locator(".site-header").get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Next match")).to_be_visible()
    assert User.objects.get(pk=made["player"].pk).language == "en"
    page.context.clear_cookies()
    page.goto(f"{asgi_server}/accounts/login/")
    page.get_by_label("Username").fill("aiman_bm")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Next match")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_wallet_and_event_pages_in_malay_fit_a_phone_and_are_saved_as_screenshots(asgi_server, browser_context):
    made = {}

    def setup():
        player = a_player_with_history()
        player.language = "ms"
        player.save(update_fields=["language"])
        made["player"] = player
        made["event"] = a_started_event(Event.Format.DOUBLE_ELIMINATION, 8, "Kejohanan Musim Sejuk Kuala Lumpur 2026")

    elsewhere(setup)
    player, event = made["player"], made["event"]
    pages = {"wallet": (player, "/wallet/"), "event-detail": (None, f"/events/{event.pk}/")}
    SCREENS.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    for size, viewport in (("desktop-1280", DESKTOP), ("mobile-390", PHONE)):
        for name, (user, path) in pages.items():
            page = new_page(browser_context, asgi_server, user, viewport)
            page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ms", "url": asgi_server}])
            page.goto(f"{asgi_server}{path}")
            expect(page.locator("html")).to_have_attribute("lang", "ms")
            expect(page.locator("h1")).to_be_visible()
            page.screenshot(path=SCREENS / f"{name}-ms-{size}.png", full_page=True)
            if viewport is PHONE:
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert width[0] <= width[1], f"{name} at 390 px: {width}"
                too_wide[name] = page.evaluate(SIDEWAYS)
            page.context.close()
    assert too_wide == {name: [] for name in pages}
