"""The pages' Content-Security-Policy: django-csp's middleware, plus the page's own WebSocket origin.

The policy itself is `CONTENT_SECURITY_POLICY` in settings. Live pages open
`ws(s)://<the page's host>/ws/...` (static/js/*.js); CSP Level 3 browsers count that as 'self',
older ones need the origin spelled out, so it is added per request from the host being served
(or WEBSOCKET_ORIGIN, where sockets are served apart from the pages).
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost


def websocket_origin(request) -> str | None:
    if settings.WEBSOCKET_ORIGIN:
        return settings.WEBSOCKET_ORIGIN
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        origin = websocket_origin(request)
        if origin is not None:
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", ()), origin]
            parts.update = update
        return parts
