"""50 staff approvals and payout retries of the same withdrawal at once, against the fake bank
(a real daphne process): the bank pays the reference once and the ledger records it once."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.concurrency.helpers import run_in_threads
from tests.factories import UserFactory
from tests.wallet.bank_support import ready_to_withdraw
from wallet.exceptions import AlreadyProcessed
from wallet.models import LedgerEntry, Wallet, Withdrawal
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import BANK_PAYOUTS
from wallet.services.payouts import withdrawal_payout_retry
from wallet.services.withdrawals import withdrawal_approve, withdrawal_request

pytestmark = pytest.mark.django_db(transaction=True)
Status = Withdrawal.Status
THREADS = 50


def _requested(player) -> Withdrawal:
    ready_to_withdraw(player, "100.00")
    return withdrawal_request(user=player, amount=Decimal("50.00"), ip=None, user_agent="test")


def _assert_paid_once(player, withdrawal: Withdrawal, bank) -> None:
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.COMPLETED
    assert [payout["reference"] for payout in bank.payouts()] == [str(withdrawal.pk)]
    legs = LedgerEntry.objects.filter(wallet__reference=BANK_PAYOUTS, metadata__withdrawal_id=withdrawal.pk)
    assert list(legs.values_list("amount", flat=True)) == [Decimal("50.00")]
    wallet = Wallet.objects.get(owner=player)
    assert (wallet.current_balance, wallet.usable_balance, wallet.pending_balance) == (
        Decimal("49.00"),
        Decimal("49.00"),
        Decimal("0.00"),
    )
    assert wallet_reconcile().problems == []


def test_fifty_approvals_and_retries_of_a_pending_withdrawal_pay_once(fake_bank):
    # given a pending withdrawal and a staff member per thread
    player = UserFactory()
    withdrawal = _requested(player)
    staff = [UserFactory(is_staff=True) for _ in range(THREADS)]

    # when half of them approve it and half press "Retry payout now", all at once
    def act(index: int):
        if index % 2:
            return withdrawal_payout_retry(withdrawal_id=withdrawal.pk, force=True)
        return withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff[index])

    outcomes = run_in_threads(THREADS, act)

    # then one approval went through and the other approvals were told it was already processed
    approvals = outcomes[::2]
    assert sum(isinstance(outcome, Withdrawal) for outcome in approvals) == 1, approvals
    assert sum(isinstance(outcome, AlreadyProcessed) for outcome in approvals) == THREADS // 2 - 1
    assert not [
        outcome for outcome in outcomes if isinstance(outcome, Exception) and not isinstance(outcome, AlreadyProcessed)
    ]
    # and the bank paid the reference once, the ledger recorded it once
    _assert_paid_once(player, withdrawal, fake_bank)


@pytest.mark.parametrize("first_answer", ["pay_then_503", "503"], ids=["paid_answer_lost", "not_paid"])
def test_fifty_retries_of_a_processing_withdrawal_pay_once(fake_bank, first_answer):
    # given a withdrawal left processing (the bank paid and the answer was lost, or it paid nothing)
    player = UserFactory()
    withdrawal = _requested(player)
    staff = UserFactory(is_staff=True)
    fake_bank.mode(first_answer)
    assert withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff).status == Status.PROCESSING
    # and the bank answering again once the next attempt is due
    fake_bank.mode("accept")
    Withdrawal.objects.filter(pk=withdrawal.pk).update(next_payout_attempt_at=timezone.now())

    # when approvals, the retry task and sweep (due attempts) and staff's "retry now" run at once
    def act(index: int):
        if index % 3 == 0:
            return withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
        return withdrawal_payout_retry(withdrawal_id=withdrawal.pk, force=index % 3 == 1)

    outcomes = run_in_threads(THREADS, act)

    # then every approval was refused as already processed, no retry failed
    assert all(isinstance(outcome, AlreadyProcessed) for outcome in outcomes[::3]), outcomes
    retries = [outcome for index, outcome in enumerate(outcomes) if index % 3]
    assert all(outcome is None or isinstance(outcome, Withdrawal) for outcome in retries), retries
    # and the payout was made once, recorded once
    _assert_paid_once(player, withdrawal, fake_bank)
