"""Paying out a finished event: once the dispute window has passed with no dispute open, the prize
pool leaves escrow for the winners' wallets and the entry fees (less the platform fee) for the
organizer.

Exactly once, however many jobs run at the same time: each event is paid under its row lock,
`prizes_paid_at` tells a later run there is nothing left to do, and every payout row is
inserted under the (event, user) unique constraint before its money moves, so even a run that
got past the first guard could only roll back.
"""

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_noop

from driftwood.core.stored_text import StoredText
from tournaments import notifications
from tournaments.brackets.formats.placements import Placement
from tournaments.models import Dispute, Entry, Event, PrizePayout, RegistrationMember
from tournaments.prizes import event_prize_split, split_evenly
from tournaments.services.events import escrow_wallet, event_fees_settle, event_lock
from wallet.models import LedgerEntry, Wallet
from wallet.services.balances import wallet_get_or_create, wallet_transfer

logger = logging.getLogger("driftwood.tournaments")


def _payable(event: Event, now: datetime) -> bool:
    return (
        event.status == Event.Status.COMPLETED
        and event.prizes_paid_at is None
        and event.completed_at is not None
        and event.completed_at <= now - settings.RESULTS_DISPUTE_WINDOW
        and not Dispute.objects.filter(match__event=event, status=Dispute.Status.OPEN).exists()
    )


def event_results_pay(*, event_id: int) -> list[PrizePayout]:
    """Pay the event's prizes and fees if they are due (completed, dispute window over, no open
    dispute, not paid yet); returns the payouts made, [] when there was nothing to do."""
    with transaction.atomic():
        event = event_lock(event_id)
        if not _payable(event, timezone.now()):
            return []
        return _pay(event)


def event_completed_settle(event: Event) -> None:
    """The event just completed: its players hear it; prizes are paid at once without a dispute
    window, else the winners learn what they won and when it is paid (`results_process_due`)."""
    notifications.event_changed(event)
    notifications.event_completed(event)
    if event_results_pay(event_id=event.pk) or event.prize_pool <= 0:
        return
    placed, split = _prize_split(event)
    shares: dict[tuple[int, Decimal], list[int]] = {}
    for entry in placed:
        if entry.seed in split.by_seed:
            players = _entry_players(entry)
            for user, share in zip(players, split_evenly(split.by_seed[entry.seed], len(players)), strict=True):
                if share:
                    shares.setdefault((entry.placement, share), []).append(user.pk)
    notifications.prizes_held(event, shares, until=event.completed_at + settings.RESULTS_DISPUTE_WINDOW)


def results_process_due(*, now: datetime | None = None) -> int:
    """Pay every event whose dispute window has passed; returns how many this run paid."""
    now = now or timezone.now()
    due = Event.objects.filter(
        status=Event.Status.COMPLETED,
        prizes_paid_at__isnull=True,
        completed_at__lte=now - settings.RESULTS_DISPUTE_WINDOW,
    ).order_by("pk")
    paid = 0
    for event_id in due.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                event = event_lock(event_id)
                if _payable(event, now):
                    _pay(event)
                    paid += 1
        except (IntegrityError, ValueError):
            # Bad placements or a payout already on record: nothing moved; the other events still get paid.
            logger.exception("results of event %s could not be paid", event_id)
    return paid


def _pay(event: Event) -> list[PrizePayout]:
    escrow = escrow_wallet(event)
    payouts: list[PrizePayout] = []
    if event.prize_pool > 0:
        placed, split = _prize_split(event)
        for entry in placed:
            if entry.seed in split.by_seed:
                payouts.extend(_entry_pay(event, escrow, entry, split.by_seed[entry.seed]))
        if split.unawarded > 0:
            wallet_transfer(
                source=escrow,
                destination=wallet_get_or_create(user=event.organizer),
                amount=split.unawarded,
                transaction_type=LedgerEntry.Type.RELEASE,
                description=StoredText(gettext_noop("Unawarded prize money: %(event)s"), event=event.name),
                metadata={"event_id": event.pk, "purpose": "prize_pool"},
            )
    event_fees_settle(event_id=event.pk)
    event.prizes_paid_at = timezone.now()
    event.save(update_fields=["prizes_paid_at", "updated_at"])
    shares: dict[tuple[int, Decimal], list[int]] = {}
    for payout in payouts:
        shares.setdefault((payout.place, payout.amount), []).append(payout.user_id)
    notifications.prizes_paid(event, shares)
    notifications.event_changed(event)
    return payouts


def _prize_split(event: Event):
    """The placed entries (rosters loaded) and how the prize pool splits between them."""
    placed = list(
        Entry.objects.filter(event=event, status=Entry.Status.ACTIVE, placement__isnull=False)
        .select_related("registration__registered_by")
        .prefetch_related(
            Prefetch(
                "registration__members", queryset=RegistrationMember.objects.select_related("user").order_by("user_id")
            )
        )
    )
    split = event_prize_split(event, [Placement(seed=entry.seed, place=entry.placement) for entry in placed])
    return placed, split


def _entry_players(entry: Entry) -> list:
    return [member.user for member in entry.registration.members.all()] or [entry.registration.registered_by]


def _entry_pay(event: Event, escrow: Wallet, entry: Entry, amount: Decimal) -> list[PrizePayout]:
    """An entry's prize, shared evenly by its roster; the odd sen go to the lowest user ids."""
    players = _entry_players(entry)
    payouts = []
    for user, share in zip(players, split_evenly(amount, len(players)), strict=True):
        if share == 0:
            continue
        # The row first: a second payment of this prize fails here, before any money moves.
        payouts.append(
            PrizePayout.objects.create(event=event, entry=entry, user=user, place=entry.placement, amount=share)
        )
        wallet_transfer(
            source=escrow,
            destination=wallet_get_or_create(user=user),
            amount=share,
            transaction_type=LedgerEntry.Type.PRIZE,
            description=StoredText(
                gettext_noop("Prize for place %(place)s in %(event)s"), place=entry.placement, event=event.name
            ),
            metadata={"event_id": event.pk, "place": entry.placement},
        )
    return payouts
