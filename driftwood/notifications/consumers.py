"""ws/notifications: a signed-in player's open pages hear new notifications and unread counts live.

Server -> client frames (contract "Notifications"): `{"type": "notification", ...item}` for each new
notification, `{"type": "unread", "count"}` on connecting and whenever the count changes (a new
one, or some marked read on another page), and beyond the contract `{"type": "chat_unread",
"count"}` (rooms with unread messages, for the Chat menu badge) when a chat message arrives for a
player who has no chat socket open. Clients send nothing but an optional `{"type": "ping"}`.
A missing or bad token: accepted, then closed with 4401 (browsers see the code).
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from driftwood.core.parsers import JSONFramesMixin
from driftwood.core.websocket import UserSocketMixin
from driftwood.notifications.delivery import unread_count, user_group

CLOSE_BAD_TOKEN = 4401


class NotificationConsumer(UserSocketMixin, JSONFramesMixin, AsyncJsonWebsocketConsumer):
    user = None

    async def connect(self):
        user = self.scope.get("user")
        if self.scope.get("auth_error") or user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_BAD_TOKEN)
            return
        self.user = user
        # Subscribed before the first count is read: nothing written after it is missed.
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.accept()
        await self._send_unread()

    async def disconnect(self, code):
        if self.user is not None:
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)

    async def receive_json(self, content, **kwargs):
        if self.user is None:
            return
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_error("invalid", _('Send {"type": "ping"}, or nothing.'))

    async def _send_unread(self):
        count = await database_sync_to_async(unread_count)(self.user.pk)
        await self.send_json({"type": "unread", "count": count})

    async def notification_new(self, event: dict):
        await self.send_json({"type": "notification", **event["item"]})
        await self._send_unread()

    async def notification_unread(self, event: dict):
        await self._send_unread()

    async def notification_chat(self, event: dict):
        await self.send_json({"type": "chat_unread", "count": event["count"]})
