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
