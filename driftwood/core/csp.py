"""The pages' Content-Security-Policy: django-csp's middleware, plus the page's own WebSocket origin.

The policy itself is `CONTENT_SECURITY_POLICY` in settings. Live pages open
`ws(s)://<the page's host>/ws/...` (static/js/*.js); CSP Level 3 browsers count that as 'self',
older ones need the origin spelled out, so it is added per request from the host being served
(or WEBSOCKET_ORIGIN, where sockets are served apart from the pages).

Responses that are not HTML (the API's JSON, files) run no script and open no socket: they get the
site's policy as built without a nonce or an origin, the same string for every response, built
once (django-csp would rebuild it, twice, for every API call). HTML pages, responses that set
their own policy (`csp.decorators`) and anything that used the request's nonce take django-csp's
per-response path.
"""

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver

# What `csp.decorators` set on a response that wants its own policy.
_OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_DEBUG_PAGES = (404, 500)  # django-csp leaves Django's debug pages alone


def websocket_origin(request) -> str | None:
    if settings.WEBSOCKET_ORIGIN:
        return settings.WEBSOCKET_ORIGIN
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


@functools.cache
def _fixed_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, policy, exemption attribute, excluded path prefixes) for responses that are not pages."""
    policies = []
    for header, setting, exempt, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            policies.append((header, policy, exempt, prefixes))
    return tuple(policies)


@receiver(setting_changed)
def _policy_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _fixed_policies.cache_clear()


def _is_page(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class SiteCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if (
            _is_page(response)
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _OWN_POLICY)
            or (settings.DEBUG and response.status_code in _DEBUG_PAGES)
        ):
            return super().process_response(request, response)
        for header, policy, exempt, prefixes in _fixed_policies():
            skip = getattr(response, exempt, False) or request.path_info.startswith(prefixes)
            if header not in response and not skip:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent miss.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        origin = websocket_origin(request)
        if origin is not None:
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", ()), origin]
            parts.update = update
        return parts
