"""Money leaving Driftwood: refunds owed to cards and withdrawals to banks (re-exported by wallet.models)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from driftwood.core.money import format_money, money_field
from driftwood.core.stored_text import DescribedInLanguage


class CardRefund(DescribedInLanguage, models.Model):
    """A refund owed to a card: written in the same transaction as the ledger movement that
    took the money out of our books, then sent to Stripe after commit and retried until Stripe
    confirms it. `idempotency_key` (with `key_generation`, bumped only when staff retry a
    refund Stripe definitely failed) is what Stripe sees, so a retry can never refund twice."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SENT = "sent", _("Sent to Stripe")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment_intent_id = models.CharField(max_length=255, verbose_name=_("PaymentIntent ID"))
    amount = money_field(verbose_name=_("amount"))
    idempotency_key = models.CharField(max_length=255, unique=True, verbose_name=_("idempotency key"))
    key_generation = models.PositiveSmallIntegerField(default=0, verbose_name=_("key generation"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED, verbose_name=_("state"))
    description = models.CharField(max_length=255, verbose_name=_("description"))
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    ledger_transaction = models.ForeignKey(
        "wallet.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="card_refunds",
        verbose_name=_("ledger transaction"),
    )
    stripe_refund_id = models.CharField(max_length=255, blank=True, verbose_name=_("Stripe refund ID"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))

    class Meta:
        verbose_name = _("card refund")
        verbose_name_plural = _("card refunds")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="card_refund_due"),
            models.Index(fields=["payment_intent_id"], name="card_refund_intent"),
            models.Index(fields=["created_at"], name="card_refund_created"),
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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals", verbose_name=_("user")
    )
    wallet = models.ForeignKey(
        "wallet.Wallet", on_delete=models.PROTECT, related_name="withdrawals", verbose_name=_("wallet")
    )
    amount = money_field(verbose_name=_("amount"))
    fee = money_field(verbose_name=_("fee"))
    total = money_field(verbose_name=_("total"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    fraud_flags = models.JSONField(default=list, blank=True, verbose_name=_("fraud flags"))
    bank_name = models.CharField(max_length=255, verbose_name=_("bank name"))
    bank_last4 = models.CharField(max_length=4, verbose_name=_("last 4 digits of the account"))
    requested_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address of the request"))
    user_agent = models.CharField(max_length=512, blank=True, verbose_name=_("user agent"))
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("processed by"),
    )
    override_reason = models.TextField(blank=True, verbose_name=_("override reason"))
    failure_reason = models.TextField(blank=True, verbose_name=_("failure reason"))
    payout_reference = models.CharField(max_length=255, blank=True, verbose_name=_("payout reference"))
    payout_attempts = models.PositiveIntegerField(default=0, verbose_name=_("payout attempts"))
    last_payout_error = models.TextField(blank=True, verbose_name=_("last payout error"))
    last_payout_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last payout attempt at"))
    next_payout_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next payout attempt at"))
    processing_since = models.DateTimeField(null=True, blank=True, verbose_name=_("processing since"))
    stuck_alerted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("stuck alerted at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
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
