"""Seeding: the order entries go into the bracket, by registration order, at random, or by hand.

Seeds are always 1..N without gaps, because the generators work on seed numbers. They can
change freely before the start; afterwards only while no match has a result, and then the
bracket is generated again, so a played match is never rewritten.
"""

import random
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tournaments import notifications
from tournaments.brackets.rules import NOT_STARTED, seeding_refusal
from tournaments.brackets.services.build import stage_delete, stage_generate
from tournaments.exceptions import InvalidStatus
from tournaments.models import Entry, Event
from tournaments.services.checkin import entries_sync
from tournaments.services.events import event_lock, event_require_organizer

Seeding = Event.Seeding


def entries_active(event: Event) -> list[Entry]:
    return list(Entry.objects.filter(event=event, status=Entry.Status.ACTIVE).select_related("registration"))


def _by_registration(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: (entry.registration.created_at, entry.registration_id))


def entries_ordered(entries: list[Entry], method: str, order: list[int] | None = None) -> list[Entry]:
    """`entries` best seed first by `method`; manual `order` must name each of them exactly once."""
    if method == Seeding.REGISTRATION:
        return _by_registration(entries)
    if method == Seeding.RANDOM:
        shuffled = list(entries)
        random.SystemRandom().shuffle(shuffled)
        return shuffled
    if method != Seeding.MANUAL:
        raise ValidationError({"method": [_("One of: %(values)s.") % {"values": ", ".join(Seeding.values)}]})
    by_id = {entry.pk: entry for entry in entries}
    if (
        not isinstance(order, list)
        or not all(isinstance(entry_id, int) and not isinstance(entry_id, bool) for entry_id in order)
        or len(order) != len(by_id)
        or set(order) != set(by_id)
    ):
        raise ValidationError({"order": [_("List the id of every entry exactly once, best seed first.")]})
    return [by_id[entry_id] for entry_id in order]


def seeds_write(event: Event, entries: list[Entry]) -> None:
    """Give `entries` seeds 1..N in order; every other entry of the event loses its seed."""
    # Cleared first: swapping two seeds in one statement would trip the unique seed constraint.
    Entry.objects.filter(event=event, seed__isnull=False).update(seed=None)
    for seed, entry in enumerate(entries, start=1):
        entry.seed = seed
    Entry.objects.bulk_update(entries, ["seed"])


def seeds_settle(event: Event) -> list[Entry]:
    """Compact the active entries' seeds to 1..N, keeping the order already set; entries without a
    seed (never seeded, or confirmed since) follow by the event's method. Returns them in seed order."""
    entries = entries_active(event)
    seeded = sorted((entry for entry in entries if entry.seed is not None), key=lambda entry: entry.seed)
    method = Seeding.REGISTRATION if event.seeding == Seeding.MANUAL else event.seeding
    ordered = seeded + entries_ordered([entry for entry in entries if entry.seed is None], method)
    seeds_write(event, ordered)
    return ordered


def seeding_apply(*, event_id: int, actor, method: str, order: list[int] | None = None) -> list[Entry]:
    """Seed the active entries by `method` (organizer); returns them in seed order.

    Before the start the new order needs confirming again. Once the bracket exists it is
    regenerated at once, or refused (SeedingLocked) if any match already has a result.
    """
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor)
        if (refusal := seeding_refusal(event)) is not None:
            raise refusal
        started = event.status == Event.Status.ONGOING
        entries_sync(event)
        entries = entries_ordered(entries_active(event), method, order)
        seeds_write(event, entries)
        event.seeding = method
        event.seeding_confirmed_at = timezone.now() if started else None
        event.save(update_fields=["seeding", "seeding_confirmed_at", "updated_at"])
        if started:
            stage_delete(event)
            stage_generate(event, entries)
        notifications.bracket_changed(event.pk, seeding=method)
    return entries


def seeding_confirm(*, event_id: int, actor) -> list[Entry]:
    """The organizer accepts the seeds as shown; event_start generates the bracket from them."""
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor)
        if event.status not in NOT_STARTED:
            raise InvalidStatus(_("Seeding is confirmed before the event starts."))
        entries_sync(event)
        entries = seeds_settle(event)
        event.seeding_confirmed_at = timezone.now()
        event.save(update_fields=["seeding_confirmed_at", "updated_at"])
        notifications.bracket_changed(event.pk, seeding_confirmed=True)
    return entries
