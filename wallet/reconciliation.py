"""Do the books balance, and do they agree with the outside world?

Proves, in one repeatable-read snapshot:
- the whole ledger sums to zero, and so does every ledger transaction;
- every balance-keeping wallet's stored balances equal the sums of its legs and its last
  leg's balances-after, and none is negative;
- the outside-world accounts agree with our records of the outside world: Stripe clearing
  with the card money Stripe captured (top-ups and, through a registered source, entry
  fees), card refunds with the refunds we owe or sent, bank payouts with completed withdrawals;
- every other app's own checks (registered), e.g. every finished event's escrow is empty.

`wallet_reconcile` only reads; `manage.py wallet_reconcile` and the daily beat task also record the
run (`ReconcileRun`, shown on the staff money dashboard) and alert staff. Each
problem is a sentence translated when it is read (`lazy_format`): in English in the logs and the
command's output, in each staff member's language in their alert.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from driftwood.core.i18n import lazy_format, lazy_join
from driftwood.core.money import money_field
from wallet.models import ZERO, CardRefund, LedgerEntry, ReconcileRun, TopUp, Wallet, Withdrawal
from wallet.services.balances import ADJUSTMENTS, BANK_PAYOUTS, CARD_REFUNDS, STRIPE_CLEARING
from wallet.services.reconcile_hooks import card_income_sources, reconcile_checks

logger = logging.getLogger("driftwood.wallet.reconcile")


@dataclass
class Report:
    wallets_checked: int = 0
    problems: list[str] = field(default_factory=list)
    held: Decimal = ZERO
    ledger_total: Decimal = ZERO
    stripe_in: Decimal = ZERO
    bank_out: Decimal = ZERO
    card_refunds: Decimal = ZERO
    adjustments: Decimal = ZERO
    # Each outside-world account's balance, from its legs (negative: money came in from there).
    outside: dict[str, Decimal] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def difference(self) -> Decimal:
        """The money the books and the outside world disagree by (absolute sums; 0 when clean)."""
        return (
            abs(self.ledger_total)
            + abs(-self.outside.get(STRIPE_CLEARING, ZERO) - self.stripe_in)
            + abs(self.outside.get(CARD_REFUNDS, ZERO) - self.card_refunds)
            + abs(self.outside.get(BANK_PAYOUTS, ZERO) - self.bank_out)
        )


def _sum(queryset, column: str) -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum(column), ZERO, output_field=money_field()))["total"]


def _ledger_column(function, column: str):
    rows = LedgerEntry.objects.filter(wallet=OuterRef("pk"))
    if function == "sum":
        rows = rows.values("wallet").annotate(value=Sum(column)).values("value")
    else:
        rows = rows.order_by("-id").values(column)[:1]
    return Coalesce(Subquery(rows), ZERO, output_field=money_field())


def wallets_with_ledger_totals():
    """Every wallet with its ledger sums and last balances-after, in one query."""
    return Wallet.objects.annotate(
        ledger_usable=_ledger_column("sum", "amount"),
        ledger_pending=_ledger_column("sum", "pending_amount"),
        last_usable_after=_ledger_column("last", "usable_after"),
        last_pending_after=_ledger_column("last", "pending_after"),
    ).order_by("pk")


def _wallet_problems(wallet) -> list[str]:
    problems = []
    if wallet.current_balance != wallet.usable_balance + wallet.pending_balance:
        problems.append(lazy_format(_("current %(current)s != usable + pending"), current=wallet.current_balance))
    if wallet.usable_balance < 0 or wallet.pending_balance < 0:
        problems.append(_("a negative balance"))
    if (wallet.ledger_usable, wallet.ledger_pending) != (wallet.usable_balance, wallet.pending_balance):
        problems.append(
            lazy_format(
                _("ledger sums usable %(ledger_usable)s / pending %(ledger_pending)s, stored %(usable)s / %(pending)s"),
                ledger_usable=wallet.ledger_usable,
                ledger_pending=wallet.ledger_pending,
                usable=wallet.usable_balance,
                pending=wallet.pending_balance,
            )
        )
    if (wallet.last_usable_after, wallet.last_pending_after) != (wallet.usable_balance, wallet.pending_balance):
        problems.append(
            lazy_format(
                _("last ledger row says %(usable)s / %(pending)s"),
                usable=wallet.last_usable_after,
                pending=wallet.last_pending_after,
            )
        )
    return [
        lazy_format(_("wallet %(reference)s: %(problem)s"), reference=wallet.reference, problem=problem)
        for problem in problems
    ]


UNBALANCED_SQL = """
SELECT ledger_transaction_id, SUM(amount + pending_amount)
  FROM wallet_ledgerentry GROUP BY ledger_transaction_id
HAVING SUM(amount + pending_amount) <> 0
 LIMIT 20
"""


def _ledger_problems(report: Report) -> list[str]:
    problems = []
    report.ledger_total = _sum(LedgerEntry.objects.all(), "amount") + _sum(LedgerEntry.objects.all(), "pending_amount")
    if report.ledger_total != 0:
        problems.append(lazy_format(_("the ledger sums to %(total)s, not 0"), total=report.ledger_total))
    with connection.cursor() as cursor:
        cursor.execute(UNBALANCED_SQL)
        problems.extend(
            lazy_format(_("ledger transaction %(id)s sums to %(total)s, not 0"), id=pk, total=total)
            for pk, total in cursor.fetchall()
        )
    return problems


def _outside_problems(report: Report) -> list[str]:
    rows = (
        LedgerEntry.objects.filter(wallet__kind=Wallet.Kind.EXTERNAL)
        .values_list("wallet__reference")
        .annotate(total=Sum("amount"))
    )
    report.outside = {reference: total for reference, total in rows}
    booked = {reference: report.outside.get(reference, ZERO) for reference in (STRIPE_CLEARING, CARD_REFUNDS)}
    booked_topups = TopUp.objects.filter(succeeded_at__isnull=False)
    report.stripe_in = _sum(booked_topups, "amount")
    topup_refunds = _sum(booked_topups, "refunded_amount")
    for source in card_income_sources():
        report.stripe_in += source()
    report.card_refunds = topup_refunds + _sum(CardRefund.objects.all(), "amount")
    report.bank_out = _sum(Withdrawal.objects.filter(status=Withdrawal.Status.COMPLETED), "amount")
    report.adjustments = -report.outside.get(ADJUSTMENTS, ZERO)
    problems = []
    if -booked[STRIPE_CLEARING] != report.stripe_in:
        problems.append(
            lazy_format(
                _(
                    "Stripe clearing booked %(booked)s in, but Stripe captured %(captured)s "
                    "(succeeded top-ups and card entry fees)"
                ),
                booked=-booked[STRIPE_CLEARING],
                captured=report.stripe_in,
            )
        )
    if booked[CARD_REFUNDS] != report.card_refunds:
        problems.append(
            lazy_format(
                _(
                    "card refunds booked %(booked)s, but %(owed)s was refunded or owed to cards "
                    "(a top-up refund the wallet could not cover is a loss for staff to settle)"
                ),
                booked=booked[CARD_REFUNDS],
                owed=report.card_refunds,
            )
        )
    paid = report.outside.get(BANK_PAYOUTS, ZERO)
    if paid != report.bank_out:
        problems.append(
            lazy_format(
                _("bank payouts booked %(booked)s, but completed withdrawals paid %(paid)s"),
                booked=paid,
                paid=report.bank_out,
            )
        )
    return problems


def wallet_reconcile() -> Report:
    report = Report()
    # One snapshot: balances and the outside records are read at the same instant.
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost:
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for wallet in wallets_with_ledger_totals().exclude(kind=Wallet.Kind.EXTERNAL).iterator(chunk_size=2000):
            report.wallets_checked += 1
            report.held += wallet.current_balance
            report.problems.extend(_wallet_problems(wallet))
        report.problems.extend(_ledger_problems(report))
        report.problems.extend(_outside_problems(report))
        for check in reconcile_checks():
            report.problems.extend(check())
    return report


def reconcile_run_record(report: Report) -> ReconcileRun:
    """Keep what a run found (the differences in English, as logged) for the staff dashboard."""
    with translation.override("en"):
        problems = [str(problem) for problem in report.problems]
    return ReconcileRun.objects.create(
        ok=report.ok,
        wallets_checked=report.wallets_checked,
        held=report.held,
        ledger_total=report.ledger_total,
        stripe_in=report.stripe_in,
        bank_out=report.bank_out,
        card_refunds=report.card_refunds,
        difference=report.difference,
        problems=problems,
    )


def wallet_reconcile_and_alert() -> Report:
    """Reconcile and record the run; any difference is logged at ERROR and every staff member is notified."""
    from driftwood.notifications.services import staff_notify

    report = wallet_reconcile()
    reconcile_run_record(report)
    if not report.ok:
        with translation.override("en"):  # the log in English; the alert in each reader's language
            for problem in report.problems:
                logger.error("wallet reconciliation: %s", problem)
        staff_notify(
            kind="wallet_reconcile_failed",
            title=lazy_format(_("Wallet reconciliation found %(count)s difference(s)"), count=len(report.problems)),
            body=lazy_join(report.problems[:20], "\n"),
            url="/admin/wallet/ledgertransaction/",
        )
    else:
        logger.info("wallet reconciliation clean: %s wallets, RM %s held", report.wallets_checked, report.held)
    return report
