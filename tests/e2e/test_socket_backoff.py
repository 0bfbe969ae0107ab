"""Pages whose socket is refused because the server lost Redis (an `unavailable` frame, then close
4503) back off: each retry waits longer than the last, never less than the server's `retry_after`,
and the page goes live once the server takes the socket again.

The refusals come from a stand-in the test puts in front of the socket (Playwright's WebSocket
routes); the fourth attempt reaches the real server.
"""

import itertools
import json
import time

import pytest
from playwright.sync_api import expect

from chat.services import dm_open
from tests.e2e.conftest import RECONNECT_MIN_MS
from tests.e2e.helpers import log_in
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.browser

# The servers' pages start their backoff at RECONNECT_MIN_MS (1 s in production); the refusals ask
# for that much, as a server asking for its usual 1 s does of a page starting at 1 s.
FIRST_DELAY_SECONDS = RECONNECT_MIN_MS / 1000
RETRY_AFTER_SECONDS = FIRST_DELAY_SECONDS
REFUSALS = 3
UNAVAILABLE = {
    "type": "error",
    "code": "unavailable",
    "message": "Live updates are briefly unavailable. Reconnecting shortly.",
    "retry_after": RETRY_AFTER_SECONDS,
}


def refuse_then_pass(browser_context, pattern: str) -> list[float]:
    """Refuse the first REFUSALS sockets matching `pattern` as a server without Redis does; let the
    next ones through. Returns the (growing) list of attempt times."""
    attempts = []

    def handler(route):
        attempts.append(time.monotonic())
        if len(attempts) <= REFUSALS:
            route.send(json.dumps(UNAVAILABLE))
            route.close(code=4503, reason="unavailable")
        else:
            route.connect_to_server()

    browser_context.route_web_socket(pattern, handler)
    return attempts


def wait_for_attempts(page, attempts: list[float], count: int) -> None:
    deadline = time.monotonic() + 30
    while len(attempts) < count:
        assert time.monotonic() < deadline, f"only {len(attempts)} socket attempts"
        page.wait_for_timeout(20)


def assert_backed_off(attempts: list[float]) -> None:
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)][:REFUSALS]
    # 1, 2, 4 times the first delay, each +-25% jitter, never under the server's retry_after; 4503
    # keeps it growing.
    assert gaps[0] >= RETRY_AFTER_SECONDS * 0.95
    assert gaps[1] >= 1.5 * FIRST_DELAY_SECONDS * 0.95
    assert gaps[2] >= 3.0 * FIRST_DELAY_SECONDS * 0.95
    assert gaps[0] < gaps[2]


@pytest.mark.django_db(transaction=True)
def test_the_chat_page_backs_off_through_refusals_then_goes_live(asgi_server, browser_context):
    siti = UserFactory(username="siti_nur")
    aiman = UserFactory(allow_messages_from_anyone=True)
    room, _ = dm_open(user=siti, other_id=aiman.pk)
    attempts = refuse_then_pass(browser_context, "**/ws/chat/**")
    page = browser_context.new_page()

    log_in(page, asgi_server, siti, f"/chat/{room.room_id}/")
    expect(page.locator("[data-connection]")).to_contain_text("Reconnecting in")
    wait_for_attempts(page, attempts, REFUSALS + 1)

    expect(page.locator("[data-connection]")).to_have_text("Live updates on", timeout=15_000)
    assert_backed_off(attempts)


@pytest.mark.django_db(transaction=True)
def test_the_event_page_backs_off_through_refusals_then_goes_live(asgi_server, browser_context):
    event = EventFactory()
    attempts = refuse_then_pass(browser_context, "**/ws/events/**")
    page = browser_context.new_page()

    page.goto(f"{asgi_server}/events/{event.pk}/")
    wait_for_attempts(page, attempts, REFUSALS + 1)

    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "live", timeout=15_000)
    assert_backed_off(attempts)
