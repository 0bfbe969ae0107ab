"""Shared pieces of the webhook tests: an organizer's published event with a prize pool in escrow, and
endpoints."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from integrations.models import WebhookEvent
from integrations.services.endpoints import webhook_endpoint_create
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.models import Event
from tournaments.services.events import event_publish

ALL_EVENTS = list(WebhookEvent.values)


def prize_event(*, prize_pool: str = "20.00", organizer=None, **fields) -> Event:
    """A published free event (no check-in) whose organizer put `prize_pool` into escrow, all to 1st."""
    organizer = organizer or UserFactory()
    funded_wallet(organizer, prize_pool)
    starts_at = timezone.now() + timedelta(minutes=30)
    event = EventFactory(
        status=Event.Status.DRAFT,
        published_at=None,
        organizer=organizer,
        prize_pool=Decimal(prize_pool),
        prize_distribution=[100],
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        starts_at=starts_at,
        registration_closes_at=starts_at - timedelta(minutes=10),
        **fields,
    )
    event_publish(event_id=event.pk, actor=organizer)
    return Event.objects.get(pk=event.pk)


def endpoint_for(owner, url: str, event_types=None):
    """(endpoint, secret) of a new endpoint of `owner`'s, for every event unless told."""
    return webhook_endpoint_create(owner=owner, url=url, event_types=event_types or ALL_EVENTS)
