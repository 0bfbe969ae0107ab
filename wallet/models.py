"""Wallets, their double-entry ledger, card top-ups and refunds, Stripe events and withdrawals.

PostgreSQL itself refuses a bad state: balances are CHECK-constrained, ledger rows cannot
be updated or deleted (trigger), every ledger transaction's legs sum to zero (a deferred
constraint trigger, checked at commit), and every "at most once" rule is a UNIQUE constraint.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from driftwood.core.money import ZERO, format_money, money_field
from driftwood.core.stored_text import stored_text_render
from wallet.services.payment_methods import Method


class Wallet(models.Model):
    """An account in the ledger: a player's wallet, an event's escrow, the platform's fees, or
    the outside world (Stripe clearing, bank payouts, card refunds, adjustments).

    Outside-world accounts keep no balance on their row (it would be one hot row for every
    top-up or payout): their balance is the sum of their legs, and usually negative.
    """

    class Kind(models.TextChoices):
        PLAYER = "player", _("Player")
        ESCROW = "escrow", _("Event escrow")
        PLATFORM = "platform", _("Platform")
        EXTERNAL = "external", _("Outside world")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PLAYER)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="wallet"
    )
    # Stable name: "user:<id>" for players, "event:<id>" for escrow, "platform:fees",
    # "stripe:clearing", "bank:payouts", "stripe:refunds", "platform:adjustments".
    reference = models.CharField(max_length=64, unique=True)
    currency = models.CharField(max_length=3, default="MYR")
    current_balance = money_field(default=ZERO)
    usable_balance = money_field(default=ZERO)
    pending_balance = money_field(default=ZERO)
    version = models.PositiveBigIntegerField(default=0)

    has_bank_account = models.BooleanField(default=False)
    bank_name = models.CharField(max_length=255, blank=True)
    bank_last4 = models.CharField(max_length=4, blank=True)
    # Fernet token of the full account number (see driftwood.core.crypto); never displayed.
    bank_account_number_encrypted = models.TextField(blank=True, editable=False)
    account_holder_name = models.CharField(max_length=255, blank=True)
    bank_account_changed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(current_balance=F("usable_balance") + F("pending_balance")),
                name="wallet_current_is_usable_plus_pending",
            ),
            models.CheckConstraint(condition=Q(usable_balance__gte=0), name="wallet_usable_not_negative"),
            models.CheckConstraint(condition=Q(pending_balance__gte=0), name="wallet_pending_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="player", owner__isnull=False) | (~Q(kind="player") & Q(owner__isnull=True)),
                name="wallet_player_wallets_have_an_owner",
            ),
            models.CheckConstraint(
                condition=~Q(kind="external") | Q(current_balance=0, usable_balance=0, pending_balance=0),
                name="wallet_external_keeps_no_balance",
            ),
            models.CheckConstraint(condition=Q(currency="MYR"), name="wallet_currency_myr"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def keeps_balance(self) -> bool:
        return self.kind != self.Kind.EXTERNAL


# Checked at commit for every leg inserted: the legs of its transaction must sum to zero (in
# MYR, the only currency a wallet can hold), however the rows were written.
LEGS_BALANCE_SQL = """
DECLARE
    imbalance numeric;
BEGIN
    SELECT COALESCE(SUM(amount + pending_amount), 0) INTO imbalance
      FROM wallet_ledgerentry WHERE ledger_transaction_id = NEW.ledger_transaction_id;
    IF imbalance <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: its legs sum to %',
            NEW.ledger_transaction_id, imbalance USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
"""

# Checked at commit for every transaction: at least two legs (a usable and a pending change
# of one wallet, as a hold, count as two).
TRANSACTION_LEGS_SQL = """
DECLARE
    legs integer;
BEGIN
    SELECT COALESCE(SUM((amount <> 0)::int + (pending_amount <> 0)::int), 0) INTO legs
      FROM wallet_ledgerentry WHERE ledger_transaction_id = NEW.id;
    IF legs < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has % leg(s); it needs two or more', NEW.id, legs
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
"""


# The metadata key of a ledger row's description as a StoredText (driftwood/core/stored_text.py).
DESCRIPTION_TEXT = "text"


class DescribedInLanguage:
    """The description in the reader's language when the row stored its parts, else as stored."""

    def get_description_display(self) -> str:
        return stored_text_render(self.metadata.get(DESCRIPTION_TEXT), fallback=self.description)


class LedgerTransaction(DescribedInLanguage, models.Model):
    """One movement of money: two or more legs (LedgerEntry rows) that sum to zero."""

    transaction_type = models.CharField(max_length=20)
    description = models.CharField(max_length=255)
    currency = models.CharField(max_length=3, default="MYR")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(currency="MYR"), name="ledger_transaction_currency_myr")]
        triggers = [
            pgtrigger.Protect(name="ledger_transaction_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="ledger_transaction_has_legs",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func=TRANSACTION_LEGS_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.transaction_type}: {self.description}"


class LedgerEntry(DescribedInLanguage, models.Model):
    """One leg of a ledger transaction: one wallet's change, carrying its balances after it
    (none for outside-world accounts, which keep no balance). Never updated or deleted."""

    class Type(models.TextChoices):
        TOPUP = "topup", _("Top-up")
        ENTRY_FEE = "entry_fee", _("Entry fee")
        REFUND = "refund", _("Refund")
        PRIZE = "prize", _("Prize")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        WITHDRAWAL_FEE = "withdrawal_fee", _("Withdrawal fee")
        HOLD = "hold", _("Hold")
        RELEASE = "release", _("Release")
        ADJUSTMENT = "adjustment", _("Adjustment")

    ledger_transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="legs")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="ledger")
    transaction_type = models.CharField(max_length=20, choices=Type.choices)
    amount = money_field(help_text=_("Signed effect on the usable balance."))
    pending_amount = money_field(default=ZERO, help_text=_("Signed effect on the pending balance."))
    usable_after = money_field(null=True, blank=True)
    pending_after = money_field(null=True, blank=True)
    description = models.CharField(max_length=255)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(F("wallet"), F("created_at").desc(), F("id").desc(), name="ledger_wallet_recent"),
            # The history filtered by type: a rare type among many rows is still a short index walk.
            models.Index(
                F("wallet"), F("transaction_type"), F("created_at").desc(), F("id").desc(), name="ledger_wallet_type"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0) | ~Q(pending_amount=0), name="ledger_entry_changes_something"
            ),
            models.CheckConstraint(
                condition=Q(usable_after__gte=0, pending_after__gte=0), name="ledger_balances_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(usable_after__isnull=True, pending_after__isnull=True)
                | Q(usable_after__isnull=False, pending_after__isnull=False),
                name="ledger_balances_after_both_or_neither",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="ledger_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="ledger_legs_balance",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func=LEGS_BALANCE_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_type} {format_money(self.amount, style='signed')} on {self.wallet_id}"


class TopUp(models.Model):
    """A top-up by card, FPX or GrabPay: one Stripe PaymentIntent; the wallet is credited on its webhook.

    FPX and GrabPay carry the page Stripe sends the player to (`redirect_url`); a payment left
    unfinished is cancelled at Stripe after PAYMENT_ABANDON_MINUTES (wallet.services.topup_expiry).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topups")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="topups")
    amount = money_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    payment_method = models.CharField(max_length=10, choices=Method.choices, default=Method.CARD)
    # Stripe's bank code (wallet.services.payment_methods.FPX_BANKS), FPX only.
    fpx_bank = models.CharField(max_length=32, blank=True)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
    redirect_url = models.URLField(max_length=2048, blank=True)
    refunded_amount = money_field(default=ZERO)
    failure_reason = models.CharField(max_length=255, blank=True)
    # When Stripe's success was booked: the amount came in through Stripe clearing then.
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "top-up"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="topup_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="topup_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(payment_method="fpx") & ~Q(fpx_bank="") | ~Q(payment_method="fpx") & Q(fpx_bank=""),
                name="topup_fpx_names_a_bank",
            ),
        ]

    def __str__(self) -> str:
        return f"Top-up #{self.pk} {format_money(self.amount, style='page')} ({self.status})"


class StripeEvent(models.Model):
    """Every Stripe event we accepted, once: a redelivery hits the UNIQUE event id."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class CardRefund(models.Model):
    """A refund owed to a card: written in the same transaction as the ledger movement that
    took the money out of our books, then sent to Stripe after commit and retried until Stripe
    confirms it. `idempotency_key` (with `key_generation`, bumped only when staff retry a
    refund Stripe definitely failed) is what Stripe sees, so a retry can never refund twice."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SENT = "sent", _("Sent to Stripe")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment_intent_id = models.CharField(max_length=255)
    amount = money_field()
    idempotency_key = models.CharField(max_length=255, unique=True)
    key_generation = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    description = models.CharField(max_length=255)
    metadata = models.JSONField(default=dict, blank=True)
    ledger_transaction = models.ForeignKey(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="card_refunds"
    )
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="card_refund_due"),
            models.Index(fields=["payment_intent_id"], name="card_refund_intent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="card_refund_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="succeeded") | Q(confirmed_at__isnull=False), name="card_refund_confirmed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"Card refund #{self.pk} {format_money(self.amount, style='page')} ({self.state})"

    @property
    def stripe_idempotency_key(self) -> str:
        return self.idempotency_key if not self.key_generation else f"{self.idempotency_key}-retry{self.key_generation}"


class Withdrawal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        REVIEW = "review", _("Held for review")
        # Approved and sent; the bank's answer is not known yet (a timeout or a 5xx). The total
        # stays pending and the payout is re-sent by the same reference until the bank answers.
        PROCESSING = "processing", _("Processing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATUSES = (Status.PENDING, Status.REVIEW)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="withdrawals")
    amount = money_field()
    fee = money_field()
    total = money_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    fraud_flags = models.JSONField(default=list, blank=True)
    bank_name = models.CharField(max_length=255)
    bank_last4 = models.CharField(max_length=4)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    failure_reason = models.TextField(blank=True)
    payout_reference = models.CharField(max_length=255, blank=True)
    payout_attempts = models.PositiveIntegerField(default=0)
    last_payout_error = models.TextField(blank=True)
    last_payout_attempt_at = models.DateTimeField(null=True, blank=True)
    next_payout_attempt_at = models.DateTimeField(null=True, blank=True)
    processing_since = models.DateTimeField(null=True, blank=True)
    stuck_alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Each list's sort with the id as tie-breaker (the keyset cursor's order).
            models.Index(F("created_at").desc(), F("id").desc(), name="withdrawal_recent"),
            models.Index(F("status"), F("created_at").desc(), F("id").desc(), name="withdrawal_status_recent"),
            models.Index(F("user"), F("created_at").desc(), F("id").desc(), name="withdrawal_user_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("amount") + F("fee")), name="withdrawal_total_is_amount_plus_fee"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0, fee__gte=0), name="withdrawal_amounts_positive"),
            models.CheckConstraint(
                condition=~Q(status="processing") | Q(processing_since__isnull=False),
                name="withdrawal_processing_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Withdrawal #{self.pk} {format_money(self.amount, style='page')} ({self.status})"
