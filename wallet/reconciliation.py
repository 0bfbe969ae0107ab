"""Does every balance agree with its ledger, and all the money with the outside world?

Per wallet: the ledger's sums equal the stored balances, the last row's balances-after
equal them too, and none is negative. Across all wallets: the money held equals what came
in through Stripe, less what went out to banks and back to cards, plus staff adjustments. Read-only; run by
`manage.py wallet_reconcile`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from driftwood.core.money import money_field
from wallet.models import ZERO, LedgerEntry, TopUp, Wallet, Withdrawal


@dataclass
class Report:
    wallets_checked: int = 0
    problems: list[str] = field(default_factory=list)
    held: Decimal = ZERO
    stripe_in: Decimal = ZERO
    bank_out: Decimal = ZERO
    card_refunds: Decimal = ZERO
    adjustments: Decimal = ZERO

    @property
    def expected(self) -> Decimal:
        return self.stripe_in - self.bank_out - self.card_refunds + self.adjustments

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class CardFlows:
    """Card money another app took in through Stripe (into its own wallets) and gave back."""

    paid_in: Decimal
    refunded: Decimal


_card_flow_sources: list[Callable[[], CardFlows]] = []


def card_flow_source_register(source: Callable[[], CardFlows]) -> None:
    """Let another app's card payments (e.g. entry fees into escrow) count as Stripe money in.

    Called from an AppConfig.ready(); the wallet app never imports the other app.
    """
    if source not in _card_flow_sources:
        _card_flow_sources.append(source)


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
        problems.append(f"current {wallet.current_balance} != usable + pending")
    if wallet.usable_balance < 0 or wallet.pending_balance < 0:
        problems.append("a negative balance")
    if (wallet.ledger_usable, wallet.ledger_pending) != (wallet.usable_balance, wallet.pending_balance):
        problems.append(
            f"ledger sums usable {wallet.ledger_usable} / pending {wallet.ledger_pending}, "
            f"stored {wallet.usable_balance} / {wallet.pending_balance}"
        )
    if (wallet.last_usable_after, wallet.last_pending_after) != (wallet.usable_balance, wallet.pending_balance):
        problems.append(f"last ledger row says {wallet.last_usable_after} / {wallet.last_pending_after}")
    return [f"wallet {wallet.reference}: {problem}" for problem in problems]


def wallet_reconcile() -> Report:
    report = Report()
    # One snapshot: balances and the outside records are read at the same instant.
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost:
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for wallet in wallets_with_ledger_totals().iterator(chunk_size=2000):
            report.wallets_checked += 1
            report.held += wallet.current_balance
            report.problems.extend(_wallet_problems(wallet))
        paid_topups = TopUp.objects.filter(status__in=[TopUp.Status.SUCCEEDED, TopUp.Status.REFUNDED])
        report.stripe_in = _sum(paid_topups, "amount")
        report.card_refunds = _sum(paid_topups, "refunded_amount")
        for source in _card_flow_sources:
            flows = source()
            report.stripe_in += flows.paid_in
            report.card_refunds += flows.refunded
        report.bank_out = _sum(Withdrawal.objects.filter(status=Withdrawal.Status.COMPLETED), "amount")
        # Staff corrections create or remove money by hand; they are shown, not hidden.
        report.adjustments = _sum(LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.ADJUSTMENT), "amount")
    if report.held != report.expected:
        report.problems.append(
            f"all wallets hold {report.held}, but Stripe in {report.stripe_in} - bank out {report.bank_out} "
            f"- card refunds {report.card_refunds} + adjustments {report.adjustments} = {report.expected}"
        )
    return report
