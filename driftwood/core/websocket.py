"""WebSocket plumbing shared by every consumer: origin checks that protect browsers without locking
out mobile apps, the per-player group, error frames in the reader's language, and closing with a
reconnect hint when Redis is down."""

import asyncio
import json
import logging

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext_lazy as _
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
UNAVAILABLE_MESSAGE = _("Live updates are briefly unavailable. Reconnecting shortly.")


def socket_language(scope) -> str:
    """The language a socket's frames are written in: the signed-in player's stored choice
    (User.language), else what a page would use for the handshake (the language cookie the switcher
    sets, then Accept-Language), else English."""
    user = scope.get("user")
    stored = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if stored:
        return stored
    handshake = HttpRequest()
    for name, value in scope.get("headers") or ():
        if name == b"accept-language":
            handshake.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
        elif name == b"cookie":
            handshake.COOKIES = parse_cookie(value.decode("latin-1"))
    return translation.get_language_from_request(handshake)


def error_frame(scope, code: str, message, **extra) -> dict:
    """An `error` frame: `code` for programs, `message` for people, in the socket's language."""
    with translation.override(socket_language(scope)):
        return {"type": "error", "code": code, "message": str(message), **extra}


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

    Frames are handled in the socket's language (`socket_language`): texts a handler writes with
    `gettext` come out in it, and `send_error` sends an error frame in it.
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
                frame = error_frame(
                    scope, "unavailable", UNAVAILABLE_MESSAGE, retry_after=UNAVAILABLE_RETRY_AFTER_SECONDS
                )
                await send({"type": "websocket.send", "text": json.dumps(frame)})
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

    async def websocket_receive(self, message):
        with translation.override(socket_language(self.scope)):
            await super().websocket_receive(message)

    async def send_error(self, code: str, message) -> None:
        await self.send_json(error_frame(self.scope, code, message))

    async def layer_unavailable(self, message):
        """The pub/sub channel layer lost Redis (driftwood/core/channel_layer.py): fail as a receive would."""
        raise RedisConnectionError("the channel layer lost its Redis connection")

    async def force_disconnect(self, message):
        await self.close(code=message.get("code", CLOSE_ACCOUNT_DISABLED))
