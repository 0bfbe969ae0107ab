"""Reads of wallets, their ledger and withdrawals, scoped to the caller."""

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core.money import format_money
from wallet.cache import wallet_summary_cached
from wallet.models import ZERO, CardRefund, LedgerEntry, ReconcileRun, TopUp, Wallet, Withdrawal
from wallet.services.balances import wallet_get_or_create
from wallet.services.payment_methods import Method, fpx_bank_name


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


def topup_of(*, user, topup_id: int) -> TopUp | None:
    """The caller's own top-up, or None (someone else's is as unknown as a missing one)."""
    return TopUp.objects.filter(pk=topup_id, user=user).first()


def topup_status_message(topup: TopUp) -> str:
    """Where a top-up stands, in plain words for the player (the return page and the API)."""
    amount = format_money(topup.amount, style="page")
    status = topup.status
    if status == TopUp.Status.SUCCEEDED:
        return _("%(amount)s was added to your wallet.") % {"amount": amount}
    if status == TopUp.Status.REFUNDED:
        return _("This top-up of %(amount)s was refunded.") % {"amount": amount}
    if status == TopUp.Status.CANCELLED:
        return _("This top-up was cancelled because it was not paid in time. You have not been charged.")
    method, bank = topup.payment_method, fpx_bank_name(topup.fpx_bank)
    if status == TopUp.Status.FAILED and method == Method.FPX:
        return _(
            "%(bank)s did not approve the payment, or it was cancelled. You have not been charged. "
            "Nothing was added to your wallet."
        ) % {"bank": bank}
    if status == TopUp.Status.FAILED and method == Method.GRABPAY:
        return _(
            "GrabPay did not approve the payment, or it was cancelled. You have not been charged. "
            "Nothing was added to your wallet."
        )
    if status == TopUp.Status.FAILED:
        return _("The card payment did not go through. You have not been charged.")
    if method == Method.FPX:
        return _("Processing: waiting for %(bank)s to confirm your payment of %(amount)s.") % {
            "bank": bank,
            "amount": amount,
        }
    if method == Method.GRABPAY:
        return _("Processing: waiting for GrabPay to confirm your payment of %(amount)s.") % {"amount": amount}
    return _("Processing: waiting for the card payment of %(amount)s to be confirmed.") % {"amount": amount}


# --- Figures for the metrics (`/metrics`, driftwood/observability/collectors.py): each an
# aggregate over an index, so a scrape stays cheap however large the tables grow. What is still
# open is counted whatever its age; what has finished only if it was created within `since`.

OPEN_CARD_REFUND_STATES = (CardRefund.State.REQUESTED, CardRefund.State.SENT, CardRefund.State.FAILED)
OPEN_WITHDRAWAL_STATUSES = (Withdrawal.Status.PENDING, Withdrawal.Status.REVIEW, Withdrawal.Status.PROCESSING)


def _by(queryset, column: str) -> dict[str, tuple[int, Decimal]]:
    rows = queryset.order_by().values_list(column).annotate(count=Count("pk"), amount=Sum("amount"))
    return {key: (count, amount or ZERO) for key, count, amount in rows}


def money_metrics(*, since: datetime) -> dict:
    """Top-ups opened since `since`, card refunds and withdrawals (open ones, and finished ones
    created since `since`), each as {status: (count, amount)}; the age in seconds of the oldest
    withdrawal still processing (0 when none); the last reconciliation (None before the first)."""
    oldest = Withdrawal.objects.filter(status=Withdrawal.Status.PROCESSING).aggregate(oldest=Min("processing_since"))
    return {
        "topups": _by(TopUp.objects.filter(created_at__gte=since), "status"),
        "card_refunds": _by(
            CardRefund.objects.filter(Q(state__in=OPEN_CARD_REFUND_STATES) | Q(created_at__gte=since)), "state"
        ),
        "withdrawals": _by(
            Withdrawal.objects.filter(Q(status__in=OPEN_WITHDRAWAL_STATUSES) | Q(created_at__gte=since)), "status"
        ),
        "oldest_processing_seconds": (timezone.now() - oldest["oldest"]).total_seconds() if oldest["oldest"] else 0.0,
        "last_reconcile": ReconcileRun.objects.order_by("-finished_at")
        .values("finished_at", "ok", "problems", "difference")
        .first(),
    }
