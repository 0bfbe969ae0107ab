"""WebSocket plumbing shared by every consumer: origin checks that protect browsers without locking
out mobile apps, the per-player group, and closing with a reconnect hint when Redis is down."""

import asyncio
import json
import logging

from channels.security.websocket import OriginValidator
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from driftwood.core import redis_outage

logger = logging.getLogger("driftwood.websocket")


class BrowserOriginValidator(OriginValidator):
    """Refuse cross-site browser pages; let clients that send no Origin through.

    Browsers always send Origin on a WebSocket handshake, so a page on another site is
    refused (it could otherwise ride the session cookie). Native mobile clients send none;
    they authenticate with a JWT in the query string, which a foreign page cannot read.
    """

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def AllowedHostsBrowserOriginValidator(application):  # noqa: N802 - named like Channels' factory
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(application, allowed_hosts)


# The server ended this player's sockets: their account was banned or suspended.
CLOSE_ACCOUNT_DISABLED = 4403
# The server cannot reach Redis (the channel layer) for now: reconnect later, backing off.
CLOSE_UNAVAILABLE = 4503
UNAVAILABLE_RETRY_AFTER_SECONDS = 5
UNAVAILABLE_FRAME = {
    "type": "error",
    "code": "unavailable",
    "message": "Live updates are briefly unavailable. Reconnecting shortly.",
    "retry_after": UNAVAILABLE_RETRY_AFTER_SECONDS,
}


def user_group(user_id: int) -> str:
    """The channel-layer group every socket of one player belongs to (see UserSocketMixin)."""
    return f"user_{user_id}"


class UserSocketMixin:
    """For consumers: a signed-in player's socket joins `user_<id>`, so the server can reach all of
    that player's open sockets, on every process. `force.disconnect` sent there closes them.

    The group is added to `groups`, which Channels joins before `connect()` and leaves on
    disconnect, so consumers only list this mixin first among their bases.

    When Redis cannot be reached (joining a group, receiving from the layer, sending to a group, or
    presence), the socket is not failed with 1011: it gets an `error` frame with code `unavailable`
    and `retry_after` (seconds), then is closed with 4503 (accepted first if it was not yet, so
    that browsers see the code). Clients reconnect with a growing, jittered delay.
    """

    async def __call__(self, scope, receive, send):
        seen = set()  # types of the messages sent and received so far

        async def tracked_receive():
            message = await receive()
            seen.add(message["type"])
            return message

        async def tracked_send(message):
            seen.add(message["type"])
            await send(message)

        try:
            await super().__call__(scope, tracked_receive, tracked_send)
        except Exception as exc:
            if not redis_outage.is_outage(exc):
                raise
            redis_outage.failed("websocket", exc)
            if not seen & {"websocket.close", "websocket.disconnect"}:
                if "websocket.accept" not in seen:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.send", "text": json.dumps(UNAVAILABLE_FRAME)})
                await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})
            await self._clean_up_unavailable()

    async def _clean_up_unavailable(self):
        """Let the consumer stop its own tasks; its Redis clean-up fails meanwhile (entries expire)."""
        try:
            async with asyncio.timeout(2 * settings.REDIS_SOCKET_TIMEOUT):
                await self.disconnect(CLOSE_UNAVAILABLE)
        except Exception as exc:
            if not (isinstance(exc, TimeoutError) or redis_outage.is_outage(exc)):
                logger.exception("socket clean-up failed after Redis became unreachable")

    async def websocket_connect(self, message):
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self.groups = [*self.groups, user_group(user.pk)]
        await super().websocket_connect(message)

    async def layer_unavailable(self, message):
        """The pub/sub channel layer lost Redis (driftwood/core/channel_layer.py): fail as a receive would."""
        raise RedisConnectionError("the channel layer lost its Redis connection")

    async def force_disconnect(self, message):
        await self.close(code=message.get("code", CLOSE_ACCOUNT_DISABLED))
