"""manage.py wallet_reconcile: clean when everything is explained, loud when not."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import UserFactory, funded_wallet
from wallet.models import LedgerEntry, TopUp, Withdrawal
from wallet.services.balances import (
    PLATFORM_FEES_REFERENCE,
    platform_wallet_get_or_create,
    wallet_capture,
    wallet_credit,
    wallet_get_or_create,
    wallet_hold,
    wallet_transfer,
)

pytestmark = pytest.mark.django_db
Type = LedgerEntry.Type


def reconcile() -> str:
    out = StringIO()
    call_command("wallet_reconcile", stdout=out, stderr=out)
    return out.getvalue()


def paid_topup(user, amount: str) -> TopUp:
    wallet = wallet_get_or_create(user=user)
    topup = TopUp.objects.create(user=user, wallet=wallet, amount=Decimal(amount), status=TopUp.Status.SUCCEEDED)
    wallet_credit(wallet=wallet, amount=topup.amount, transaction_type=Type.TOPUP, description="Card top-up")
    return topup


def test_topups_fees_and_a_completed_withdrawal_reconcile(user):
    # given money in by card, some moved to a fees wallet, and a withdrawal paid out
    paid_topup(user, "200.00")
    wallet = wallet_get_or_create(user=user)
    fees = platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE)
    wallet_hold(wallet=wallet, amount=Decimal("51.00"), description="Withdrawal")
    Withdrawal.objects.create(
        user=user,
        wallet=wallet,
        amount=Decimal("50.00"),
        fee=Decimal("1.00"),
        total=Decimal("51.00"),
        status=Withdrawal.Status.COMPLETED,
        bank_name="Maybank",
        bank_last4="1234",
    )
    wallet_capture(wallet=wallet, amount=Decimal("50.00"), transaction_type=Type.WITHDRAWAL, description="Paid")
    wallet_transfer(
        source=wallet,
        destination=fees,
        amount=Decimal("1.00"),
        transaction_type=Type.WITHDRAWAL_FEE,
        description="Fee",
        from_pending=True,
    )
    funded_wallet(UserFactory(), "5.00")  # a staff adjustment

    output = reconcile()

    assert "Reconciled" in output
    assert "Money held in wallets: 155.00" in output


def test_money_without_a_stripe_record_is_reported(user):
    wallet = wallet_get_or_create(user=user)
    wallet_credit(wallet=wallet, amount=Decimal("99.00"), transaction_type=Type.TOPUP, description="No intent")

    with pytest.raises(CommandError, match="1 difference"):
        reconcile()


def test_a_balance_changed_behind_the_ledger_is_reported(user):
    wallet = funded_wallet(user, "10.00")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wallet_wallet SET usable_balance = 20, current_balance = 20 WHERE id = %s", [wallet.pk])

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("wallet_reconcile", stdout=out, stderr=out)

    assert f"wallet {wallet.reference}: ledger sums usable 10.00 / pending 0.00, stored 20.00 / 0.00" in out.getvalue()
