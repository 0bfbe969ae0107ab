"""ws/events/<id>/ through the real ASGI application: who may listen, and what they hear."""

import asyncio
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from driftwood.asgi import application
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments import notifications
from tournaments.models import Event
from tournaments.services.events import event_cancel
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = (b"origin", b"http://127.0.0.1")
TIMEOUT = 5


def socket(event_id: int, user=None) -> WebsocketCommunicator:
    query = f"?token={AccessToken.for_user(user)}" if user is not None else ""
    return WebsocketCommunicator(application, f"/ws/events/{event_id}/{query}", headers=[SAME_ORIGIN])


@async_to_sync
async def close_code(path: str) -> int | None:
    """Connect and report the code the server closed with (None if it kept the socket open)."""
    communicator = WebsocketCommunicator(application, path, headers=[SAME_ORIGIN])
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    if await communicator.receive_nothing(timeout=0.5):
        await communicator.disconnect()
        return None
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close"
    return output["code"]


@async_to_sync
async def listen_while(event_id: int, action, *, user=None) -> dict:
    """Connect, run `action` (sync, on the database) and return the first frame it caused."""
    communicator = socket(event_id, user)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    await database_sync_to_async(action)()
    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    await communicator.disconnect()
    return frame


def test_a_join_is_broadcast_with_the_new_confirmed_count():
    # given an open event with one confirmed player, and an anonymous listener
    event = EventFactory(entry_fee=Decimal("10.00"))
    first, second = UserFactory(), UserFactory()
    for player in (first, second):
        funded_wallet(player, "10.00")
    registration_join(event_id=event.pk, user=first)

    # when a second player joins
    frame = listen_while(event.pk, lambda: registration_join(event_id=event.pk, user=second))

    # then the listener hears the new count
    assert frame["type"] == "event.update"
    assert frame["event_id"] == event.pk
    assert frame["change"] == "registration"
    assert frame["status"] == "registration_open"
    assert (frame["confirmed_count"], frame["pending_count"]) == (2, 0)


def test_a_cancellation_is_broadcast_with_the_new_status():
    event = EventFactory()

    frame = listen_while(
        event.pk, lambda: event_cancel(event_id=event.pk, actor=event.organizer, penalty_percent=Decimal(0))
    )

    assert (frame["change"], frame["status"]) == ("status", "cancelled")


def test_the_organizer_may_listen_to_their_draft():
    draft = EventFactory(status=Event.Status.DRAFT, published_at=None)

    frame = listen_while(draft.pk, lambda: notifications.event_changed(draft), user=draft.organizer)

    assert (frame["event_id"], frame["status"]) == (draft.pk, "draft")


def test_a_draft_is_closed_to_everyone_else():
    draft = EventFactory(status=Event.Status.DRAFT, published_at=None)
    stranger = UserFactory()

    assert close_code(f"/ws/events/{draft.pk}/") == 4404
    assert close_code(f"/ws/events/{draft.pk}/?token={AccessToken.for_user(stranger)}") == 4404


def test_an_unknown_event_is_closed_with_4404():
    assert close_code("/ws/events/987654/") == 4404


def test_a_bad_token_is_closed_with_4401():
    event = EventFactory()

    assert close_code(f"/ws/events/{event.pk}/?token=not-a-token") == 4401


def test_a_visible_event_keeps_the_socket_open():
    event = EventFactory()

    assert close_code(f"/ws/events/{event.pk}/") is None


@async_to_sync
async def reply_to(event_id: int, frame: dict) -> dict:
    communicator = socket(event_id)
    await communicator.connect(timeout=TIMEOUT)
    await communicator.send_json_to(frame)
    reply = await communicator.receive_json_from(timeout=TIMEOUT)
    await communicator.disconnect()
    return reply


def test_the_socket_is_listen_only():
    event = EventFactory()

    assert reply_to(event.pk, {"type": "ping"}) == {
        "type": "error",
        "code": "invalid",
        "message": "This socket only sends event updates.",
    }


def test_a_socket_opens_only_once_it_hears_the_event(monkeypatch):
    """Pages re-read their state when the socket opens: an update sent right after must reach them."""
    event = EventFactory()
    layer = get_channel_layer()
    join = layer.group_add

    async def slow_join(group, channel):
        await asyncio.sleep(0.3)  # a busy server
        await join(group, channel)

    monkeypatch.setattr(layer, "group_add", slow_join)

    @async_to_sync
    async def update_right_after_opening() -> dict:
        communicator = socket(event.pk)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        await layer.group_send(notifications.event_group(event.pk), {"type": "event.update", "change": "bracket"})
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return frame

    assert update_right_after_opening() == {"type": "event.update", "change": "bracket"}
