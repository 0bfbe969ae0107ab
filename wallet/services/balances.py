"""Balance primitives: every change of any balance goes through here.

Each function is one transaction that locks the wallet rows it changes (primary-key
order, so two transfers in opposite directions cannot deadlock), changes them, and
appends exactly one ledger row per wallet carrying the balances after it. The database's
CHECK constraints stand behind the Python checks. Callers inside a larger transaction
(an idempotent request, a registration) simply join it.
"""

from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction

from driftwood.core.money import CENTS
from wallet.exceptions import InsufficientBalance, InvalidAmount
from wallet.models import ZERO, LedgerEntry, Wallet

Type = LedgerEntry.Type
PLATFORM_FEES_REFERENCE = "platform:fees"


def wallet_cache_key(user_id: int) -> str:
    return f"wallet:{user_id}"


def _invalidate_on_commit(wallet: Wallet) -> None:
    if wallet.owner_id is not None:
        key = wallet_cache_key(wallet.owner_id)
        transaction.on_commit(lambda: cache.delete(key))


def _checked(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENTS):
        raise InvalidAmount()
    return amount


def wallet_get_or_create(*, user) -> Wallet:
    """The player's wallet, created on first use (concurrent first uses get one row)."""
    wallet = Wallet.objects.filter(owner=user).first()
    if wallet is not None:
        return wallet
    try:
        with transaction.atomic():
            return Wallet.objects.create(owner=user, kind=Wallet.Kind.PLAYER, reference=f"user:{user.pk}")
    except IntegrityError:
        return Wallet.objects.get(owner=user)


def platform_wallet_get_or_create(*, reference: str, kind: str = Wallet.Kind.PLATFORM) -> Wallet:
    """A wallet the platform holds money in: "platform:fees", or an event's escrow ("event:<id>")."""
    wallet, _created = Wallet.objects.get_or_create(reference=reference, defaults={"kind": kind})
    return wallet


def _lock(*wallet_ids: int) -> dict[int, Wallet]:
    locked = Wallet.objects.select_for_update().filter(pk__in=set(wallet_ids)).order_by("pk")
    return {wallet.pk: wallet for wallet in locked}


def _post(
    wallet: Wallet,
    *,
    usable: Decimal = ZERO,
    pending: Decimal = ZERO,
    transaction_type: str,
    description: str,
    metadata: dict | None,
) -> LedgerEntry:
    """Apply a change to a locked wallet and append its ledger row."""
    if wallet.usable_balance + usable < 0 or wallet.pending_balance + pending < 0:
        raise InsufficientBalance()
    wallet.usable_balance += usable
    wallet.pending_balance += pending
    wallet.current_balance = wallet.usable_balance + wallet.pending_balance
    wallet.version += 1
    wallet.save(update_fields=["usable_balance", "pending_balance", "current_balance", "version", "updated_at"])
    _invalidate_on_commit(wallet)
    return LedgerEntry.objects.create(
        wallet=wallet,
        transaction_type=transaction_type,
        amount=usable,
        pending_amount=pending,
        usable_after=wallet.usable_balance,
        pending_after=wallet.pending_balance,
        description=description[:255],
        metadata=metadata or {},
    )


def _change_one(wallet: Wallet, **change) -> LedgerEntry:
    with transaction.atomic():
        return _post(_lock(wallet.pk)[wallet.pk], **change)


def wallet_credit(
    *, wallet: Wallet, amount: Decimal, transaction_type: str, description: str, metadata: dict | None = None
) -> LedgerEntry:
    """Money arrives in the usable balance (top-up, refund, prize, adjustment)."""
    return _change_one(
        wallet, usable=_checked(amount), transaction_type=transaction_type, description=description, metadata=metadata
    )


def wallet_debit(
    *, wallet: Wallet, amount: Decimal, transaction_type: str, description: str, metadata: dict | None = None
) -> LedgerEntry:
    """Money leaves the usable balance; InsufficientBalance if there is not enough."""
    return _change_one(
        wallet, usable=-_checked(amount), transaction_type=transaction_type, description=description, metadata=metadata
    )


def wallet_hold(
    *,
    wallet: Wallet,
    amount: Decimal,
    description: str,
    transaction_type: str = Type.HOLD,
    metadata: dict | None = None,
) -> LedgerEntry:
    """Usable -> pending (e.g. a requested withdrawal); InsufficientBalance if usable is short."""
    amount = _checked(amount)
    return _change_one(
        wallet,
        usable=-amount,
        pending=amount,
        transaction_type=transaction_type,
        description=description,
        metadata=metadata,
    )


def wallet_release(
    *,
    wallet: Wallet,
    amount: Decimal,
    description: str,
    transaction_type: str = Type.RELEASE,
    metadata: dict | None = None,
) -> LedgerEntry:
    """Pending -> usable (a failed or rejected withdrawal)."""
    amount = _checked(amount)
    return _change_one(
        wallet,
        usable=amount,
        pending=-amount,
        transaction_type=transaction_type,
        description=description,
        metadata=metadata,
    )


def wallet_capture(
    *, wallet: Wallet, amount: Decimal, transaction_type: str, description: str, metadata: dict | None = None
) -> LedgerEntry:
    """Pending leaves the wallet (a completed withdrawal paid out to the bank)."""
    return _change_one(
        wallet, pending=-_checked(amount), transaction_type=transaction_type, description=description, metadata=metadata
    )


def wallet_transfer(
    *,
    source: Wallet,
    destination: Wallet,
    amount: Decimal,
    transaction_type: str,
    description: str,
    metadata: dict | None = None,
    from_pending: bool = False,
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move money between two wallets' usable balances (or from the source's pending).

    Both rows are locked in primary-key order and both ledger rows name the counterpart.
    """
    amount = _checked(amount)
    if source.pk == destination.pk:
        raise InvalidAmount("A transfer needs two different wallets.")
    with transaction.atomic():
        locked = _lock(source.pk, destination.pk)
        out_change = {"pending": -amount} if from_pending else {"usable": -amount}
        outgoing = _post(
            locked[source.pk],
            **out_change,
            transaction_type=transaction_type,
            description=description,
            metadata={**(metadata or {}), "counterpart_wallet_id": destination.pk},
        )
        incoming = _post(
            locked[destination.pk],
            usable=amount,
            transaction_type=transaction_type,
            description=description,
            metadata={**(metadata or {}), "counterpart_wallet_id": source.pk},
        )
    return outgoing, incoming
