"""The player's payout bank account: the number is stored only as a Fernet token.

Nothing here logs, returns or puts into an error message the full account number: only
`bank_account_number` decrypts it, for the payout call to the bank.
"""

import logging
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core import crypto
from driftwood.core.exceptions import DomainError
from wallet.cache import wallet_summary_publish_on_commit
from wallet.models import Wallet
from wallet.services.balances import wallet_get_or_create

logger = logging.getLogger("driftwood.wallet")

ACCOUNT_NUMBER_PATTERN = re.compile(r"^[0-9]{10,18}$")
HOLDER_NAME_PATTERN = re.compile(r"^[A-Za-z ]+$")
BANK_NAME_MAX_LENGTH = 255


def _validated(*, bank_name: str, account_number: str, account_holder_name: str) -> tuple[str, str, str]:
    bank_name, account_holder_name = bank_name.strip(), account_holder_name.strip()
    errors: dict[str, list[str]] = {}
    if not 1 <= len(bank_name) <= BANK_NAME_MAX_LENGTH:
        errors["bank_name"] = [_("Enter the bank's name (1-%(max)s characters).") % {"max": BANK_NAME_MAX_LENGTH}]
    if not ACCOUNT_NUMBER_PATTERN.fullmatch(account_number):
        errors["account_number"] = [_("Enter 10 to 18 digits.")]
    if not HOLDER_NAME_PATTERN.fullmatch(account_holder_name) or len(account_holder_name) > BANK_NAME_MAX_LENGTH:
        errors["account_holder_name"] = [_("Letters and spaces only.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    return bank_name, account_number, account_holder_name


def bank_account_set(*, user, bank_name: str, account_number: str, account_holder_name: str) -> Wallet:
    """Link (or replace) the player's bank account; withdrawals within 24 h of a change are reviewed."""
    bank_name, account_number, account_holder_name = _validated(
        bank_name=bank_name, account_number=account_number, account_holder_name=account_holder_name
    )
    wallet = wallet_get_or_create(user=user)
    with transaction.atomic():
        wallet = Wallet.objects.select_for_update().get(pk=wallet.pk)
        wallet.bank_name = bank_name
        wallet.bank_last4 = account_number[-4:]
        wallet.bank_account_number_encrypted = crypto.encrypt(account_number)
        wallet.account_holder_name = account_holder_name
        wallet.has_bank_account = True
        wallet.bank_account_changed_at = timezone.now()
        # A new version, so the cached summary (which shows the bank details) is replaced on commit.
        wallet.version += 1
        wallet.save(
            update_fields=[
                "bank_name",
                "bank_last4",
                "bank_account_number_encrypted",
                "account_holder_name",
                "has_bank_account",
                "bank_account_changed_at",
                "version",
                "updated_at",
            ]
        )
        wallet_summary_publish_on_commit(wallet)
    logger.info("wallet %s linked bank account %s ending %s", wallet.pk, bank_name, wallet.bank_last4)
    return wallet


def bank_account_number(*, wallet: Wallet) -> str:
    """The full account number, decrypted: only for the payout request to the bank."""
    return crypto.decrypt(wallet.bank_account_number_encrypted)


def encryption_keys_rotate(*, batch_size: int = 500) -> int:
    """Re-encrypt every stored account number under the newest key; returns how many rows changed.

    Each batch is one transaction over locked rows, so a concurrent `bank_account_set`
    is neither lost nor overwritten with an older number.
    """
    rotated = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            wallets = list(
                Wallet.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .exclude(bank_account_number_encrypted="")
                .order_by("pk")[:batch_size]
            )
            if not wallets:
                return rotated
            for wallet in wallets:
                wallet.bank_account_number_encrypted = crypto.rotate(wallet.bank_account_number_encrypted)
            Wallet.objects.bulk_update(wallets, ["bank_account_number_encrypted"])
        rotated += len(wallets)
        last_pk = wallets[-1].pk
