"""Balance primitives: every change of any balance goes through here.

Each function is one transaction that locks the wallet rows it changes (primary-key
order, so two transfers in opposite directions cannot deadlock), changes them with a
conditional UPDATE, and appends exactly one ledger row per wallet carrying the balances
after it. The database's
CHECK constraints stand behind the Python checks. Callers inside a larger transaction
(an idempotent request, a registration) simply join it.
"""

import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from driftwood.core.money import CENTS
from wallet.cache import wallet_summary_publish_on_commit
from wallet.exceptions import InsufficientBalance, InvalidAmount
from wallet.models import ZERO, LedgerEntry, Wallet

Type = LedgerEntry.Type
PLATFORM_FEES_REFERENCE = "platform:fees"


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


# One round trip per wallet change: a conditional UPDATE that takes the row lock, refuses
# an overdraft (no row comes back, so nothing is inserted) and feeds the balances after it
# straight into the ledger row. Fewer trips while the hot row is locked is what keeps a
# busy wallet fast (see bench/wallet.py, which runs this same SQL through raw psycopg).
APPLY_CHANGE_SQL = """
WITH changed AS (
    UPDATE wallet_wallet
       SET usable_balance = usable_balance + %(usable)s,
           pending_balance = pending_balance + %(pending)s,
           current_balance = current_balance + %(usable)s + %(pending)s,
           version = version + 1,
           updated_at = %(now)s
     WHERE id = %(wallet)s
       AND usable_balance + %(usable)s >= 0
       AND pending_balance + %(pending)s >= 0
 RETURNING id, current_balance, usable_balance, pending_balance, version
)
INSERT INTO wallet_ledgerentry
       (wallet_id, transaction_type, amount, pending_amount, usable_after, pending_after,
        description, metadata, created_at)
SELECT id, %(type)s, %(usable)s, %(pending)s, usable_balance, pending_balance,
       %(description)s, %(metadata)s, %(now)s
  FROM changed
RETURNING id, (SELECT current_balance FROM changed), usable_after, pending_after, (SELECT version FROM changed)
"""


def _post(
    wallet: Wallet,
    *,
    usable: Decimal = ZERO,
    pending: Decimal = ZERO,
    transaction_type: str,
    description: str,
    metadata: dict | None,
) -> LedgerEntry:
    """Change one wallet's balances (locking its row) and append its ledger row.

    Runs inside the caller's transaction; `wallet` is updated with the balances after it.
    """
    entry = LedgerEntry(
        wallet=wallet,
        transaction_type=transaction_type,
        amount=usable,
        pending_amount=pending,
        description=description[:255],
        metadata=metadata or {},
        created_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            APPLY_CHANGE_SQL,
            {
                "wallet": wallet.pk,
                "usable": usable,
                "pending": pending,
                "type": entry.transaction_type,
                "description": entry.description,
                "metadata": json.dumps(entry.metadata, cls=DjangoJSONEncoder),
                "now": entry.created_at,
            },
        )
        row = cursor.fetchone()
    if row is None:
        raise InsufficientBalance()
    entry.pk, wallet.current_balance, entry.usable_after, entry.pending_after, wallet.version = row
    wallet.usable_balance, wallet.pending_balance = entry.usable_after, entry.pending_after
    entry._state.adding = False
    wallet_summary_publish_on_commit(wallet)
    return entry


def _change_one(wallet: Wallet, **change) -> LedgerEntry:
    with transaction.atomic():
        return _post(wallet, **change)


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
    out_change = {"pending": -amount} if from_pending else {"usable": -amount}
    changes = {
        source.pk: (source, {**out_change, "metadata": {**(metadata or {}), "counterpart_wallet_id": destination.pk}}),
        destination.pk: (
            destination,
            {"usable": amount, "metadata": {**(metadata or {}), "counterpart_wallet_id": source.pk}},
        ),
    }
    entries = {}
    with transaction.atomic():
        for pk in sorted(changes):  # rows locked in primary-key order
            wallet, change = changes[pk]
            entries[pk] = _post(wallet, **change, transaction_type=transaction_type, description=description)
    return entries[source.pk], entries[destination.pk]
