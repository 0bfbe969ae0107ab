"""ws/chat/<room_id>: a room's live messages, typing indicators, read receipts and presence.

A refused socket is accepted, then closed, so that browsers see the close code: 4401 for a
missing or bad token, 4403 for a room the player does not belong to. Frames are handled one at a
time per socket; a bad one gets an `error` frame (in the player's language) and the socket stays
open. Database work goes through `database_sync_to_async`; Redis-only work (presence, typing) runs
in threads of its own so it never queues behind database calls.

Beyond the contract's frames: on joining, a socket is sent a `presence` frame (online) for each
member already online, and a `read` frame may carry `up_to` (a message id) to read only that far.
Players are not sent their own presence or typing frames.
"""

import asyncio
import json
import logging

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from chat import presence
from chat.exceptions import InvalidMessage, RoomNotFound
from chat.mirror import message_document
from chat.models import ChatRoom, RoomMember
from chat.services import can_access, clean_text, message_post, room_for, room_mark_read, room_member_ids
from chat.tasks import message_posted
from driftwood.core import parsers, ratelimit
from driftwood.core.websocket import UserSocketMixin

logger = logging.getLogger("driftwood.chat")

CLOSE_BAD_TOKEN = 4401
CLOSE_FORBIDDEN = 4403
# Flood control: more than 10 messages in 5 s from one player (all sockets, all processes) are dropped.
MESSAGE_RATE = ratelimit.Rate(limit=10, period=5)
PRESENCE_SNAPSHOT_MAX = 500
RATE_LIMITED = "rate_limited"
FORBIDDEN = "permission_denied"


@database_sync_to_async
def _join(user_id: int, room_id: str) -> ChatRoom | None:
    try:
        return room_for(user_id=user_id, room_id=room_id)
    except RoomNotFound:
        return None


@database_sync_to_async
def _still_member(user_id: int, room_id: str) -> bool:
    return can_access(user_id=user_id, room_id=room_id)


@database_sync_to_async
def _others_online(room_pk: int, user_id: int) -> list[int]:
    members = RoomMember.objects.filter(room_id=room_pk).exclude(user_id=user_id)
    members = members.order_by(F("last_read_at").desc(nulls_last=True))
    return sorted(presence.online(members.values_list("user_id", flat=True)[:PRESENCE_SNAPSHOT_MAX]))


@database_sync_to_async
def _post(user, room: ChatRoom, text: str) -> dict | str:
    """Save a message and queue its pushes and mirror copy: the frame to broadcast, or an error code.

    One database statement (`message_post`): flood control and presence live in Redis, and who
    belongs to the room comes from an exactly invalidated cache (`room_member_ids`)."""
    if ratelimit.hit("chat_message", str(user.pk), MESSAGE_RATE).exceeded:
        return RATE_LIMITED
    members = room_member_ids(room_id=room.room_id)
    if user.pk not in members:
        return FORBIDDEN
    message = message_post(room=room, sender=user, text=text)
    recipients = members - {user.pk}
    message_posted(message=message, offline_user_ids=recipients - presence.online(recipients))
    return {"type": "message", **message_document(message)}


@database_sync_to_async
def _mark_read(user, room_id: str, up_to: int | None) -> int:
    room = ChatRoom.objects.get(room_id=room_id)
    return room_mark_read(room=room, user=user, up_to=up_to)


def _redis_call(function):
    return sync_to_async(function, thread_sensitive=False)


class ChatConsumer(UserSocketMixin, AsyncJsonWebsocketConsumer):
    room: ChatRoom | None = None
    room_id: str | None = None
    room_pk: int | None = None
    user = None
    typing = False
    heartbeat_task: asyncio.Task | None = None
    typing_task: asyncio.Task | None = None

    async def connect(self):
        user = self.scope.get("user")
        if self.scope.get("auth_error") or user is None or not user.is_authenticated:
            await self._refuse(CLOSE_BAD_TOKEN)
            return
        room = await _join(user.pk, self.scope["url_route"]["kwargs"]["room_id"])
        if room is None:
            await self._refuse(CLOSE_FORBIDDEN)
            return
        self.user, self.room, self.room_id, self.room_pk = user, room, room.room_id, room.pk
        # Subscribed before accepted: a client that catches up from history once open (`after_seq`)
        # misses nothing sent after its read.
        await self.channel_layer.group_add(presence.chat_group(self.room_id), self.channel_name)
        await self.accept()
        if await _redis_call(presence.connection_opened)(user_id=user.pk, connection_id=self.channel_name):
            await presence.presence_broadcast(user_id=user.pk, online=True)
        for other_id in await _others_online(self.room_pk, user.pk):
            await self.send_json({"type": "presence", "user_id": other_id, "online": True})
        self.heartbeat_task = asyncio.create_task(self._heartbeat())

    async def dispatch(self, message):
        """A room's fan-out (`chat.*` events, one per member socket per message) only sends frames:
        it skips the hop to a thread that Channels makes before every handler to close stale
        database connections (every database call here goes through `database_sync_to_async`,
        which does that itself). The hop was the largest cost of a delivered frame (bench/chat.py)."""
        if message["type"].startswith("chat."):
            await getattr(self, get_handler_name(message))(message)
        else:
            await super().dispatch(message)

    async def _refuse(self, code: int):
        """Accepted, then closed: browsers see the close code only on an accepted socket."""
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code):
        if self.room_id is None:
            return
        for task in (self.heartbeat_task, self.typing_task):
            if task is not None:
                task.cancel()
        await self.channel_layer.group_discard(presence.chat_group(self.room_id), self.channel_name)
        if self.typing:
            await self._typing(False)
        if await _redis_call(presence.connection_closed)(user_id=self.user.pk, connection_id=self.channel_name):
            await presence.presence_broadcast(user_id=self.user.pk, online=False)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.room_id is None:
            return  # refused sockets take no frames
        try:
            content = parsers.loads(text_data) if text_data is not None else None
        except parsers.MalformedJSON:
            content = None
        if not isinstance(content, dict):
            await self.send_error("invalid", _('Send a JSON object with a "type".'))
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        handlers = {"message": self._on_message, "typing": self._on_typing, "read": self._on_read}
        handler = handlers.get(content.get("type"))
        if handler is None:
            await self.send_error("invalid", _('Unknown frame "type": use "message", "typing" or "read".'))
            return
        await handler(content)

    async def _on_message(self, content: dict):
        try:
            text = clean_text(content.get("message"))
        except InvalidMessage as exc:
            await self.send_error("invalid", exc.message)
            return
        result = await _post(self.user, self.room, text)
        if result == RATE_LIMITED:
            await self.send_error(RATE_LIMITED, _("Too many messages: wait a few seconds."))
        elif result == FORBIDDEN:
            await self.close(code=CLOSE_FORBIDDEN)
        else:
            # Encoded once here, not once per member socket.
            await self.channel_layer.group_send(
                presence.chat_group(self.room_id), {"type": "chat.message", "text": json.dumps(result)}
            )

    async def _on_typing(self, content: dict):
        is_typing = content.get("is_typing")
        if not isinstance(is_typing, bool):
            await self.send_error("invalid", _('"is_typing" is true or false.'))
            return
        await self._typing(is_typing)

    async def _on_read(self, content: dict):
        up_to = content.get("up_to")
        if up_to is not None and (type(up_to) is not int or up_to < 0):
            await self.send_error("invalid", _('"up_to" is a message id.'))
            return
        up_to = await _mark_read(self.user, self.room_id, up_to)
        await self.channel_layer.group_send(
            presence.chat_group(self.room_id), {"type": "chat.read", "user_id": self.user.pk, "up_to": up_to}
        )

    async def _typing(self, is_typing: bool):
        """Set or clear the typing key; tell the room when the state changed. While typing, a timer
        announces the stop once the key has expired without being refreshed."""
        if self.typing_task is not None:
            self.typing_task.cancel()
        self.typing_task = asyncio.create_task(self._typing_expiry()) if is_typing else None
        self.typing = is_typing
        set_typing = _redis_call(presence.typing_set)
        if await set_typing(room_id=self.room_id, user_id=self.user.pk, is_typing=is_typing):
            await self.channel_layer.group_send(
                presence.chat_group(self.room_id),
                {"type": "chat.typing", "user_id": self.user.pk, "is_typing": is_typing},
            )

    async def _typing_expiry(self):
        await asyncio.sleep(settings.CHAT_TYPING_SECONDS + 0.05)
        # Still set means another socket of the player refreshed it: its own timer takes over.
        if not await _redis_call(presence.is_typing)(room_id=self.room_id, user_id=self.user.pk):
            self.typing, self.typing_task = False, None
            await self.channel_layer.group_send(
                presence.chat_group(self.room_id), {"type": "chat.typing", "user_id": self.user.pk, "is_typing": False}
            )

    async def _heartbeat(self):
        """Keep this socket counted as online, announce players whose process died, and close the
        socket if the player left the room (a team or roster change)."""
        while True:
            await asyncio.sleep(settings.CHAT_HEARTBEAT_SECONDS)
            try:
                alive = _redis_call(presence.connection_alive)
                if await alive(user_id=self.user.pk, connection_id=self.channel_name):
                    await presence.presence_broadcast(user_id=self.user.pk, online=True)
                for user_id in await _redis_call(presence.sweep)():
                    await presence.presence_broadcast(user_id=user_id, online=False)
                if not await _still_member(self.user.pk, self.room_id):
                    await self.close(code=CLOSE_FORBIDDEN)
                    return
            except Exception:
                logger.exception("chat heartbeat failed for %s; trying again next beat", self.channel_name)

    async def chat_message(self, event: dict):
        await self.send(text_data=event["text"])

    async def chat_typing(self, event: dict):
        if event["user_id"] != self.user.pk:
            await self.send_json({"type": "user_typing", "user_id": event["user_id"], "is_typing": event["is_typing"]})

    async def chat_presence(self, event: dict):
        if event["user_id"] != self.user.pk:
            await self.send_json({"type": "presence", "user_id": event["user_id"], "online": event["online"]})

    async def chat_read(self, event: dict):
        await self.send_json({"type": "read", "user_id": event["user_id"], "up_to": event["up_to"]})
