"""What each reconciliation found (re-exported by wallet.models): the staff money dashboard shows the last."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from driftwood.core.money import ZERO, money_field


class ReconcileRun(models.Model):
    """One run of `wallet_reconcile` (the command or the daily beat task), kept as a record."""

    finished_at = models.DateTimeField(default=timezone.now, verbose_name=_("finished at"))
    ok = models.BooleanField(verbose_name=_("clean"))
    wallets_checked = models.PositiveIntegerField(verbose_name=_("wallets checked"))
    held = money_field(default=ZERO, verbose_name=_("money held in wallets"))
    ledger_total = money_field(default=ZERO, verbose_name=_("ledger total"))
    stripe_in = money_field(default=ZERO, verbose_name=_("Stripe in"))
    bank_out = money_field(default=ZERO, verbose_name=_("bank out"))
    card_refunds = money_field(default=ZERO, verbose_name=_("card refunds"))
    # What the books and the outside world disagree by (absolute sums; 0 when clean): the metric.
    difference = money_field(default=ZERO, verbose_name=_("difference"))
    # The differences found, in English (as logged); empty when clean.
    problems = models.JSONField(default=list, blank=True, verbose_name=_("differences"))

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        indexes = [models.Index(fields=["-finished_at"], name="reconcile_run_recent")]

    def __str__(self) -> str:
        return f"Reconciliation {self.finished_at:%Y-%m-%d %H:%M} ({'clean' if self.ok else len(self.problems)})"
