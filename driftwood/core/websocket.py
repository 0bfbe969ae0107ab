"""Origin checks for WebSockets that protect browsers without locking out mobile apps."""

from channels.security.websocket import OriginValidator
from django.conf import settings


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


def user_group(user_id: int) -> str:
    """The channel-layer group every socket of one player belongs to (see UserSocketMixin)."""
    return f"user_{user_id}"


class UserSocketMixin:
    """For consumers: a signed-in player's socket joins `user_<id>`, so the server can reach all of
    that player's open sockets, on every process. `force.disconnect` sent there closes them.

    The group is added to `groups`, which Channels joins before `connect()` and leaves on
    disconnect, so consumers only list this mixin first among their bases.
    """

    async def websocket_connect(self, message):
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self.groups = [*self.groups, user_group(user.pk)]
        await super().websocket_connect(message)

    async def force_disconnect(self, message):
        await self.close(code=message.get("code", CLOSE_ACCOUNT_DISABLED))
