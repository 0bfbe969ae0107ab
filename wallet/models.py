"""Wallets, their append-only ledger, card top-ups, Stripe events and withdrawals.

PostgreSQL itself refuses a bad state: balances are CHECK-constrained, ledger rows cannot
be updated or deleted (trigger), and every "at most once" rule is a UNIQUE constraint.
"""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from driftwood.core.money import money_field

ZERO = Decimal("0.00")


class Wallet(models.Model):
    class Kind(models.TextChoices):
        PLAYER = "player", "Player"
        ESCROW = "escrow", "Event escrow"
        PLATFORM = "platform", "Platform"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PLAYER)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="wallet"
    )
    # Stable name for platform-owned wallets ("platform:fees", "event:12"); "user:<id>" for players.
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
        ]

    def __str__(self) -> str:
        return self.reference


class LedgerEntry(models.Model):
    """One row per balance change, carrying the balances after it. Never updated or deleted."""

    class Type(models.TextChoices):
        TOPUP = "topup", "Top-up"
        ENTRY_FEE = "entry_fee", "Entry fee"
        REFUND = "refund", "Refund"
        PRIZE = "prize", "Prize"
        WITHDRAWAL = "withdrawal", "Withdrawal"
        WITHDRAWAL_FEE = "withdrawal_fee", "Withdrawal fee"
        HOLD = "hold", "Hold"
        RELEASE = "release", "Release"
        ADJUSTMENT = "adjustment", "Adjustment"

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="ledger")
    transaction_type = models.CharField(max_length=20, choices=Type.choices)
    amount = money_field(help_text="Signed effect on the usable balance.")
    pending_amount = money_field(default=ZERO, help_text="Signed effect on the pending balance.")
    usable_after = money_field()
    pending_after = money_field()
    description = models.CharField(max_length=255)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(F("wallet"), F("created_at").desc(), F("id").desc(), name="ledger_wallet_recent")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0) | ~Q(pending_amount=0), name="ledger_entry_changes_something"
            ),
            models.CheckConstraint(
                condition=Q(usable_after__gte=0, pending_after__gte=0), name="ledger_balances_not_negative"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="ledger_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.amount} on {self.wallet_id}"


class TopUp(models.Model):
    """A card top-up: one Stripe PaymentIntent; the wallet is credited on its webhook."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topups")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="topups")
    amount = money_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
    refunded_amount = money_field(default=ZERO)
    failure_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="topup_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="topup_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Top-up #{self.pk} {self.amount} ({self.status})"


class StripeEvent(models.Model):
    """Every Stripe event we accepted, once: a redelivery hits the UNIQUE event id."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class Withdrawal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REVIEW = "review", "Held for review"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        REJECTED = "rejected", "Rejected"

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
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="withdrawal_status_recent"),
            models.Index(fields=["user", "created_at"], name="withdrawal_user_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("amount") + F("fee")), name="withdrawal_total_is_amount_plus_fee"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0, fee__gte=0), name="withdrawal_amounts_positive"),
        ]

    def __str__(self) -> str:
        return f"Withdrawal #{self.pk} {self.amount} ({self.status})"
