"""Reads of wallets, their ledger and withdrawals, scoped to the caller."""

from datetime import date, datetime, time

from django.db.models import QuerySet, Subquery
from django.utils import timezone

from wallet.cache import wallet_summary_cached
from wallet.models import LedgerEntry, Wallet, Withdrawal
from wallet.services.balances import wallet_get_or_create


def wallet_summary(*, user) -> dict:
    """The player's balances and bank details as `GET /wallet` shows them (read-through cached)."""
    return wallet_summary_cached(wallet_get_or_create(user=user))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def ledger_entries(
    *,
    user,
    transaction_type: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
) -> QuerySet[LedgerEntry]:
    """The player's own ledger rows, newest first; dates are whole days, both ends included.

    Filtered on the wallet id (a scalar subquery PostgreSQL runs once), not through a join on the
    owner: the (wallet, created_at, id) index then supplies the order, the limit and the cursor.
    """
    wallet_id = Subquery(Wallet.objects.filter(owner=user).values("pk")[:1])
    entries = LedgerEntry.objects.filter(wallet_id=wallet_id)
    if transaction_type:
        entries = entries.filter(transaction_type=transaction_type)
    if start_date:
        entries = entries.filter(created_at__gte=_day_start(start_date))
    if end_date:
        entries = entries.filter(created_at__lt=_day_start(end_date) + timezone.timedelta(days=1))
    return entries.order_by("-created_at", "-id")


def withdrawals_of(*, user) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(user=user).order_by("-created_at", "-id")


def withdrawals_for_staff(*, status: str | None = None) -> QuerySet[Withdrawal]:
    """Every player's withdrawals for the staff queue, newest first (one query per page)."""
    withdrawals = Withdrawal.objects.select_related("user")
    if status:
        withdrawals = withdrawals.filter(status=status)
    return withdrawals.order_by("-created_at", "-id")


def wallet_by_id(wallet_id: int) -> Wallet:
    """A wallet row as it is now (another app holding only its id, e.g. an event's escrow)."""
    return Wallet.objects.get(pk=wallet_id)
