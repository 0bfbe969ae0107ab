"""The staff money dashboard's figures (wallet.admin.dashboard shows them).

Every figure is a sum over rows that one admin list shows with the same filter, and carries that
list's URL: staff click a total and see exactly the rows it adds up. Outside-world accounts keep
no balance on their row, so their figure is the sum of their ledger legs (negative for Stripe
clearing and adjustments: money came in from there).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wallet.models import ZERO, CardRefund, LedgerEntry, ReconcileRun, Wallet, Withdrawal
from wallet.services.balances import ADJUSTMENTS, BANK_PAYOUTS, CARD_REFUNDS, PLATFORM_FEES_REFERENCE, STRIPE_CLEARING

SYSTEM_ACCOUNTS = (
    (STRIPE_CLEARING, _("Stripe clearing (card, FPX and GrabPay money in)")),
    (BANK_PAYOUTS, _("Bank payouts (withdrawals paid)")),
    (CARD_REFUNDS, _("Card refunds (money back to cards)")),
    (ADJUSTMENTS, _("Staff adjustments")),
    (PLATFORM_FEES_REFERENCE, _("Platform fees")),
)
WAITING_SHOWN = 20


@dataclass(frozen=True)
class Figure:
    label: str | Promise
    amount: Decimal
    count: int
    url: str


@dataclass(frozen=True)
class Waiting:
    """Rows waiting on someone, the oldest first; `oldest` and each row's `since` give their age
    (a withdrawal's from its request, or from when processing began)."""

    label: str | Promise
    amount: Decimal
    count: int
    url: str
    oldest: datetime | None
    rows: list = field(default_factory=list)


def _changelist(model, **filters) -> str:
    url = reverse(f"admin:wallet_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _legs(queryset) -> tuple[Decimal, int]:
    totals = queryset.aggregate(total=Sum("amount"), count=Count("id"))
    return totals["total"] or ZERO, totals["count"]


def _system_account_ids() -> dict[str, int]:
    references = [reference for reference, label in SYSTEM_ACCOUNTS]
    return dict(Wallet.objects.filter(reference__in=references).values_list("reference", "pk"))


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in Malaysian time (TIME_ZONE)."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def system_account_figures() -> list[Figure]:
    """Player wallets and event escrow (balances on the rows), then each system account (its legs)."""
    figures = []
    for kind, label in ((Wallet.Kind.PLAYER, _("Player wallets")), (Wallet.Kind.ESCROW, _("Event escrow"))):
        totals = Wallet.objects.filter(kind=kind).aggregate(total=Sum("current_balance"), count=Count("id"))
        url = _changelist(Wallet, kind__exact=kind)
        figures.append(Figure(label, totals["total"] or ZERO, totals["count"], url))
    accounts = dict(
        Wallet.objects.filter(reference__in=[ref for ref, _ in SYSTEM_ACCOUNTS]).values_list("reference", "pk")
    )
    for reference, label in SYSTEM_ACCOUNTS:
        wallet_id = accounts.get(reference)
        amount, count = _legs(LedgerEntry.objects.filter(wallet_id=wallet_id)) if wallet_id else (ZERO, 0)
        url = _changelist(LedgerEntry, wallet__id__exact=wallet_id) if wallet_id else _changelist(Wallet)
        figures.append(Figure(label, amount, count, url))
    return figures


def todays_flows(now: datetime) -> list[Figure]:
    """Today's legs (since local midnight) on escrow and each system account: what moved where."""
    since = day_start(now)
    today = LedgerEntry.objects.filter(created_at__gte=since)
    start = since.isoformat()
    escrow_amount, escrow_count = _legs(today.filter(wallet__kind=Wallet.Kind.ESCROW))
    escrow_url = _changelist(LedgerEntry, wallet__kind__exact=Wallet.Kind.ESCROW, created_at__gte=start)
    figures = [Figure(_("Into event escrow (net)"), escrow_amount, escrow_count, escrow_url)]
    accounts = dict(
        Wallet.objects.filter(reference__in=[ref for ref, _ in SYSTEM_ACCOUNTS]).values_list("reference", "pk")
    )
    for reference, label in SYSTEM_ACCOUNTS:
        wallet_id = accounts.get(reference)
        amount, count = _legs(today.filter(wallet_id=wallet_id)) if wallet_id else (ZERO, 0)
        url = _changelist(LedgerEntry, wallet__id__exact=wallet_id or 0, created_at__gte=start)
        figures.append(Figure(label, amount, count, url))
    return figures


def waiting_withdrawals() -> list[Waiting]:
    """Withdrawals a person or the bank still has to act on: pending, held for review, processing."""
    groups = []
    for status, since_column in (
        (Withdrawal.Status.REVIEW, "created_at"),
        (Withdrawal.Status.PENDING, "created_at"),
        (Withdrawal.Status.PROCESSING, "processing_since"),
    ):
        rows = Withdrawal.objects.filter(status=status)
        totals = rows.aggregate(total=Sum("total"), count=Count("id"), oldest=Min(since_column))
        shown = list(rows.select_related("user").order_by(since_column, "pk")[:WAITING_SHOWN])
        for withdrawal in shown:
            withdrawal.since = getattr(withdrawal, since_column)
        groups.append(
            Waiting(
                label=Withdrawal.Status(status).label,
                amount=totals["total"] or ZERO,
                count=totals["count"],
                url=_changelist(Withdrawal, status__exact=status),
                oldest=totals["oldest"],
                rows=shown,
            )
        )
    return groups


def failed_refunds() -> Waiting:
    rows = CardRefund.objects.filter(state=CardRefund.State.FAILED)
    totals = rows.aggregate(total=Sum("amount"), count=Count("id"), oldest=Min("created_at"))
    shown = list(rows.order_by("created_at", "pk")[:WAITING_SHOWN])
    for refund in shown:
        refund.since = refund.created_at
    return Waiting(
        label=_("Failed card refunds"),
        amount=totals["total"] or ZERO,
        count=totals["count"],
        url=_changelist(CardRefund, state__exact=CardRefund.State.FAILED),
        oldest=totals["oldest"],
        rows=shown,
    )


def last_reconcile() -> ReconcileRun | None:
    return ReconcileRun.objects.order_by("-finished_at", "-pk").first()


def money_dashboard(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "accounts": system_account_figures(),
        "today": todays_flows(now),
        "today_since": day_start(now),
        "now": now,
        "waiting": waiting_withdrawals(),
        "failed_refunds": failed_refunds(),
        "last_reconcile": last_reconcile(),
        "reconcile_runs_url": _changelist(ReconcileRun),
    }
