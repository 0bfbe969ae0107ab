"""Wallets, their double-entry ledger, card top-ups and Stripe events; card refunds and withdrawals
live in `wallet.payout_models`.

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
from driftwood.core.stored_text import DescribedInLanguage

# Re-exported: Django loads the app's models from here, and the other apps import them from here.
from wallet.payout_models import CardRefund, Withdrawal  # noqa: F401
from wallet.reconcile_models import ReconcileRun  # noqa: F401
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

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PLAYER, verbose_name=_("kind"))
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wallet",
        verbose_name=_("owner"),
    )
    # Stable name: "user:<id>" for players, "event:<id>" for escrow, "platform:fees",
    # "stripe:clearing", "bank:payouts", "stripe:refunds", "platform:adjustments".
    reference = models.CharField(max_length=64, unique=True, verbose_name=_("reference"))
    currency = models.CharField(max_length=3, default="MYR", verbose_name=_("currency"))
    current_balance = money_field(default=ZERO, verbose_name=_("current balance"))
    usable_balance = money_field(default=ZERO, verbose_name=_("usable balance"))
    pending_balance = money_field(default=ZERO, verbose_name=_("pending balance"))
    version = models.PositiveBigIntegerField(default=0, verbose_name=_("version"))

    has_bank_account = models.BooleanField(default=False, verbose_name=_("has bank account"))
    bank_name = models.CharField(max_length=255, blank=True, verbose_name=_("bank name"))
    bank_last4 = models.CharField(max_length=4, blank=True, verbose_name=_("last 4 digits of the account"))
    # Fernet token of the full account number (see driftwood.core.crypto); never displayed.
    bank_account_number_encrypted = models.TextField(
        blank=True, editable=False, verbose_name=_("encrypted bank account number")
    )
    account_holder_name = models.CharField(max_length=255, blank=True, verbose_name=_("account holder name"))
    bank_account_changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("bank account changed at"))

    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
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


class LedgerTransaction(DescribedInLanguage, models.Model):
    """One movement of money: two or more legs (LedgerEntry rows) that sum to zero."""

    transaction_type = models.CharField(max_length=20, verbose_name=_("transaction type"))
    description = models.CharField(max_length=255, verbose_name=_("description"))
    currency = models.CharField(max_length=3, default="MYR", verbose_name=_("currency"))
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
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

    ledger_transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="legs", verbose_name=_("ledger transaction")
    )
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("wallet"))
    transaction_type = models.CharField(max_length=20, choices=Type.choices, verbose_name=_("transaction type"))
    amount = money_field(help_text=_("Signed effect on the usable balance."), verbose_name=_("amount"))
    pending_amount = money_field(
        default=ZERO, help_text=_("Signed effect on the pending balance."), verbose_name=_("pending amount")
    )
    usable_after = money_field(null=True, blank=True, verbose_name=_("usable after"))
    pending_after = money_field(null=True, blank=True, verbose_name=_("pending after"))
    description = models.CharField(max_length=255, verbose_name=_("description"))
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topups", verbose_name=_("user")
    )
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="topups", verbose_name=_("wallet"))
    amount = money_field(verbose_name=_("amount"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    payment_method = models.CharField(
        max_length=10, choices=Method.choices, default=Method.CARD, verbose_name=_("payment method")
    )
    # Stripe's bank code (wallet.services.payment_methods.FPX_BANKS), FPX only.
    fpx_bank = models.CharField(max_length=32, blank=True, verbose_name=_("FPX bank"))
    payment_intent_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("PaymentIntent ID")
    )
    client_secret = models.CharField(max_length=255, blank=True, verbose_name=_("client secret"))
    redirect_url = models.URLField(max_length=2048, blank=True, verbose_name=_("redirect URL"))
    refunded_amount = money_field(default=ZERO, verbose_name=_("refunded amount"))
    failure_reason = models.CharField(max_length=255, blank=True, verbose_name=_("failure reason"))
    # When Stripe's success was booked: the amount came in through Stripe clearing then.
    succeeded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("succeeded at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name_plural = _("top-ups")
        verbose_name = _("top-up")
        # The metrics count the last day's top-ups (wallet.selectors.money_metrics).
        indexes = [models.Index(fields=["created_at"], name="topup_created")]
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

    event_id = models.CharField(max_length=255, unique=True, verbose_name=_("Stripe event ID"))
    event_type = models.CharField(max_length=100, verbose_name=_("event type"))
    payload = models.JSONField(verbose_name=_("payload"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
