"""Joining and leaving events, paid from the wallet or by card.

Capacity is decided under the event's row lock, so no number of concurrent joins can
confirm more entries than `max_participants`. The database refuses the rest: one active
registration per user or team, one roster row per player and event, one live payment per
payer and event. A card payment does not hold a seat: the webhook confirms it if there is
still room, and refunds the card otherwise.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from driftwood.core.exceptions import DomainError, NotFound, PermissionDenied
from driftwood.core.i18n import lazy_format
from driftwood.core.stored_text import StoredText
from tournaments import notifications
from tournaments.exceptions import (
    AlreadyJoined,
    EventFull,
    FpxCannotWait,
    RegistrationClosed,
    TeamRequired,
    TeamSizeWrong,
)
from tournaments.models import Event, ParticipantPayment, Registration, RegistrationMember, Team, TeamMember
from tournaments.selectors import waitlist_position
from tournaments.services.entry_payments import entry_payment_open
from tournaments.services.events import escrow_wallet, event_lock, registration_end
from tournaments.services.membership import members_changed_on_commit
from tournaments.services.refunds import payment_refund
from tournaments.services.registration_rules import leave_refusal, registration_is_open
from wallet.exceptions import PaymentProviderError
from wallet.models import LedgerEntry
from wallet.services.balances import (
    wallet_get_or_create,
    wallet_transfer,
)
from wallet.services.payment_methods import payment_method_check

logger = logging.getLogger("driftwood.tournaments")
Method = ParticipantPayment.Method


@dataclass(frozen=True)
class JoinResult:
    registration: Registration
    payment: ParticipantPayment | None
    position: int | None = None  # on the waitlist


WAITLISTED = Registration.Status.WAITLISTED
SEAT_HOLD = timedelta(minutes=30)  # a promoted card payer's time to pay


def seats_taken(event: Event, *, but: Registration | None = None) -> int:
    """Confirmed entries, and pending ones holding a seat until a deadline (a waitlisted card
    payer's, while they pay); `but` leaves one entry out (the one asking to be confirmed)."""
    taken = Registration.objects.filter(event=event).filter(
        Q(status=Registration.Status.CONFIRMED)
        | Q(status=Registration.Status.PENDING, seat_held_until__gt=timezone.now())
    )
    return (taken.exclude(pk=but.pk) if but is not None else taken).count()


def _roster(event: Event, user, team_id: int | None) -> tuple[Team | None, list[int]]:
    """Who this registration enters: the user alone, or the team's members (checked)."""
    if event.is_solo:
        return None, [user.pk]
    if team_id is None:
        raise TeamRequired()
    team = Team.objects.filter(pk=team_id).first()
    # Lazy texts: a waitlisted entry that no longer fits is told why in its captain's language.
    if team is None:
        raise NotFound(gettext_lazy("Team not found."))
    if team.captain_id != user.pk:
        raise PermissionDenied(gettext_lazy("Only the team's captain can register it."))
    members = list(TeamMember.objects.filter(team=team).values_list("user_id", flat=True))
    if len(members) != event.team_size:
        raise TeamSizeWrong(
            lazy_format(
                gettext_lazy("This event needs teams of exactly %(team_size)s; yours has %(members)s."),
                team_size=event.team_size,
                members=len(members),
            )
        )
    return team, members


def _create_registration(
    event: Event, user, team: Team | None, members: list[int], *, confirmed: bool = False
) -> Registration:
    """The registration (`confirmed` at once, or pending) and its roster rows; any overlap with an
    active entry is AlreadyJoined."""
    status, confirmed_at = (
        (Registration.Status.CONFIRMED, timezone.now()) if confirmed else (Registration.Status.PENDING, None)
    )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                user=None if team else user,
                team=team,
                registered_by=user,
                status=status,
                confirmed_at=confirmed_at,
            )
            RegistrationMember.objects.bulk_create(
                RegistrationMember(registration=registration, event=event, user_id=member) for member in members
            )
            if confirmed:
                members_changed_on_commit(event_id=event.pk)
    except IntegrityError as exc:
        raise AlreadyJoined() from exc
    return registration


def registration_confirm(registration: Registration) -> None:
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = timezone.now()
    registration.save(update_fields=["status", "confirmed_at"])
    members_changed_on_commit(event_id=registration.event_id)


def registration_join(
    *,
    event_id: int,
    user,
    team_id: int | None = None,
    payment_method: str = Method.WALLET,
    fpx_bank: str = "",
    waitlist: bool = False,
):
    """Register `user` (or their team). Free and wallet entries are confirmed at once; a card or
    FPX (`fpx_bank`) entry is pending until Stripe's webhook arrives (its PaymentIntent is opened
    after commit by `entry_payment_open`). A full event with `waitlist` puts the entry on its
    waitlist (paid from the wallet or by card when a seat frees: FPX cannot wait)."""
    payment_method_check(payment_method="fpx" if payment_method == Method.FPX else "card", fpx_bank=fpx_bank)
    with transaction.atomic():
        locked = payment_method == Method.WALLET or waitlist
        event = event_lock(event_id) if locked else _event_for_card(event_id)
        if not registration_is_open(event):
            raise RegistrationClosed()
        team, members = _roster(event, user, team_id)
        if RegistrationMember.objects.filter(event=event, user_id__in=members).exists():
            raise AlreadyJoined()
        if _waitlisted(event, user, team) is not None:
            raise AlreadyJoined(_("You are on this event's waitlist already."))
        if seats_taken(event) >= event.max_participants:
            if not waitlist:
                raise EventFull()
            if payment_method == Method.FPX and event.entry_fee:
                raise FpxCannotWait()
            return _waitlist_add(event, user, team, payment_method)
        # Free and wallet entries are confirmed in the same transaction (a wallet that cannot pay
        # rolls the registration back with it), so the row is written confirmed.
        paid_now = event.entry_fee == 0 or payment_method == Method.WALLET
        registration = _create_registration(event, user, team, members, confirmed=paid_now)
        payment = None
        if event.entry_fee and payment_method == Method.WALLET:
            payment = _pay_from_wallet(event, registration, user)
        elif event.entry_fee:
            payment = _new_payment(event, registration, user, payment_method, fpx_bank=fpx_bank)
    notifications.registration_changed(registration)
    return JoinResult(registration=registration, payment=payment)


# --- The waitlist: a full event's queue, in the order players joined it (positions 1..N, no gaps,
# as every waitlist write holds the event's row lock). Nothing is charged while waiting: a wallet
# payer pays the moment a seat frees; a card payer gets the seat held for SEAT_HOLD to pay in.


def _waitlisted(event: Event, user, team: Team | None) -> Registration | None:
    entries = Registration.objects.filter(event=event, status=WAITLISTED)
    return entries.filter(team=team).first() if team else entries.filter(user=user).first()


def _waitlist_add(event: Event, user, team: Team | None, payment_method: str) -> JoinResult:
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                user=None if team else user,
                team=team,
                registered_by=user,
                status=WAITLISTED,
                waitlist_card=bool(event.entry_fee) and payment_method == Method.STRIPE,
            )
    except IntegrityError as exc:
        raise AlreadyJoined(_("You are on this event's waitlist already.")) from exc
    return JoinResult(registration=registration, payment=None, position=waitlist_position(registration))


def _waitlist_promote(event: Event) -> None:
    """Seats free while registration is open go down the waitlist in order: paid from the wallet at
    once, or held for a card payer; an entry whose wallet or roster no longer fits is taken off,
    and told why."""
    if not registration_is_open(event):
        return
    free = event.max_participants - seats_taken(event)
    waiting = Registration.objects.select_for_update().filter(event=event, status=WAITLISTED)
    for registration in waiting.select_related("registered_by").order_by("created_at", "pk"):
        if free <= 0:
            return
        try:
            with transaction.atomic():
                _promote(event, registration)
        except (DomainError, IntegrityError) as exc:
            joined_elsewhere = gettext_lazy("a player of the entry joined another way")
            why = exc.message if isinstance(exc, DomainError) else joined_elsewhere
            registration_end(registration, Registration.Status.WITHDRAWN)
            notifications.waitlist_skipped(registration, reason=why)
            continue
        free -= 1
        notifications.waitlist_promoted(registration)


def _promote(event: Event, registration: Registration) -> None:
    payer = registration.registered_by
    _team, members = _roster(event, payer, registration.team_id)
    RegistrationMember.objects.bulk_create(
        RegistrationMember(registration=registration, event=event, user_id=member) for member in members
    )
    if registration.waitlist_card:
        # The seat is theirs until the deadline; the webhook confirms the entry when the card pays.
        registration.status, registration.seat_held_until = Registration.Status.PENDING, timezone.now() + SEAT_HOLD
        registration.save(update_fields=["status", "seat_held_until"])
        _new_payment(event, registration, payer, Method.STRIPE)
        transaction.on_commit(partial(_card_payment_open_quietly, registration.pk), robust=True)
        return
    registration.status, registration.confirmed_at = Registration.Status.CONFIRMED, timezone.now()
    registration.save(update_fields=["status", "confirmed_at"])
    members_changed_on_commit(event_id=event.pk)
    if event.entry_fee:
        _pay_from_wallet(event, registration, payer)


def _card_payment_open_quietly(registration_id: int) -> None:
    """After a card payer's promotion commits: their PaymentIntent, so the event page can take the
    card. If Stripe cannot be reached the entry is withdrawn (entry_payment_open) and the sweep
    gives the seat to the next in line."""
    try:
        entry_payment_open(registration_id=registration_id)
    except PaymentProviderError:
        logger.warning("waitlist entry %s: Stripe unreachable, the held seat was released", registration_id)
        # They were told the seat was theirs: tell them it is not, rather than let it vanish.
        registration = Registration.objects.select_related("event", "registered_by").get(pk=registration_id)
        why = gettext_lazy("the card payment could not be opened at Stripe")
        notifications.waitlist_skipped(registration, reason=why)


def waitlist_sweep(*, now=None) -> int:
    """The beat's minute: release held seats whose deadline passed (the payer is told), then fill
    free seats of open events from their waitlists. Returns how many holds were released."""
    now = now or timezone.now()
    expired = Registration.objects.filter(status=Registration.Status.PENDING, seat_held_until__lte=now)
    released = 0
    for registration_id, event_id in expired.values_list("pk", "event_id"):
        with transaction.atomic():
            event_lock(event_id)  # the order every seat change takes: the event, then the entry
            registration = Registration.objects.select_for_update().get(pk=registration_id)
            if registration.status != Registration.Status.PENDING:
                continue  # paid (or withdrawn) meanwhile
            ParticipantPayment.objects.filter(
                registration=registration, status=ParticipantPayment.Status.PENDING
            ).update(status=ParticipantPayment.Status.FAILED, updated_at=now)
            registration_end(registration, Registration.Status.WITHDRAWN)
            notifications.waitlist_hold_expired(registration)
            released += 1
    waiting_events = Registration.objects.filter(status=WAITLISTED).values_list("event_id", flat=True).distinct()
    for event_id in waiting_events:
        with transaction.atomic():
            _waitlist_promote(event_lock(event_id))
    return released


def _event_for_card(event_id: int) -> Event:
    # A card entry takes no seat yet, so it need not queue behind wallet joins on the row lock.
    event = Event.objects.select_related("organizer").filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("Event not found."))
    return event


def _new_payment(
    event: Event, registration: Registration, user, method: str, *, fpx_bank: str = ""
) -> ParticipantPayment:
    try:
        with transaction.atomic():
            return ParticipantPayment.objects.create(
                registration=registration,
                event=event,
                payer=user,
                method=method,
                fpx_bank=fpx_bank if method == Method.FPX else "",
                amount=event.entry_fee,
            )
    except IntegrityError as exc:
        raise AlreadyJoined(gettext_lazy("You already have a payment for this event.")) from exc


def _pay_from_wallet(event: Event, registration: Registration, user) -> ParticipantPayment:
    payment = _new_payment(event, registration, user, Method.WALLET)
    wallet_transfer(
        source=wallet_get_or_create(user=user),
        destination=escrow_wallet(event),
        amount=event.entry_fee,
        transaction_type=LedgerEntry.Type.ENTRY_FEE,
        description=StoredText(gettext_noop("Entry fee: %(event)s"), event=event.name),
        metadata={"event_id": event.pk, "registration_id": registration.pk, "payment_id": payment.pk},
    )
    payment.status = ParticipantPayment.Status.SUCCEEDED
    payment.save(update_fields=["status", "updated_at"])
    return payment


def registration_leave(*, event_id: int, user) -> Registration:
    """Withdraw before registration closes; whatever was paid comes back in full."""
    with transaction.atomic():
        event = event_lock(event_id)
        member = (
            RegistrationMember.objects.select_related("registration")
            .filter(event=event, user=user)
            .order_by("pk")
            .first()
        )
        registration = None
        if member is not None:
            registration = Registration.objects.select_for_update().get(pk=member.registration_id)
        else:
            waiting = Registration.objects.filter(event=event, status=WAITLISTED, registered_by=user).first()
            if waiting is not None:
                # Nothing was paid and no seat was held: off the waitlist, whenever they like.
                registration_end(waiting, Registration.Status.WITHDRAWN)
                return waiting
        refusal = leave_refusal(event, user, registration)
        if refusal is not None:
            raise refusal
        payment = ParticipantPayment.objects.select_for_update().filter(registration=registration).first()
        if payment is not None and payment.status == ParticipantPayment.Status.SUCCEEDED:
            payment_refund(payment=payment, escrow=escrow_wallet(event), amount=payment.amount, reason=event.name)
        elif payment is not None and payment.status == ParticipantPayment.Status.PENDING:
            payment.status = ParticipantPayment.Status.FAILED
            payment.save(update_fields=["status", "updated_at"])
        seat_freed = registration.status == Registration.Status.CONFIRMED
        registration_end(registration, Registration.Status.WITHDRAWN)
        if seat_freed:
            _waitlist_promote(event)
    notifications.registration_changed(registration)
    return registration
