"""A deploy restarts the WebSocket server under an open page: the page says it is reconnecting,
gets back on its own once the new server answers, and shows what happened meanwhile.

The server is the one `make serve` runs (`services.start_websocket_server`), serving the page too;
its SIGTERM ends the page's socket (uvicorn: code 1012; daphne, before: no close frame, 1006; see
tests/core/test_websocket_shutdown.py) and static/js/shared/live-socket.js retries.

The stop comes once the page's own HTTP request (the re-read when its socket opens) is answered:
daphne stopped with a Django request in flight that crosses from sync to async code never exited
(README "Deploys"); the test keeps that order whichever server runs.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests import services
from tests.e2e.conftest import PAGE_WAITS
from tests.e2e.test_event_flow import join_elsewhere
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.browser
# As the session's servers (tests/e2e/conftest.py, Servers): plain static URLs, short page waits.
SERVER_ENV = {"STATIC_MANIFEST": "false", "DJANGO_ALLOW_ASYNC_UNSAFE": "", **PAGE_WAITS}


@pytest.mark.django_db(transaction=True)
def test_a_page_reconnects_by_itself_after_the_websocket_server_restarts(stable_content_types, browser_page):
    # given a visitor on an event page, live
    event = EventFactory(name="Ipoh Rocket League Cup", entry_fee=Decimal("0.00"), max_participants=4)
    server, url = services.start_websocket_server(**SERVER_ENV)
    port = int(url.rsplit(":", 1)[1])
    restarted = None
    try:
        page = browser_page
        # (its socket's opening re-reads the event: answered before the stop, see the module's note)
        with page.expect_response(lambda response: response.url.endswith(f"/api/v1/events/{event.pk}")):
            page.goto(f"{url}/events/{event.pk}/")
        connection = page.locator("[data-connection]")
        expect(connection).to_have_text("Live updates on")

        # when the server is stopped for a deploy
        server.terminate()
        server.wait(timeout=30)
        assert services.websocket_server_stopped_cleanly(server), services.server_log(server)

        # then the page says it is reconnecting
        expect(connection).to_have_attribute("data-state", "reconnecting")

        # when a player joins meanwhile, and the new release's server starts
        join_elsewhere(event, UserFactory(display_name="Mei Ling"))
        restarted, _ = services.start_websocket_server(port, **SERVER_ENV)

        # then the page is live again by itself, and shows the join it missed
        expect(connection).to_have_text("Live updates on", timeout=15_000)
        expect(page.locator("#entry-count")).to_contain_text("1 of 4 confirmed")
        expect(page.get_by_role("region", name="Participants")).to_contain_text("Mei Ling")
    finally:
        services.stop(server)
        if restarted is not None:
            services.stop(restarted)
