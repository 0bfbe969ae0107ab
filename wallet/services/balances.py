"""Balance primitives: every movement of money goes through `ledger_post`.

A movement is one ledger transaction of two or more legs that sum to zero. Money never
appears or disappears: a top-up comes from the Stripe clearing account, a payout goes to the
bank payouts account, a card refund to the card refunds account, a staff correction from the
adjustments account (see OUTSIDE_ACCOUNTS). PostgreSQL refuses an unbalanced transaction at
commit (a deferred constraint trigger), whatever wrote it.

Each balance-keeping wallet in a movement is changed by one conditional UPDATE that takes its
row lock, refuses an overdraft (no row comes back, so nothing is inserted) and feeds the
balances after it straight into its ledger row; wallets are locked in primary-key order, so
two transfers in opposite directions cannot deadlock. Outside-world accounts keep no balance
on their row (their balance is the sum of their legs), so a busy one is never a hot row.
A movement that touches one balance-keeping wallet is a single statement, one round trip.
"""

import functools
import json
import logging
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.utils import timezone

from driftwood.core.money import CENTS
from driftwood.core.stored_text import StoredText, as_english, with_description_text
from wallet.cache import wallet_summary_publish_on_commit
from wallet.exceptions import InsufficientBalance, InvalidAmount
from wallet.models import ZERO, LedgerEntry, Wallet

logger = logging.getLogger("driftwood.wallet.ledger")
Type = LedgerEntry.Type
Description = str | StoredText

PLATFORM_FEES_REFERENCE = "platform:fees"
STRIPE_CLEARING = "stripe:clearing"
BANK_PAYOUTS = "bank:payouts"
CARD_REFUNDS = "stripe:refunds"
ADJUSTMENTS = "platform:adjustments"
# The outside world, each as an account: money enters from or leaves to one of these.
OUTSIDE_ACCOUNTS = {
    STRIPE_CLEARING: "card payments received through Stripe",
    BANK_PAYOUTS: "withdrawals paid to players' banks",
    CARD_REFUNDS: "refunds sent back to cards",
    ADJUSTMENTS: "staff corrections",
}


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


def system_account(reference: str) -> Wallet:
    """An outside-world account (OUTSIDE_ACCOUNTS) or the platform fees wallet."""
    kind = Wallet.Kind.EXTERNAL if reference in OUTSIDE_ACCOUNTS else Wallet.Kind.PLATFORM
    return platform_wallet_get_or_create(reference=reference, kind=kind)


@dataclass(frozen=True)
class Leg:
    """One wallet's part in a movement: signed changes of its usable and pending balances."""

    wallet: Wallet
    usable: Decimal = ZERO
    pending: Decimal = ZERO


@dataclass
class Posting:
    ledger_transaction_id: int | None = None
    # The ledger row of each balance-keeping wallet, by wallet id.
    entries: dict[int, LedgerEntry] = field(default_factory=dict)


_CHANGED_CTE = """
changed AS (
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
)"""

_KEPT_LEG_INSERT = """
INSERT INTO wallet_ledgerentry
       (ledger_transaction_id, wallet_id, transaction_type, amount, pending_amount, usable_after,
        pending_after, description, metadata, created_at)
SELECT {header}, changed.id, %(type)s, %(usable)s, %(pending)s, changed.usable_balance,
       changed.pending_balance, %(description)s, %(metadata)s, %(now)s
  FROM changed{header_from}
RETURNING id, ledger_transaction_id, (SELECT current_balance FROM changed), usable_after, pending_after,
          (SELECT version FROM changed)
"""


def _header_cte(*, after_change: bool) -> str:
    # After a change, the header exists only if the UPDATE found the money (no orphan header).
    condition = "WHERE EXISTS (SELECT 1 FROM changed)" if after_change else ""
    return f"""
header AS (
    INSERT INTO wallet_ledgertransaction (transaction_type, description, currency, metadata, created_at)
    SELECT %(type)s, %(description)s, 'MYR', %(metadata)s, %(now)s {condition}
    RETURNING id
)"""


def _outside_legs_insert(count: int) -> str:
    values = ", ".join(f"(%(o{i}_wallet)s::bigint, %(o{i}_amount)s::numeric)" for i in range(count))
    return f"""
INSERT INTO wallet_ledgerentry
       (ledger_transaction_id, wallet_id, transaction_type, amount, pending_amount, description, metadata, created_at)
SELECT header.id, leg.wallet_id, %(type)s, leg.amount, 0, %(description)s, %(metadata)s, %(now)s
  FROM header, (VALUES {values}) AS leg(wallet_id, amount)"""


@functools.cache
def first_leg_sql(outside_legs: int) -> str:
    """The header, the first balance-keeping wallet's change and every outside leg: one statement."""
    ctes = [_CHANGED_CTE, _header_cte(after_change=True)]
    if outside_legs:
        ctes.append(f"outside AS ({_outside_legs_insert(outside_legs)}\n)")
    main = _KEPT_LEG_INSERT.format(header="header.id", header_from=", header")
    return "WITH " + ",".join(ctes) + main


# A further balance-keeping wallet in the same movement.
NEXT_LEG_SQL = "WITH " + _CHANGED_CTE + _KEPT_LEG_INSERT.format(header="%(header)s", header_from="")


@functools.cache
def outside_only_sql(outside_legs: int) -> str:
    return (
        "WITH "
        + _header_cte(after_change=False)
        + _outside_legs_insert(outside_legs)
        + " RETURNING ledger_transaction_id"
    )


def _validated(legs: Sequence[Leg]) -> list[Leg]:
    legs = [leg for leg in legs if leg.usable or leg.pending]
    for leg in legs:
        for amount in (leg.usable, leg.pending):
            if not isinstance(amount, Decimal) or not amount.is_finite() or amount != amount.quantize(CENTS):
                raise InvalidAmount()
        if not leg.wallet.keeps_balance and leg.pending:
            raise InvalidAmount("An outside-world account has no pending balance.")
    wallets = [leg.wallet.pk for leg in legs]
    parts = sum(bool(leg.usable) + bool(leg.pending) for leg in legs)
    if len(set(wallets)) != len(wallets) or parts < 2:
        raise InvalidAmount("A movement needs two or more legs on different wallets.")
    if sum(leg.usable + leg.pending for leg in legs) != 0:
        raise InvalidAmount("A movement's legs must sum to zero.")
    return legs


def _ledger_cursor():
    """A cursor with server-side binding for the ledger's few fixed statements: psycopg prepares
    each one after DATABASE_PREPARE_THRESHOLD runs (settings), so the hot path skips parsing and
    planning (Django's default cursor binds on the client and cannot). Still wrapped by Django, so
    query logging, query counts and error mapping see it."""
    connection.ensure_connection()
    return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def ledger_post(
    *, legs: Sequence[Leg], transaction_type: str, description: Description, metadata: dict | None = None
) -> Posting:
    """Record one balanced movement and apply it to the wallets' balances.

    `description`: a StoredText, kept in English on the rows and whole in `metadata["text"]`, so
    that each reader sees it in their language (`LedgerEntry.get_description_display`); plain text
    is shown as written. InsufficientBalance (nothing changed) when a wallet would go below zero;
    InvalidAmount when the legs do not balance. Runs inside the caller's transaction when there is one.
    """
    legs = _validated(legs)
    kept = sorted((leg for leg in legs if leg.wallet.keeps_balance), key=lambda leg: leg.wallet.pk)
    outside = [leg for leg in legs if not leg.wallet.keeps_balance]
    now = timezone.now()
    metadata = with_description_text(metadata, description)
    description = as_english(description)[:255]
    params = {
        "type": transaction_type,
        "description": description,
        "metadata": json.dumps(metadata, cls=DjangoJSONEncoder),
        "now": now,
    }
    for index, leg in enumerate(outside):
        params[f"o{index}_wallet"], params[f"o{index}_amount"] = leg.wallet.pk, leg.usable
    posting = Posting()
    # One wallet changed: a single statement, atomic by itself. Several: a savepoint, so a
    # later wallet's overdraft undoes the earlier ones.
    with transaction.atomic() if len(kept) > 1 else nullcontext(), _ledger_cursor() as cursor:
        if not kept:
            cursor.execute(outside_only_sql(len(outside)), params)
            posting.ledger_transaction_id = cursor.fetchone()[0]
        for index, leg in enumerate(kept):
            sql = first_leg_sql(len(outside)) if index == 0 else NEXT_LEG_SQL
            cursor.execute(
                sql,
                {
                    **params,
                    "wallet": leg.wallet.pk,
                    "usable": leg.usable,
                    "pending": leg.pending,
                    "header": posting.ledger_transaction_id,
                },
            )
            row = cursor.fetchone()
            if row is None:
                raise InsufficientBalance()
            entry = _entry_from(row, leg, params, metadata)
            posting.ledger_transaction_id = entry.ledger_transaction_id
            posting.entries[leg.wallet.pk] = entry
    transaction.on_commit(functools.partial(_log_posting, posting.ledger_transaction_id, transaction_type, legs))
    return posting


def _log_posting(ledger_transaction_id: int, transaction_type: str, legs: Sequence[Leg]) -> None:
    """One line per committed movement, with the request id of the request or task that made it."""
    logger.info(
        "ledger transaction %s (%s) committed",
        ledger_transaction_id,
        transaction_type,
        extra={
            "event": "ledger_transaction",
            "ledger_transaction_id": ledger_transaction_id,
            "transaction_type": transaction_type,
            "wallets": [leg.wallet.reference for leg in legs],
        },
    )


def _entry_from(row, leg: Leg, params: dict, metadata: dict) -> LedgerEntry:
    wallet = leg.wallet
    entry = LedgerEntry(
        wallet=wallet,
        transaction_type=params["type"],
        amount=leg.usable,
        pending_amount=leg.pending,
        description=params["description"],
        metadata=metadata,
        created_at=params["now"],
    )
    entry.pk, entry.ledger_transaction_id, wallet.current_balance, entry.usable_after, entry.pending_after = row[:5]
    wallet.version = row[5]
    wallet.usable_balance, wallet.pending_balance = entry.usable_after, entry.pending_after
    entry._state.adding = False
    wallet_summary_publish_on_commit(wallet)
    return entry


def wallet_transfer(
    *,
    source: Wallet,
    destination: Wallet,
    amount: Decimal,
    transaction_type: str,
    description: Description,
    metadata: dict | None = None,
    from_pending: bool = False,
) -> tuple[LedgerEntry | None, LedgerEntry | None]:
    """Move money from one account's usable (or pending) balance to another's usable balance.

    Returns both ledger rows (None for an outside-world account, which keeps no balance).
    """
    amount = _checked(amount)
    if source.pk == destination.pk:
        raise InvalidAmount("A transfer needs two different wallets.")
    out_leg = Leg(source, pending=-amount) if from_pending else Leg(source, usable=-amount)
    posting = ledger_post(
        legs=[out_leg, Leg(destination, usable=amount)],
        transaction_type=transaction_type,
        description=description,
        metadata=metadata,
    )
    return posting.entries.get(source.pk), posting.entries.get(destination.pk)


def wallet_credit(
    *,
    wallet: Wallet,
    amount: Decimal,
    source: Wallet,
    transaction_type: str,
    description: Description,
    metadata: dict | None = None,
) -> LedgerEntry:
    """Money arrives in the usable balance from `source` (e.g. Stripe clearing for a top-up)."""
    _out, entry = wallet_transfer(
        source=source,
        destination=wallet,
        amount=amount,
        transaction_type=transaction_type,
        description=description,
        metadata=metadata,
    )
    return entry


def wallet_debit(
    *,
    wallet: Wallet,
    amount: Decimal,
    destination: Wallet,
    transaction_type: str,
    description: Description,
    metadata: dict | None = None,
) -> LedgerEntry:
    """Money leaves the usable balance for `destination`; InsufficientBalance if there is not enough."""
    entry, _in = wallet_transfer(
        source=wallet,
        destination=destination,
        amount=amount,
        transaction_type=transaction_type,
        description=description,
        metadata=metadata,
    )
    return entry


def _within_wallet(wallet: Wallet, *, usable: Decimal, transaction_type: str, description: Description, metadata):
    # One row, two legs: the usable and the pending balance of the same wallet.
    posting = ledger_post(
        legs=[Leg(wallet, usable=usable, pending=-usable)],
        transaction_type=transaction_type,
        description=description,
        metadata=metadata,
    )
    return posting.entries[wallet.pk]


def wallet_hold(
    *,
    wallet: Wallet,
    amount: Decimal,
    description: Description,
    transaction_type: str = Type.HOLD,
    metadata: dict | None = None,
) -> LedgerEntry:
    """Usable -> pending (e.g. a requested withdrawal); InsufficientBalance if usable is short."""
    return _within_wallet(
        wallet, usable=-_checked(amount), transaction_type=transaction_type, description=description, metadata=metadata
    )


def wallet_release(
    *,
    wallet: Wallet,
    amount: Decimal,
    description: Description,
    transaction_type: str = Type.RELEASE,
    metadata: dict | None = None,
) -> LedgerEntry:
    """Pending -> usable (a failed or rejected withdrawal)."""
    return _within_wallet(
        wallet, usable=_checked(amount), transaction_type=transaction_type, description=description, metadata=metadata
    )
