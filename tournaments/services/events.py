"""An event's life: draft -> registration_open -> registration_closed -> ongoing -> completed,
or cancelled from any state before completion. Every money movement goes through the
wallet services into and out of the event's escrow wallet."""

import secrets
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from driftwood.core.exceptions import PermissionDenied
from driftwood.core.i18n import lazy_format
from driftwood.core.money import CENTS
from driftwood.core.stored_text import StoredText
from tournaments import notifications, organizer_notices
from tournaments.exceptions import AlreadyCancelled, InvalidStatus
from tournaments.models import Event, Game, ParticipantPayment, Registration
from tournaments.services import event_rules
from tournaments.services.membership import members_changed_on_commit
from tournaments.services.refunds import payment_refund
from wallet.models import LedgerEntry, Wallet
from wallet.selectors import wallet_by_id
from wallet.services.balances import (
    PLATFORM_FEES_REFERENCE,
    platform_wallet_get_or_create,
    wallet_get_or_create,
    wallet_transfer,
)

Status = Event.Status
Type = LedgerEntry.Type

# Every legal move; anything else is refused (InvalidStatus).
TRANSITIONS = {
    Status.DRAFT: {Status.REGISTRATION_OPEN, Status.CANCELLED},
    Status.REGISTRATION_OPEN: {Status.REGISTRATION_CLOSED, Status.CANCELLED},
    Status.REGISTRATION_CLOSED: {Status.ONGOING, Status.CANCELLED},
    Status.ONGOING: {Status.COMPLETED, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}
# The one list of what an organizer writes on an event, in the order admin shows them (what of it a
# published event may still change: `event_rules`). The services accept exactly these; the page
# form (tournaments/forms.py), the API's write serializer (tournaments/api/events.py) and admin
# declare exactly these (tests/tournaments/test_event_write_fields.py holds them to it).
EVENT_WRITE_FIELDS = (
    "name",
    "game",
    "tier",
    "event_type",
    "format",
    "description",
    "stream_url",
    "is_solo",
    "team_size",
    "max_participants",
    "entry_fee",
    "prize_pool",
    "prize_distribution",
    "starts_at",
    "registration_closes_at",
    "check_in_minutes",
    "no_show_refund_percent",
    "best_of",
    "third_place_match",
    "bracket_reset",
    "groups",
    "swiss_rounds",
    "playoff_format",
    "playoff_advance",
    "playoff_best_of",
    "seeding",
)
# What a new draft must be given; every other write field has the model's default or none (swiss_rounds).
EVENT_REQUIRED_FIELDS = ("name", "game", "starts_at", "registration_closes_at")
TEAM_SIZE_DEFAULT = 5


def event_write_defaults() -> dict:
    """The model's default for each write field that has one (a new list for the prize split each call)."""
    fields = (Event._meta.get_field(name) for name in EVENT_WRITE_FIELDS)
    return {field.name: field.get_default() for field in fields if field.has_default()}


def _check_write_fields(fields) -> None:
    unknown = set(fields).difference(EVENT_WRITE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")


def event_transition(event: Event, to: str) -> None:
    """Move a locked event to `to` if the flow allows it, stamping the matching time."""
    if to not in TRANSITIONS[event.status]:
        raise InvalidStatus(_("An event cannot go from %(status)s to %(to)s.") % {"status": event.status, "to": to})
    event.status = to
    stamp = {
        Status.REGISTRATION_OPEN: "published_at",
        Status.CANCELLED: "cancelled_at",
        Status.COMPLETED: "completed_at",
    }.get(to)
    fields = ["status", "updated_at"]
    if stamp:
        setattr(event, stamp, timezone.now())
        fields.append(stamp)
    event.save(update_fields=fields)


def event_lock(event_id: int) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("organizer").get(pk=event_id)


def escrow_wallet(event: Event) -> Wallet:
    """The event's escrow account (read afresh), created and linked the first time money arrives."""
    if event.escrow_wallet_id is not None:
        return wallet_by_id(event.escrow_wallet_id)
    wallet = platform_wallet_get_or_create(reference=event.escrow_reference, kind=Wallet.Kind.ESCROW)
    Event.objects.filter(pk=event.pk, escrow_wallet__isnull=True).update(escrow_wallet=wallet)
    event.escrow_wallet = wallet
    return wallet


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "event"
    # One query for every slug sharing the base, however many events already use the name.
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def event_create(*, organizer, game: Game, name: str, starts_at: datetime, registration_closes_at: datetime, **fields):
    """A draft event; nothing is charged until it is published."""
    _check_write_fields(fields)
    values = {
        **event_write_defaults(),
        **fields,
        "starts_at": starts_at,
        "registration_closes_at": registration_closes_at,
    }
    if not values["is_solo"] and "team_size" not in fields:
        values["team_size"] = TEAM_SIZE_DEFAULT
    event_rules.event_values_check(values)
    slug = _unique_slug(name)
    try:
        with transaction.atomic():
            return Event.objects.create(organizer=organizer, game=game, name=name, slug=slug, **values)
    except IntegrityError:
        # An event of the same name took the slug since it was picked; a random suffix will not collide.
        slug = f"{slug}-{secrets.token_hex(3)}"
        return Event.objects.create(organizer=organizer, game=game, name=name, slug=slug, **values)


def event_update(*, event_id: int, actor, allow_published: bool = False, **changes) -> Event:
    """Edit a draft (organizer only), or with `allow_published` (the pages) a published event until
    it starts: changing what `event_rules.edit_locks` locks is refused field by field, a date moved
    must lie ahead, and the entrants hear once of a change to the times they act on."""
    _check_write_fields(changes)
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor)
        refusal = event_rules.edit_refusal(event, allow_published=allow_published)
        if refusal is not None:
            raise refusal
        changes = {field: value for field, value in changes.items() if _differs(event, field, value)}
        locks = event_rules.edit_locks(event, changes)
        if locks:
            raise ValidationError({field: [reason] for field, reason in locks.items()})
        before = {field: getattr(event, field) for field in changes if field in event_rules.MATERIAL_FIELDS}
        for field, value in changes.items():
            setattr(event, field, value)
        event_rules.event_values_check({field: getattr(event, field) for field in EVENT_WRITE_FIELDS})
        past = event_rules.past_dates(event, [field for field in event_rules.DATE_FIELDS if field in changes])
        if past and event.status != Status.DRAFT:
            raise ValidationError({field: [_("Pick a time in the future.")] for field in past})
        event.save()
        if event.status != Status.DRAFT and before:
            organizer_notices.event_updated(event, before=before, actor=actor)
    return event


def _differs(event: Event, field: str, value) -> bool:
    column = Event._meta.get_field(field)
    if column.is_relation:  # compared by id: the related row is not loaded for this
        return getattr(event, column.attname) != getattr(value, "pk", value)
    return getattr(event, field) != value


def event_require_organizer(event: Event, actor, *, staff_allowed: bool = False) -> None:
    if event.organizer_id == actor.pk or (staff_allowed and actor.is_staff):
        return
    raise PermissionDenied(_("Only the event's organizer can do this."))


def event_publish(*, event_id: int, actor) -> Event:
    """Open registration. A prize pool moves from the organizer's wallet into escrow first."""
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor)
        if event_rules.past_dates(event):
            raise InvalidStatus(_("Move the dates into the future before publishing."))
        event_transition(event, Status.REGISTRATION_OPEN)
        if event.prize_pool > 0:
            wallet_transfer(
                source=wallet_get_or_create(user=event.organizer),
                destination=escrow_wallet(event),
                amount=event.prize_pool,
                transaction_type=Type.HOLD,
                description=StoredText(gettext_noop("Prize pool for %(event)s"), event=event.name),
                metadata={"event_id": event.pk, "purpose": "prize_pool"},
            )
    notifications.event_changed(event)
    return event


def registrations_close_due(*, now: datetime | None = None) -> int:
    """Close registration on open events whose deadline has passed; returns how many closed."""
    now = now or timezone.now()
    closed = 0
    for event_id in Event.objects.filter(status=Status.REGISTRATION_OPEN, registration_closes_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            event = event_lock(event_id)
            if event.status == Status.REGISTRATION_OPEN and event.registration_closes_at <= now:
                event_transition(event, Status.REGISTRATION_CLOSED)
                closed_reason = gettext_lazy("Registration for %(event)s has closed.")
                waitlist_close(event, reason=lazy_format(closed_reason, event=event.name))
                closed += 1
                notifications.event_changed(event)
    return closed


def _less_penalty(amount: Decimal, penalty_percent: Decimal) -> Decimal:
    # Rounded down to the sen: the player never gets more back than the fee less the penalty.
    return (amount * (100 - penalty_percent) / 100).quantize(CENTS, rounding=ROUND_DOWN)


def waitlist_close(event: Event, *, reason: str) -> None:
    """Registration is over (the event started, or was cancelled): so is its waitlist, and each
    player still on it is told why (they were never charged). `reason`: a lazy text (`lazy_format`),
    so that each player reads it in their own language."""
    waiting = list(
        Registration.objects.select_for_update()
        .filter(event=event, status=Registration.Status.WAITLISTED)
        .select_related("registered_by", "event")
    )
    Registration.objects.filter(pk__in=[entry.pk for entry in waiting]).update(
        status=Registration.Status.WITHDRAWN, ended_at=timezone.now()
    )
    for entry in waiting:
        notifications.waitlist_closed(entry, reason=reason)


def event_cancel(*, event_id: int, actor, penalty_percent: Decimal = Decimal(0)) -> dict[int, dict[str, Decimal]]:
    """Cancel (organizer or staff): refund every paid entry less the penalty, return the prize pool.

    The penalty kept from each fee goes to the platform fees wallet, so escrow ends empty.
    Returns {payer_id: {"wallet"|"stripe": refunded amount}}.
    """
    if not Decimal(0) <= penalty_percent <= 100:
        raise ValidationError({"penalty_percent": [_("Between 0 and 100.")]})
    refunds: dict[int, dict[str, Decimal]] = {}
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor, staff_allowed=True)
        if event.status == Status.CANCELLED:
            raise AlreadyCancelled()
        event_transition(event, Status.CANCELLED)
        escrow = escrow_wallet(event)
        registrations = (
            Registration.objects.select_for_update(of=("self",))
            .filter(event=event, status__in=Registration.ACTIVE_STATUSES)
            .select_related("payment", "user", "team")
            .prefetch_related("members")
            .order_by("pk")
        )
        participants: list[int] = []
        for registration in registrations:
            # Each roster is deleted as its registration ends: note its players first, to tell each of them.
            participants.extend(member.user_id for member in registration.members.all())
            payment = getattr(registration, "payment", None)
            if payment is not None and payment.status == ParticipantPayment.Status.SUCCEEDED:
                refund = _less_penalty(payment.amount, penalty_percent)
                was_cancelled = StoredText(gettext_noop("%(event)s was cancelled"), event=event.name)
                payment_refund(payment=payment, escrow=escrow, amount=refund, reason=was_cancelled)
                refunds[payment.payer_id] = {payment.method: refund}
                penalty = payment.amount - refund
                if penalty > 0:
                    wallet_transfer(
                        source=escrow,
                        destination=platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE),
                        amount=penalty,
                        transaction_type=Type.ENTRY_FEE,
                        description=StoredText(
                            gettext_noop("Cancellation penalty (%(percent)s%%) for %(event)s"),
                            percent=str(penalty_percent),
                            event=event.name,
                        ),
                        metadata={"event_id": event.pk, "registration_id": registration.pk},
                    )
            elif payment is not None and payment.status == ParticipantPayment.Status.PENDING:
                payment.status = ParticipantPayment.Status.FAILED
                payment.save(update_fields=["status", "updated_at"])
            registration_end(registration, Registration.Status.CANCELLED)
        cancelled = gettext_lazy("%(event)s was cancelled by its organizer.")
        waitlist_close(event, reason=lazy_format(cancelled, event=event.name))
        if event.prize_pool > 0 and event.published_at is not None:
            wallet_transfer(
                source=escrow,
                destination=wallet_get_or_create(user=event.organizer),
                amount=event.prize_pool,
                transaction_type=Type.RELEASE,
                description=StoredText(gettext_noop("Prize pool returned: %(event)s was cancelled"), event=event.name),
                metadata={"event_id": event.pk, "purpose": "prize_pool"},
            )
        notifications.event_cancelled(event, refunds, participants=participants)
    return refunds


def registration_end(registration: Registration, status: str) -> None:
    """An entry ends (withdrawn, cancelled, refunded): its roster rows go, the members generation moves."""
    registration.status = status
    registration.ended_at = timezone.now()
    registration.save(update_fields=["status", "ended_at"])
    registration.members.all().delete()
    members_changed_on_commit(event_id=registration.event_id)


def event_fees_settle(*, event_id: int) -> Decimal:
    """On completion: entry fees less the platform fee go from escrow to the organizer, once.

    Returns what the organizer received (0 when already settled or nothing was paid). A partly
    refunded payment (a no-show under a partial refund policy) counts with the part kept.
    """
    with transaction.atomic():
        event = event_lock(event_id)
        if event.status != Status.COMPLETED:
            raise InvalidStatus(_("Fees are settled only when the event is completed."))
        if event.fees_settled_at is not None:
            return Decimal("0.00")
        collected = sum(
            (
                payment.amount - payment.refunded_amount
                for payment in ParticipantPayment.objects.filter(
                    event=event, status__in=[ParticipantPayment.Status.SUCCEEDED, ParticipantPayment.Status.REFUNDED]
                )
            ),
            Decimal("0.00"),
        )
        platform_fee = (collected * settings.PLATFORM_FEE_PERCENT / 100).quantize(CENTS, rounding=ROUND_DOWN)
        to_organizer = collected - platform_fee
        escrow = escrow_wallet(event)
        metadata = {"event_id": event.pk, "purpose": "entry_fees"}
        if platform_fee > 0:
            wallet_transfer(
                source=escrow,
                destination=platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE),
                amount=platform_fee,
                transaction_type=Type.ENTRY_FEE,
                description=StoredText(
                    gettext_noop("Platform fee (%(percent)s%%) for %(event)s"),
                    percent=str(settings.PLATFORM_FEE_PERCENT),
                    event=event.name,
                ),
                metadata=metadata,
            )
        if to_organizer > 0:
            wallet_transfer(
                source=escrow,
                destination=wallet_get_or_create(user=event.organizer),
                amount=to_organizer,
                transaction_type=Type.ENTRY_FEE,
                description=StoredText(gettext_noop("Entry fees for %(event)s"), event=event.name),
                metadata=metadata,
            )
        event.fees_settled_at = timezone.now()
        event.save(update_fields=["fees_settled_at", "updated_at"])
    return to_organizer
