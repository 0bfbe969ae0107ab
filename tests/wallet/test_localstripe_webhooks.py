"""A test server hears localstripe's events only while it is registered as the webhook.

localstripe posts each event a second after it happens, to every registered endpoint, reading the
registrations when it posts. The browser tests' server lives on after each test: had it stayed
registered, a later test's payment at the same localstripe would be written by that server into
the database under the later test (seen: a webhook test counting seven events where it made one).
"""

import json

import pytest

from tests.local_http import LocalHttpServer, QuietHandler
from tests.services import eventually
from tests.wallet.stripe_support import paid_intent, register_webhook, registered_webhook


def _receiver() -> tuple[LocalHttpServer, list[str]]:
    """A webhook endpoint that notes the intent of each payment_intent.succeeded it is sent."""
    intents: list[str] = []

    class Receiver(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if event["type"] == "payment_intent.succeeded":
                intents.append(event["data"]["object"]["id"])
            self.send_response(200)
            self.end_headers()

    return LocalHttpServer(Receiver), intents


@pytest.fixture
def witness():
    """A second endpoint, registered throughout. localstripe posts to the endpoints one after the
    other in the order they were first registered, the test servers' first (registered here if no
    test has yet), so once the witness has an event the test server got it or never will."""
    server, intents = _receiver()
    with server:
        register_webhook(server.url, events=[])
        register_webhook(server.url, endpoint_id="witness")
        yield intents
        register_webhook(server.url, events=[], endpoint_id="witness")


def test_a_server_hears_the_payments_made_while_registered_and_none_after(witness):
    server, heard = _receiver()
    with server:
        with registered_webhook(server.url):
            during = paid_intent("10.00")
            assert during in eventually(lambda: list(witness), until=lambda seen: during in seen)
            assert during in heard

        after = paid_intent("10.00")
        assert after in eventually(lambda: list(witness), until=lambda seen: after in seen)
        assert after not in heard
