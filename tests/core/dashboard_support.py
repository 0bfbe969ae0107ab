"""Rows the dashboard tests build: events in each stage of their life, with real services."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.brackets.services.start import event_start
from tournaments.models import Entry, Event, Match, Registration, RegistrationMember
from tournaments.services.events import event_publish
from tournaments.services.registrations import registration_join

DAY = timedelta(hours=24)


def free_event(**fields) -> Event:
    defaults = {"entry_fee": Decimal("0.00"), "check_in_minutes": 0, "max_participants": 8}
    return EventFactory(**{**defaults, **fields})


def joined(event: Event, *players) -> list:
    for player in players:
        registration_join(event_id=event.pk, user=player)
    return list(players)


def started(player, *, opponents=3, **fields) -> Event:
    """A free single-elimination event `player` entered first (seed 1), started with `opponents` more
    (new players, or the players given)."""
    event = free_event(**fields)
    joined(event, player, *(UserFactory.create_batch(opponents) if isinstance(opponents, int) else opponents))
    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    return event


def check_in_open(player, *, starts_in: timedelta = timedelta(minutes=30), **fields) -> Event:
    """A free event `player` is confirmed in, whose check-in (60 minutes before the start) is open."""
    starts_at = timezone.now() + starts_in
    event = free_event(
        check_in_minutes=60, starts_at=starts_at, registration_closes_at=starts_at - timedelta(minutes=10), **fields
    )
    joined(event, player)
    return event


def prize_event(*, prize_pool: str = "100.00", distribution=(60, 30, 10), organizer=None, **fields) -> Event:
    """A published free event (no check-in) whose organizer (a new one unless given) put
    `prize_pool` into escrow, paid out by `distribution`."""
    organizer = organizer or UserFactory()
    funded_wallet(organizer, prize_pool)
    starts_at = timezone.now() + timedelta(minutes=30)
    event = EventFactory(
        status=Event.Status.DRAFT,
        published_at=None,
        organizer=organizer,
        prize_pool=Decimal(prize_pool),
        prize_distribution=list(distribution),
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        starts_at=starts_at,
        registration_closes_at=starts_at - timedelta(minutes=10),
        **fields,
    )
    event_publish(event_id=event.pk, actor=organizer)
    return Event.objects.get(pk=event.pk)


def finish(event: Event, places: list[int], *, ago: timedelta) -> list[Entry]:
    """The event completed `ago`, its confirmed entries (registration order = seeds 1..N) placed as
    `places`, as the bracket engine leaves it."""
    registrations = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).order_by("pk")
    entries = [
        Entry.objects.create(event=event, registration=registration, seed=seed, placement=place)
        for seed, (registration, place) in enumerate(zip(registrations, places, strict=True), start=1)
    ]
    Event.objects.filter(pk=event.pk).update(status=Event.Status.COMPLETED, completed_at=timezone.now() - ago)
    return entries


def pending_entry(event: Event, player) -> Registration:
    """An entry waiting for its card payment (what a card join leaves before Stripe's webhook)."""
    registration = Registration.objects.create(
        event=event, user=player, registered_by=player, status=Registration.Status.PENDING
    )
    RegistrationMember.objects.create(registration=registration, event=event, user=player)
    return registration


def match_of(event: Event, key: str) -> Match:
    return Match.objects.select_related("entry_a__registration", "entry_b__registration").get(event=event, key=key)
