"""manage.py wallet_reconcile (and the daily beat task): clean when everything is explained, loud when not."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from driftwood.notifications.models import Notification
from tests.factories import UserFactory, funded_wallet
from wallet import tasks
from wallet.models import LedgerEntry, TopUp, Withdrawal
from wallet.services.balances import (
    BANK_PAYOUTS,
    PLATFORM_FEES_REFERENCE,
    STRIPE_CLEARING,
    platform_wallet_get_or_create,
    system_account,
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
    topup = TopUp.objects.create(
        user=user, wallet=wallet, amount=Decimal(amount), status=TopUp.Status.SUCCEEDED, succeeded_at=timezone.now()
    )
    wallet_credit(
        wallet=wallet,
        amount=topup.amount,
        source=system_account(STRIPE_CLEARING),
        transaction_type=Type.TOPUP,
        description="Card top-up",
    )
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
    wallet_transfer(
        source=wallet,
        destination=system_account(BANK_PAYOUTS),
        amount=Decimal("50.00"),
        transaction_type=Type.WITHDRAWAL,
        description="Paid",
        from_pending=True,
    )
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
    assert "Ledger total (must be 0): 0.00" in output
    assert "Stripe in 200.00, bank out 50.00, card refunds 0.00, adjustments 5.00" in output


def test_money_without_a_stripe_record_is_reported(user):
    wallet = wallet_get_or_create(user=user)
    wallet_credit(
        wallet=wallet,
        amount=Decimal("99.00"),
        source=system_account(STRIPE_CLEARING),
        transaction_type=Type.TOPUP,
        description="No intent",
    )

    out = StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("wallet_reconcile", stdout=out, stderr=out)

    assert "Stripe clearing booked 99.00 in, but Stripe captured 0.00" in out.getvalue()


def test_a_completed_withdrawal_the_ledger_never_paid_out_is_reported(user):
    wallet = funded_wallet(user, "100.00")
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

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("wallet_reconcile", stdout=out, stderr=out)

    assert "bank payouts booked 0.00, but completed withdrawals paid 50.00" in out.getvalue()


def test_a_balance_changed_behind_the_ledger_is_reported(user):
    wallet = funded_wallet(user, "10.00")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wallet_wallet SET usable_balance = 20, current_balance = 20 WHERE id = %s", [wallet.pk])

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("wallet_reconcile", stdout=out, stderr=out)

    assert f"wallet {wallet.reference}: ledger sums usable 10.00 / pending 0.00, stored 20.00 / 0.00" in out.getvalue()


def test_the_daily_task_alerts_staff_and_logs_an_error_on_a_difference(user, staff_user, caplog):
    wallet = funded_wallet(user, "10.00")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wallet_wallet SET usable_balance = 20, current_balance = 20 WHERE id = %s", [wallet.pk])

    problems = tasks.wallet_reconcile.apply().get()

    assert problems == 2  # the ledger's sums and its last row both disagree with the stored balance
    alert = Notification.objects.get(user=staff_user)
    assert alert.kind == "wallet_reconcile_failed"
    assert "ledger sums usable 10.00" in alert.body
    assert not Notification.objects.filter(user=user).exists()
    assert any(record.levelname == "ERROR" and "ledger sums" in record.getMessage() for record in caplog.records)


def test_the_daily_task_is_quiet_when_the_books_balance(user, staff_user):
    funded_wallet(user, "10.00")

    assert tasks.wallet_reconcile.apply().get() == 0
    assert not Notification.objects.exists()


def test_reconciliation_runs_daily_from_the_beat():
    from driftwood.celery import app

    schedules = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert "wallet.tasks.wallet_reconcile" in schedules
    assert "wallet.tasks.card_refunds_retry" in schedules
