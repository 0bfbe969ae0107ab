from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from driftwood.core.parsers import JSONFramesMixin
from driftwood.core.websocket import UserSocketMixin


class HealthConsumer(UserSocketMixin, JSONFramesMixin, AsyncJsonWebsocketConsumer):
    """/ws/health: proves the WebSocket stack (and its authentication) end to end."""

    async def connect(self):
        await self.accept()
        user = self.scope.get("user")
        user_id = user.pk if user is not None and user.is_authenticated else None
        await self.send_json({"type": "hello", "user_id": user_id})

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_error("invalid", _('Send {"type": "ping"}.'))
