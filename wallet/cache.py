"""The wallet summary in the shared cache (key `wallet:{user_id}`, one hour).

Every service that changes a player's wallet bumps `Wallet.version` and publishes the new
summary on commit; readers fill the cache on a miss. Both go through
`driftwood.core.versioned_cache`, so an older summary can never overwrite a newer one.
"""

from django.conf import settings
from django.db import transaction

from driftwood.core import versioned_cache
from driftwood.core.money import CURRENCY, format_money
from wallet.models import Wallet


def wallet_cache_key(user_id: int) -> str:
    return f"wallet:{user_id}"


def wallet_summary_of(wallet: Wallet) -> dict:
    """What `GET /wallet` shows (money as strings, never the account number)."""
    return {
        "currency": CURRENCY,
        "current_balance": format_money(wallet.current_balance),
        "usable_balance": format_money(wallet.usable_balance),
        "pending_balance": format_money(wallet.pending_balance),
        "has_bank_account": wallet.has_bank_account,
        "bank_name": wallet.bank_name or None,
        "bank_last4": wallet.bank_last4 or None,
        "account_holder_name": wallet.account_holder_name or None,
    }


def _publish(wallet: Wallet, summary: dict, version: int) -> None:
    versioned_cache.set_if_newer(
        wallet_cache_key(wallet.owner_id), summary, version=version, ttl=settings.WALLET_CACHE_SECONDS
    )


def wallet_summary_publish_on_commit(wallet: Wallet) -> None:
    """Call after saving a changed, locked player wallet (with its version bumped)."""
    if wallet.owner_id is None:
        return
    summary, version = wallet_summary_of(wallet), wallet.version
    transaction.on_commit(lambda: _publish(wallet, summary, version))


def wallet_summary_cached(wallet: Wallet) -> dict:
    """Read-through: the cached summary, or this freshly loaded wallet's (then cached)."""
    cached = versioned_cache.get(wallet_cache_key(wallet.owner_id))
    if cached is not None:
        cached.pop("version", None)
        return cached
    summary = wallet_summary_of(wallet)
    _publish(wallet, summary, wallet.version)
    return summary
