"""Shared pieces of the webhook tests: an organizer's published event with a prize pool in escrow, and
endpoints."""

from integrations.models import WebhookEvent
from integrations.services.endpoints import webhook_endpoint_create
from tests.core import dashboard_support
from tournaments.models import Event

ALL_EVENTS = list(WebhookEvent.values)


def prize_event(*, prize_pool: str = "20.00", organizer=None, **fields) -> Event:
    """A published free event (no check-in) whose organizer put `prize_pool` into escrow, all to 1st."""
    return dashboard_support.prize_event(prize_pool=prize_pool, distribution=[100], organizer=organizer, **fields)


def endpoint_for(owner, url: str, event_types=None):
    """(endpoint, secret) of a new endpoint of `owner`'s, for every event unless told."""
    return webhook_endpoint_create(owner=owner, url=url, event_types=event_types or ALL_EVENTS)
