"""DRF throttles (and the pages' equivalent) for the contract's rate-limit table, on ratelimit.py's counters."""

from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from driftwood.core import ratelimit
from driftwood.core.network import client_ip


def caller_ident(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def caller_tier(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anon"
    if user.is_staff:
        return "staff"
    if getattr(user, "subscription_tier", "free") == "premium":
        return "premium"
    return "user"


def page_budget_spent(request, scope: str | None = None) -> ratelimit.Usage | None:
    """Pages share the API's budgets: count one hit against `scope` (default: the caller's tier).

    Returns the usage when the budget is spent (the caller answers 429 or shows a message), else None.
    """
    if not settings.RATELIMIT_ENABLE:
        return None
    scope = scope or caller_tier(request)
    usage = ratelimit.hit(scope, caller_ident(request), ratelimit.Rate.parse(settings.RATE_LIMITS[scope]))
    return usage if usage.exceeded else None


def page_rate_limited(request, scope: str | None = None) -> bool:
    """A page's button against the API's budget for `scope` (default: the caller's tier, e.g. 100
    a minute): True, with a message for the next page, when it is spent."""
    spent = page_budget_spent(request, scope)
    if spent:
        messages.error(
            request, _("Too many requests. Try again in %(retry_after)s seconds.") % {"retry_after": spent.retry_after}
        )
    return spent is not None


class CacheRateThrottle(BaseThrottle):
    """Base class: one named scope, counted per user (or per IP when anonymous)."""

    scope: str = ""
    methods: tuple[str, ...] | None = None  # None: every method

    def get_scope(self, request) -> str:
        return self.scope

    def allow_request(self, request, view) -> bool:
        if not settings.RATELIMIT_ENABLE:
            return True
        if self.methods is not None and request.method not in self.methods:
            return True
        scope = self.get_scope(request)
        usage = ratelimit.hit(scope, caller_ident(request), ratelimit.Rate.parse(settings.RATE_LIMITS[scope]))
        self.retry_after = usage.retry_after
        return not usage.exceeded

    def wait(self) -> int:
        return self.retry_after


class TieredRateThrottle(CacheRateThrottle):
    """Every endpoint: staff 1000/min, premium 200/min, user 100/min, anonymous 30/min."""

    def get_scope(self, request) -> str:
        return caller_tier(request)


class MoneyRateThrottle(CacheRateThrottle):
    """Money-moving POSTs (top-up, withdrawal, join): 30/min."""

    scope = "money"
    methods = ("POST",)


class EventCreateRateThrottle(CacheRateThrottle):
    """Creating events: 20/hour."""

    scope = "event_create"
    methods = ("POST",)
