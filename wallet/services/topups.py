"""Top-ups by card, FPX or GrabPay, and the Stripe webhook that settles them.

A top-up is a `TopUp` row plus one Stripe PaymentIntent (idempotency key `topup-<id>`); the
wallet changes only when Stripe reports the outcome through the signed webhook
(`payment_intent.succeeded` credits once; `payment_failed` marks it failed, `canceled`
cancelled; wallet.services.topup_expiry cancels what the player abandoned). Each Stripe
event id is stored under a UNIQUE constraint in the same transaction as its effect, so a
redelivered or concurrently duplicated event takes effect once, and an event whose
processing fails is not recorded (Stripe delivers it again).

Refunds of a top-up (`charge.refunded`): the refunded money has gone back to the card (or the
FPX bank account, or GrabPay), so it leaves the wallet as a `refund` row with a negative
amount, but only when the usable balance still covers it. When the player has already spent
or withdrawn it, nothing is debited: the shortfall is written to the top-up's `failure_reason`
and logged as a warning for staff, and `wallet_reconcile` reports it as a difference (money
out that the ledger did not recover), instead of the wallet going negative or a hold being
invented.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from driftwood.core.money import CURRENCY, format_money
from driftwood.core.stored_text import StoredText
from wallet import stripe_gateway
from wallet.exceptions import InsufficientBalance, InvalidAmount, PaymentProviderError
from wallet.models import CardRefund, LedgerEntry, StripeEvent, TopUp
from wallet.services import payment_handlers, payment_methods
from wallet.services.balances import (
    CARD_REFUNDS,
    STRIPE_CLEARING,
    Leg,
    ledger_post,
    system_account,
    wallet_debit,
    wallet_get_or_create,
)
from wallet.services.card_refunds import card_refunds_confirm
from wallet.services.payment_methods import Method

logger = logging.getLogger(__name__)

TOPUP_KIND = "topup"
# For ledger descriptions and staff-facing reasons (stored, so in one language).
STAFF_METHOD_NAMES = {Method.CARD: "card", Method.FPX: "FPX", Method.GRABPAY: "GrabPay"}
# The wallet's ledger row for a top-up, in the reader's language where it is shown.
TOPUP_DESCRIPTIONS = {
    Method.CARD: gettext_noop("Card top-up #%(id)s"),
    Method.FPX: gettext_noop("FPX top-up #%(id)s"),
    Method.GRABPAY: gettext_noop("GrabPay top-up #%(id)s"),
}


def topup_create(*, user, amount: Decimal, payment_method: str = Method.CARD, fpx_bank: str = "") -> TopUp:
    """Record a pending top-up; `topup_payment_open` then opens its PaymentIntent after commit.

    `payment_method` is card, fpx (with `fpx_bank`, one of FPX_BANKS) or grabpay.
    """
    if not settings.TOPUP_MIN <= amount <= settings.TOPUP_MAX:
        limits = f"{format_money(settings.TOPUP_MIN, style='page')} to {format_money(settings.TOPUP_MAX, style='page')}"
        raise InvalidAmount(f"Top-ups are {limits}.", errors={"amount": [f"Top-ups are {limits}."]})
    payment_methods.payment_method_check(payment_method=payment_method, fpx_bank=fpx_bank)
    wallet = wallet_get_or_create(user=user)
    return TopUp.objects.create(
        user=user, wallet=wallet, amount=amount, payment_method=payment_method, fpx_bank=fpx_bank
    )


def topup_return_url(topup: TopUp) -> str:
    """Where the bank's or GrabPay's page sends the player back to (absolute, on SITE_URL)."""
    return f"{settings.SITE_URL}{reverse('wallet:topup_return', args=[topup.pk])}"


def topup_payment_open(*, topup_id: int) -> TopUp:
    """Open the top-up's PaymentIntent at Stripe, outside any transaction; safe to call again.

    The idempotency key `topup-<id>` makes a repeated call the same intent, and the intent is
    stored only if none is yet, so a client never holds a secret for an intent we do not know.
    Card intents are confirmed by the browser; FPX and GrabPay ones are created confirmed, with
    the page the player goes to next (`redirect_url`) and `return_url` back to the top-up's page.
    If Stripe cannot be reached or refuses, the top-up is `failed` (no money moved) and
    PaymentProviderError is raised; a retry of the same request opens it then.
    """
    topup = TopUp.objects.get(pk=topup_id)
    if topup.payment_intent_id or topup.status != TopUp.Status.PENDING:
        return topup
    metadata = {"kind": TOPUP_KIND, "topup_id": topup.pk, "user_id": topup.user_id}
    try:
        if payment_methods.is_redirect(topup.payment_method):
            opened = stripe_gateway.redirect_payment_create(
                amount=topup.amount,
                method=topup.payment_method,
                fpx_bank=topup.fpx_bank,
                return_url=topup_return_url(topup),
                idempotency_key=f"topup-{topup.pk}",
                metadata=metadata,
                description=f"Driftwood wallet top-up #{topup.pk}",
            )
            stored = {"client_secret": opened.client_secret, "redirect_url": opened.redirect_url}
        else:
            opened = stripe_gateway.payment_intent_create(
                amount=topup.amount,
                idempotency_key=f"topup-{topup.pk}",
                metadata=metadata,
                description=f"Driftwood wallet top-up #{topup.pk}",
            )
            stored = {"client_secret": opened.client_secret}
    except PaymentProviderError as exc:
        what = STAFF_METHOD_NAMES[topup.payment_method]
        why = "Stripe refused it" if exc.definite else "Stripe was unreachable"
        TopUp.objects.filter(pk=topup.pk, payment_intent_id__isnull=True).update(
            status=TopUp.Status.FAILED, failure_reason=f"The {what} payment could not be opened: {why}."
        )
        logger.warning("Top-up %s: PaymentIntent not opened: %s", topup.pk, exc.detail)
        raise
    TopUp.objects.filter(pk=topup.pk, payment_intent_id__isnull=True).update(
        payment_intent_id=opened.id,
        status=TopUp.Status.PENDING,
        failure_reason="",
        updated_at=timezone.now(),
        **stored,
    )
    return TopUp.objects.get(pk=topup.pk)


def stripe_event_process(*, payload: bytes, signature: str) -> StripeEvent | None:
    """Verify and apply one webhook delivery; None when this event id was already processed.

    InvalidSignature when the signature does not verify (nothing is stored).
    """
    event = stripe_gateway.webhook_event_construct(payload=payload, signature=signature)
    data = event.to_dict(for_json=True)
    obj = data["data"]["object"]
    if event.type == "charge.refunded":
        obj["metadata"] = _charge_metadata(obj)
    with transaction.atomic(durable=True):
        try:
            # A concurrent delivery of the same id waits here on the unique index until
            # the first commits (then fails) or rolls back (then proceeds).
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event.id, event_type=event.type, payload=data)
        except IntegrityError:
            logger.info("Stripe event %s (%s) already processed", event.id, event.type)
            return None
        _dispatch(record, obj)
    return record


def _charge_metadata(charge: dict) -> dict:
    """Stripe does not always copy the intent's metadata onto its charge: ask for the intent now,
    before the webhook's transaction (no call to Stripe while it is open). Refunds we sent
    ourselves need no owner lookup, and an intent Stripe does not know has no owner here."""
    metadata = charge.get("metadata") or {}
    payment_intent_id = charge.get("payment_intent")
    if (
        not payment_intent_id
        or "kind" in metadata
        or CardRefund.objects.filter(payment_intent_id=payment_intent_id).exists()
    ):
        return metadata
    try:
        return {**metadata, **stripe_gateway.payment_intent_retrieve(payment_intent_id).metadata.to_dict()}
    except PaymentProviderError as exc:
        if not exc.definite:
            raise  # Stripe delivers the event again later
        return metadata


PAYMENT_INTENT_EVENTS = {
    "payment_intent.succeeded": "payment_succeeded",
    "payment_intent.payment_failed": "payment_failed",
    "payment_intent.canceled": "payment_canceled",
}


def _dispatch(record: StripeEvent, obj: dict) -> None:
    if record.event_type in PAYMENT_INTENT_EVENTS:
        handler = _handler_for(obj.get("metadata"), record)
        if handler is not None:
            getattr(handler, PAYMENT_INTENT_EVENTS[record.event_type])(payment_intent=obj, event=record)
    elif record.event_type == "charge.refunded":
        payment_intent_id = obj.get("payment_intent")
        if not payment_intent_id:
            logger.info("Stripe event %s: charge %s has no PaymentIntent, ignored", record.event_id, obj.get("id"))
            return
        if card_refunds_confirm(payment_intent_id=payment_intent_id, charge=obj):
            return  # refunds Driftwood sent: already in the books, now confirmed
        handler = _handler_for(obj.get("metadata"), record)
        if handler is not None:
            handler.charge_refunded(charge=obj, payment_intent_id=payment_intent_id, event=record)
    else:
        logger.info("Stripe event %s of type %s recorded and ignored", record.event_id, record.event_type)


def _handler_for(metadata: dict | None, record: StripeEvent) -> payment_handlers.PaymentHandler | None:
    kind = (metadata or {}).get("kind")
    handler = payment_handlers.handler_for(kind)
    if handler is None:
        logger.info("Stripe event %s: no handler for payment kind %r, ignored", record.event_id, kind)
    return handler


class TopUpPaymentHandler(payment_handlers.PaymentHandler):
    """Settles wallet top-ups. The TopUp row is locked before it changes, so two events about
    one intent (or one event racing a refund) cannot both credit."""

    def _locked_topup(self, payment_intent: dict, record: StripeEvent) -> TopUp | None:
        try:
            topup_id = int(payment_intent["metadata"]["topup_id"])
        except (KeyError, TypeError, ValueError):
            topup_id = None
        topup = (
            TopUp.objects.select_for_update(of=("self",))
            .filter(pk=topup_id, payment_intent_id=payment_intent.get("id"))
            .select_related("wallet")
            .first()
        )
        if topup is None:
            # E.g. an intent from another environment sharing the Stripe account.
            logger.warning(
                "Stripe event %s: no top-up %s for PaymentIntent %s, ignored",
                record.event_id,
                topup_id,
                payment_intent.get("id"),
            )
        return topup

    def payment_succeeded(self, *, payment_intent: dict, event: StripeEvent) -> None:
        topup = self._locked_topup(payment_intent, event)
        # A failed attempt can be retried on the same intent, so failed -> succeeded is allowed;
        # a refund reported first (events can arrive out of order) leaves it refunded.
        if topup is None or topup.succeeded_at is not None or topup.status == TopUp.Status.SUCCEEDED:
            return
        charged = (payment_intent.get("amount"), str(payment_intent.get("currency", "")).upper())
        if charged != (stripe_gateway.to_sen(topup.amount), CURRENCY):
            # Never credit what we did not ask for; staff settle it by hand.
            reason = f"Stripe reported {charged[0]} sen {charged[1]}, not this top-up's amount: not credited."
            logger.error("Top-up %s: %s", topup.pk, reason)
            self._save(topup, status=TopUp.Status.FAILED, failure_reason=reason)
            return
        # The whole amount came in through Stripe; what was refunded before this went straight
        # back out to the card and never reaches the wallet.
        status = TopUp.Status.REFUNDED if topup.refunded_amount == topup.amount else TopUp.Status.SUCCEEDED
        topup.succeeded_at = timezone.now()
        self._save(topup, status=status, failure_reason="")
        legs = [Leg(system_account(STRIPE_CLEARING), usable=-topup.amount)]
        if topup.refunded_amount:
            legs.append(Leg(system_account(CARD_REFUNDS), usable=topup.refunded_amount))
        legs.append(Leg(topup.wallet, usable=topup.amount - topup.refunded_amount))
        ledger_post(
            legs=legs,
            transaction_type=LedgerEntry.Type.TOPUP,
            description=StoredText(TOPUP_DESCRIPTIONS[topup.payment_method], id=topup.pk),
            metadata={
                "topup_id": topup.pk,
                "payment_intent_id": topup.payment_intent_id,
                "stripe_event_id": event.event_id,
            },
        )

    def payment_failed(self, *, payment_intent: dict, event: StripeEvent) -> None:
        """A declined card, or a bank / GrabPay that refused or was cancelled by the player."""
        topup = self._locked_topup(payment_intent, event)
        if topup is None or topup.status not in (TopUp.Status.PENDING, TopUp.Status.FAILED):
            return
        error = payment_intent.get("last_payment_error") or {}
        fallback = f"The {STAFF_METHOD_NAMES[topup.payment_method]} payment failed."
        reason = error.get("message") or error.get("code") or fallback
        self._save(topup, status=TopUp.Status.FAILED, failure_reason=reason)

    def payment_canceled(self, *, payment_intent: dict, event: StripeEvent) -> None:
        """The intent can no longer be paid (our abandoned-payment sweep, or staff at Stripe)."""
        topup = self._locked_topup(payment_intent, event)
        if topup is None or topup.status != TopUp.Status.PENDING:
            return
        reason = payment_intent.get("cancellation_reason") or "abandoned"
        self._save(topup, status=TopUp.Status.CANCELLED, failure_reason=f"Cancelled at Stripe ({reason}).")

    def charge_refunded(self, *, charge: dict, payment_intent_id: str, event: StripeEvent) -> None:
        topup = (
            TopUp.objects.select_for_update(of=("self",))
            .filter(payment_intent_id=payment_intent_id)
            .select_related("wallet")
            .first()
        )
        if topup is None:
            logger.warning(
                "Stripe event %s: no top-up for PaymentIntent %s, ignored", event.event_id, payment_intent_id
            )
            return
        # amount_refunded is a running total: an older or repeated report changes nothing.
        refunded_total = min(stripe_gateway.from_sen(int(charge.get("amount_refunded") or 0)), topup.amount)
        newly_refunded = refunded_total - topup.refunded_amount
        if newly_refunded <= 0:
            return
        was_credited = topup.succeeded_at is not None
        topup.refunded_amount = refunded_total
        status = TopUp.Status.REFUNDED if refunded_total == topup.amount else topup.status
        failure_reason = topup.failure_reason
        if was_credited:
            try:
                wallet_debit(
                    wallet=topup.wallet,
                    amount=newly_refunded,
                    destination=system_account(CARD_REFUNDS),
                    transaction_type=LedgerEntry.Type.REFUND,
                    description=StoredText(gettext_noop("Card refund of top-up #%(id)s"), id=topup.pk),
                    metadata={
                        "topup_id": topup.pk,
                        "payment_intent_id": payment_intent_id,
                        "charge_id": charge.get("id"),
                        "stripe_event_id": event.event_id,
                    },
                )
            except InsufficientBalance:
                refund = format_money(newly_refunded, style="page")
                shortfall = f"Card refund of {refund} not recovered: usable balance too low."
                logger.warning("Top-up %s (wallet %s): %s", topup.pk, topup.wallet_id, shortfall)
                failure_reason = " ".join(filter(None, [failure_reason, shortfall]))
        self._save(topup, status=status, failure_reason=failure_reason)

    @staticmethod
    def _save(topup: TopUp, *, status: str, failure_reason: str) -> None:
        topup.status = status
        topup.failure_reason = failure_reason[:255]
        topup.save(update_fields=["status", "failure_reason", "refunded_amount", "succeeded_at", "updated_at"])


payment_handlers.register(TOPUP_KIND, TopUpPaymentHandler())
