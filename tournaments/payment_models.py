"""What players pay for an entry and what events pay out (re-exported by tournaments.models)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from driftwood.core.money import ZERO, format_money, money_field


class ParticipantPayment(models.Model):
    class Method(models.TextChoices):
        WALLET = "wallet", _("Wallet")
        STRIPE = "stripe", _("Card (Stripe)")
        FPX = "fpx", _("FPX online banking")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")

    registration = models.OneToOneField(
        "tournaments.Registration", on_delete=models.PROTECT, related_name="payment", verbose_name=_("registration")
    )
    event = models.ForeignKey(
        "tournaments.Event", on_delete=models.PROTECT, related_name="payments", verbose_name=_("event")
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_payments", verbose_name=_("payer")
    )
    method = models.CharField(max_length=10, choices=Method.choices, verbose_name=_("method"))
    amount = money_field(verbose_name=_("amount"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    payment_intent_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name=_("PaymentIntent ID")
    )
    client_secret = models.CharField(max_length=255, blank=True, verbose_name=_("client secret"))
    fpx_bank = models.CharField(max_length=32, blank=True, verbose_name=_("FPX bank"))  # FPX: Stripe's bank code
    redirect_url = models.URLField(
        max_length=2048, blank=True, verbose_name=_("redirect URL")
    )  # FPX: the bank's page at Stripe
    refunded_amount = money_field(default=ZERO, verbose_name=_("refunded amount"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("participant payment")
        verbose_name_plural = _("participant payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            # Never charged twice for one event: one live payment per payer and event.
            models.UniqueConstraint(
                fields=["event", "payer"],
                condition=Q(status__in=["pending", "succeeded"]),
                name="payment_one_live_per_payer_and_event",
            ),
            models.CheckConstraint(
                condition=Q(method="fpx") & ~Q(fpx_bank="") | ~Q(method="fpx") & Q(fpx_bank=""),
                name="payment_fpx_names_a_bank",
            ),
        ]

    def __str__(self) -> str:
        amount = format_money(self.amount, style="page")
        return f"{self.method} {amount} for registration {self.registration_id} ({self.status})"


class PrizePayout(models.Model):
    """One player's prize money for one event. The unique constraint makes each payout happen once."""

    event = models.ForeignKey(
        "tournaments.Event", on_delete=models.PROTECT, related_name="prize_payouts", verbose_name=_("event")
    )
    entry = models.ForeignKey(
        "tournaments.Entry", on_delete=models.PROTECT, related_name="prize_payouts", verbose_name=_("entry")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prize_payouts", verbose_name=_("user")
    )
    place = models.PositiveIntegerField(verbose_name=_("place"))
    amount = money_field(verbose_name=_("amount"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("prize payout")
        verbose_name_plural = _("prize payouts")
        indexes = [models.Index(fields=["created_at"], name="prize_payout_created")]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="prize_payout_once_per_player"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="prize_payout_positive"),
        ]

    def __str__(self) -> str:
        return f"{format_money(self.amount, style='page')} to {self.user} for {self.event}"
