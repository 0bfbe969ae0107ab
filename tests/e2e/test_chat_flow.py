"""Two friends chat in real browsers against a real ASGI server (daphne, Redis channel layer).

Siti opens a DM with Aiman; Aiman opens it from his inbox. Each sees the other come online,
Aiman sees Siti typing, messages go both ways live, and Siti sees "Seen" once Aiman has read.
Then, while Aiman is on his inbox, Siti writes again: his inbox shows an unread badge, which
is gone after he has opened the room.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import expect

from chat.models import ChatMessage, RoomMember
from chat.services import dm_open, dm_room_id, message_post
from social.services import friend_request_send
from tests.e2e.helpers import log_in, new_context
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def befriend(a, b) -> None:
    """Make them friends from another thread: side effects after commit cannot run on Playwright's loop thread."""

    def both_ask():
        try:
            friend_request_send(requester=a, target_id=b.pk)
            friend_request_send(requester=b, target_id=a.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(both_ask).result()


def drop(page_side, server_side) -> None:
    """Cut a routed socket as a network failure would: the page sees code 1011, the server a close."""
    server_side.close()
    page_side.close(code=1011)


# Every close the page's sockets saw (code, reason, whether it was clean), in order: a failure's story.
RECORD_SOCKET_CLOSES = """
window.__socketCloses = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("close", (event) =>
      window.__socketCloses.push([event.code, event.reason, event.wasClean, performance.now()]),
    );
  }
};
"""


# Counts the history answers the page has read: its code awaiting one runs in the same turn as the
# count, before anything else the test asks of the page.
COUNT_HISTORY_ANSWERS = """() => {
  window.__historyAnswers = 0;
  const json = Response.prototype.json;
  Response.prototype.json = function () {
    return json.call(this).then((body) => {
      if (this.url.includes("/history")) window.__historyAnswers += 1;
      return body;
    });
  };
}"""


def send(page, text: str) -> None:
    box = page.get_by_label("Message", exact=True)
    box.press_sequentially(text, delay=20)
    box.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_friends_chat_live_with_typing_presence_and_unread_badges(asgi_server, browser_context, browser_page):
    # given two friends
    siti = UserFactory(username="siti_nur", display_name="Siti the Sniper")
    aiman = UserFactory(username="aiman", display_name="Aiman the Ace")
    befriend(siti, aiman)
    room_id = dm_room_id(siti.pk, aiman.pk)
    room_path = f"/chat/{room_id}/"

    # when Siti presses "Message" on Aiman's profile
    sitis = browser_page
    log_in(sitis, asgi_server, siti, "/chat/")
    expect(sitis.get_by_text("No chats yet.")).to_be_visible()
    sitis.goto(f"{asgi_server}/players/{aiman.pk}/")
    sitis.get_by_role("button", name="Message").click()

    # then she is in their room, connected
    expect(sitis).to_have_url(f"{asgi_server}{room_path}")
    expect(sitis.get_by_role("heading", level=1)).to_have_text("Aiman the Ace")
    expect(sitis.locator("[data-connection]")).to_have_text("Live updates on")
    expect(sitis.locator("[data-presence-for]")).to_have_attribute("data-online", "false")

    # when Aiman, in his own browser, opens the room from his inbox
    aiman_context = new_context(browser_context)
    aimans = aiman_context.new_page()
    log_in(aimans, asgi_server, aiman, "/chat/")
    aimans.get_by_role("link", name="Siti the Sniper").click()
    expect(aimans).to_have_url(f"{asgi_server}{room_path}")
    expect(aimans.locator("[data-connection]")).to_have_text("Live updates on")

    # then each sees the other online
    expect(aimans.locator("[data-presence-for]")).to_contain_text("Online")
    expect(sitis.locator("[data-presence-for]")).to_contain_text("Online")

    # when Siti types, Aiman sees it; when she sends, the message reaches both pages
    sitis_box = sitis.get_by_label("Message", exact=True)
    sitis_box.press_sequentially("Jom main Valorant malam ni?", delay=20)
    expect(aimans.locator("[data-typing]")).to_have_text("Siti the Sniper is typing…")
    sitis_box.press("Enter")
    aimans_messages = aimans.locator("[data-messages] .chat-message-text")
    sitis_messages = sitis.locator("[data-messages] .chat-message-text")
    expect(aimans_messages).to_have_text(["Jom main Valorant malam ni?"])
    expect(sitis_messages).to_have_text(["Jom main Valorant malam ni?"])
    expect(sitis_box).to_have_value("")
    expect(aimans.locator("[data-typing]")).to_have_text("")

    # and Aiman, reading it on an open page, shows Siti "Seen"; his reply reaches her
    expect(sitis.locator("[data-seen]")).to_be_visible()
    send(aimans, "Boleh! 9pm")
    expect(sitis_messages).to_have_text(["Jom main Valorant malam ni?", "Boleh! 9pm"])
    expect(aimans_messages).to_have_text(["Jom main Valorant malam ni?", "Boleh! 9pm"])
    expect(sitis.locator("[data-messages] .chat-message").last).not_to_have_class("chat-message is-mine")
    expect(aimans.locator("[data-messages] .chat-message").last).to_have_class("chat-message is-mine")

    # when Aiman goes back to his inbox and Siti writes again
    aimans.get_by_role("link", name="All chats").click()
    expect(sitis.locator("[data-presence-for]")).to_contain_text("Offline")
    send(sitis, "Jangan lambat!")
    expect(sitis_messages).to_have_count(3)

    # then his inbox shows one unread message in that room
    aimans.reload()
    row = aimans.locator(f'[data-room-id="{room_id}"]')
    expect(row.locator("[data-unread-count]")).to_have_text("1 unread")
    expect(row).to_contain_text("Jangan lambat!")

    # when he opens the room, the new message is there and the room is marked read
    with aimans.expect_response(lambda response: response.url.endswith(f"/api/v1/chat/{room_id}/read")) as read:
        row.get_by_role("link", name="Siti the Sniper").click()
    assert read.value.status == 200
    expect(aimans_messages).to_have_text(["Jom main Valorant malam ni?", "Boleh! 9pm", "Jangan lambat!"])

    # then back on his inbox the badge is gone
    aimans.get_by_role("link", name="All chats").click()
    expect(aimans.locator(f'[data-room-id="{room_id}"]')).to_be_visible()
    expect(aimans.locator(f'[data-room-id="{room_id}"] [data-unread-count]')).to_have_count(0)
    aiman_context.close()

    assert list(ChatMessage.objects.filter(room__room_id=room_id).order_by("pk").values_list("text", flat=True)) == [
        "Jom main Valorant malam ni?",
        "Boleh! 9pm",
        "Jangan lambat!",
    ]
    last = ChatMessage.objects.filter(room__room_id=room_id).latest("pk")
    assert RoomMember.objects.get(room__room_id=room_id, user=aiman).last_read_message_id == last.pk


@pytest.mark.django_db(transaction=True)
def test_a_dropped_socket_reconnects_and_catches_up_without_losing_or_repeating(asgi_server, browser_context):
    # given Siti on her DM with Aiman, her socket passing through a switch the test controls
    siti = UserFactory(username="siti_nur", display_name="Siti the Sniper")
    aiman = UserFactory(username="aiman", display_name="Aiman the Ace", allow_messages_from_anyone=True)
    room, _ = dm_open(user=siti, other_id=aiman.pk)
    message_post(room=room, sender=aiman, text="before the drop")
    sockets, refused = [], []
    offline = {"now": False}

    def switch(route):
        if offline["now"]:
            refused.append(route)
            route.close(code=1011)
        else:
            sockets.append((route, route.connect_to_server()))

    browser_context.route_web_socket("**/ws/chat/**", switch)
    browser_context.add_init_script(script=RECORD_SOCKET_CLOSES)
    page = browser_context.new_page()
    log_in(page, asgi_server, siti, f"/chat/{room.room_id}/")
    connection = page.locator("[data-connection]")
    texts = page.locator("[data-messages] .chat-message-text")
    expect(connection).to_have_text("Live updates on")

    # when the connection drops and stays down (one retry refused) while Aiman writes three messages
    offline["now"] = True
    drop(*sockets[-1])
    expect(connection).to_contain_text("Reconnecting in")
    for n in range(3):
        message_post(room=room, sender=aiman, text=f"while away {n}")
    while not refused:
        page.wait_for_timeout(20)
    offline["now"] = False

    # then the next retry gets through and the page shows what it missed, once, in order
    expect(connection).to_have_text("Live updates on", timeout=15_000)
    expected = ["before the drop", "while away 0", "while away 1", "while away 2"]
    expect(texts).to_have_text(expected)

    # when the socket drops again, and a message arrives live while the page's catch-up request is in flight
    held = []
    page.route("**/api/v1/chat/*/history*", lambda route: held.append(route))
    page.evaluate(COUNT_HISTORY_ANSWERS)
    drop(*sockets[-1])
    expect(connection).to_have_text("Live updates on", timeout=15_000)
    while not held:
        page.wait_for_timeout(20)
    send(page, "back again")
    expect(texts).to_have_text([*expected, "back again"])
    held[0].continue_()  # its answer holds "back again" too
    page.wait_for_function("() => window.__historyAnswers === 1")

    # then nothing is shown twice
    expect(texts).to_have_text([*expected, "back again"])
    # (one socket per drop: the page's closes say why if another was opened)
    assert len(sockets) == 3, page.evaluate("() => window.__socketCloses")


@pytest.mark.django_db(transaction=True)
def test_scrolling_up_loads_older_history_in_order(asgi_server, browser_page):
    # given a room with 120 messages, of which the page renders the newest 50
    siti = UserFactory(username="siti_nur")
    aiman = UserFactory(allow_messages_from_anyone=True)
    room, _ = dm_open(user=siti, other_id=aiman.pk)
    ChatMessage.objects.bulk_create(ChatMessage(room=room, sender=aiman, text=f"m{n:03d}") for n in range(120))
    page = browser_page
    log_in(page, asgi_server, siti, f"/chat/{room.room_id}/")
    texts = page.locator("[data-messages] .chat-message-text")
    expect(texts).to_have_count(50)
    expect(texts.last).to_have_text("m119")

    # when she scrolls to the top until nothing older is left
    scroller = page.locator("[data-scroll]")
    for expected in (100, 120):
        scroller.evaluate("element => { element.scrollTop = 0; }")
        expect(texts).to_have_count(expected)

    # then every message is there once, oldest first, and the "older" button is gone
    expect(texts).to_have_text([f"m{n:03d}" for n in range(120)])
    expect(page.get_by_role("button", name="Load older messages")).to_be_hidden()
