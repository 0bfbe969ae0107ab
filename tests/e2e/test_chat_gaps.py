"""A frame the channel layer drops is noticed by the gap in the room's seqs and fetched from history.

channels-redis drops frames past its capacity (a busy CPU); nothing tells the page. Here the test
stands in for the layer: it routes the page's socket and swallows one `message` frame on its way
to the browser. The next frame's seq skips one, so the page asks history for what follows the last
seq it holds, and shows the missing message once, in its place.
"""

import json

import pytest
from playwright.sync_api import expect

from chat.services import dm_open, message_post
from tests.e2e.helpers import log_in
from tests.e2e.test_chat_flow import COUNT_HISTORY_ANSWERS, send
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

LOST = "lost in the layer"


@pytest.mark.django_db(transaction=True)
def test_a_frame_dropped_on_the_way_is_fetched_and_shown_once_in_order(asgi_server, browser_context):
    # given Siti on her DM with Aiman, and a layer that loses the frame of one message
    siti = UserFactory(username="siti_nur")
    aiman = UserFactory(username="aiman", allow_messages_from_anyone=True)
    room, _ = dm_open(user=siti, other_id=aiman.pk)
    message_post(room=room, sender=aiman, text="before")
    swallowed = []

    def lossy_layer(route):
        server = route.connect_to_server()

        def to_page(message):
            frame = json.loads(message)
            if frame.get("type") == "message" and frame.get("message") == LOST:
                swallowed.append(frame)
                return
            route.send(message)

        server.on_message(to_page)

    browser_context.route_web_socket("**/ws/chat/**", lossy_layer)
    page = browser_context.new_page()
    log_in(page, asgi_server, siti, f"/chat/{room.room_id}/")
    expect(page.locator("[data-connection]")).to_have_text("Live updates on")
    texts = page.locator("[data-messages] .chat-message-text")
    expect(texts).to_have_text(["before"])
    page.evaluate(COUNT_HISTORY_ANSWERS)

    # when a message's frame is lost and the next one arrives
    send(page, LOST)
    send(page, "after the gap")

    # then the page fetched the missing one and shows all three once, in order
    expect(texts).to_have_text(["before", LOST, "after the gap"])
    assert [frame["seq"] for frame in swallowed] == [2]
    assert page.evaluate("() => window.__historyAnswers") >= 1
    assert [
        int(seq)
        for seq in page.locator("[data-messages] [data-seq]").evaluate_all(
            "items => items.map((item) => item.dataset.seq)"
        )
    ] == [1, 2, 3]
