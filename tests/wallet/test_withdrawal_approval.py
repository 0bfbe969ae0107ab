"""Approving and rejecting withdrawals against the fake bank, a real HTTP server (daphne)."""

import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import Sum
from django.utils import timezone

from driftwood.core.exceptions import DomainError
from driftwood.dev.fake_bank import REFUSAL_REASON
from tests.concurrency.helpers import run_in_threads
from tests.factories import UserFactory
from tests.wallet.bank_support import ACCOUNT_NUMBER, ready_to_withdraw
from wallet.bank import Outcome, bank_client
from wallet.exceptions import AlreadyProcessed, NeedsReview, StaffOnly
from wallet.models import LedgerEntry, Wallet, Withdrawal
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE
from wallet.services.bank_accounts import bank_account_set
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request

pytestmark = pytest.mark.django_db
Status = Withdrawal.Status


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def player(db):
    return UserFactory()


def _requested(player, amount: str = "50.00", *, funds: str = "100.00") -> Withdrawal:
    ready_to_withdraw(player, funds)
    return withdrawal_request(user=player, amount=Decimal(amount), ip="203.0.113.9", user_agent="test")


def _balances(user) -> tuple[Decimal, Decimal, Decimal]:
    wallet = Wallet.objects.get(owner=user)
    return wallet.current_balance, wallet.usable_balance, wallet.pending_balance


def _fees_collected() -> Decimal:
    fees = Wallet.objects.filter(reference=PLATFORM_FEES_REFERENCE).first()
    return fees.usable_balance if fees else Decimal("0.00")


def test_an_accepted_payout_completes_and_the_money_leaves(
    player, staff, fake_bank, eager_mail, django_capture_on_commit_callbacks
):
    # given a pending withdrawal of 50.00 (+ 1.00 fee) from a wallet of 100.00
    withdrawal = _requested(player)

    # when staff approve it
    with django_capture_on_commit_callbacks(execute=True):
        result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    # then the bank was paid 50.00 to the full account number, once, under the withdrawal's id
    assert result.status == Status.COMPLETED
    assert [(p["reference"], p["amount"], p["account_number"]) for p in fake_bank.payouts()] == [
        (str(withdrawal.pk), "50.00", ACCOUNT_NUMBER)
    ]
    # and the amount left the wallet, the fee went to the platform
    assert _balances(player) == (Decimal("49.00"), Decimal("49.00"), Decimal("0.00"))
    assert _fees_collected() == Decimal("1.00")
    result.refresh_from_db()
    assert (result.processed_by, result.payout_reference) == (staff, str(withdrawal.pk))
    assert result.processed_at is not None
    rows = LedgerEntry.objects.filter(metadata__withdrawal_id=withdrawal.pk).order_by("id")
    assert [(row.wallet.reference, row.transaction_type, row.amount, row.pending_amount) for row in rows] == [
        (f"user:{player.pk}", "hold", Decimal("-51.00"), Decimal("51.00")),
        (f"user:{player.pk}", "withdrawal_fee", Decimal("0.00"), Decimal("-1.00")),
        ("platform:fees", "withdrawal_fee", Decimal("1.00"), Decimal("0.00")),
        (f"user:{player.pk}", "withdrawal", Decimal("0.00"), Decimal("-50.00")),
        ("bank:payouts", "withdrawal", Decimal("50.00"), Decimal("0.00")),
    ]
    assert wallet_reconcile().problems == []
    # and the player was told
    assert [message.to for message in mail.outbox] == [[player.email]]
    assert "paid out" in mail.outbox[0].subject
    assert "•••• 9012" in mail.outbox[0].body


def test_a_refused_payout_fails_and_returns_the_total(
    player, staff, fake_bank, eager_mail, django_capture_on_commit_callbacks
):
    withdrawal = _requested(player)
    fake_bank.mode("refuse")

    with django_capture_on_commit_callbacks(execute=True):
        result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    assert result.status == Status.FAILED
    assert result.failure_reason == REFUSAL_REASON
    assert fake_bank.payouts() == []
    assert _balances(player) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert _fees_collected() == Decimal("0.00")
    assert "could not be paid out" in mail.outbox[0].subject
    assert REFUSAL_REASON in mail.outbox[0].body
    assert wallet_reconcile().problems == []


def test_a_bank_that_hangs_leaves_the_withdrawal_processing_with_the_total_pending(
    player, staff, fake_bank, settings, eager_mail, django_capture_on_commit_callbacks
):
    # given a bank that never answers (and never pays)
    withdrawal = _requested(player)
    fake_bank.mode("hang")
    settings.BANK_API_TIMEOUT_SECONDS = 0.5

    # when staff approve the withdrawal
    with django_capture_on_commit_callbacks(execute=True):
        result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    # then a timeout is not a refusal: it is processing, the total still pending, the player not told yet
    assert result.status == Status.PROCESSING
    result.refresh_from_db()
    assert (result.payout_attempts, result.last_payout_error, result.failure_reason) == (
        1,
        "The bank did not answer within 0.5 seconds.",
        "",
    )
    assert (result.processed_by, result.payout_reference) == (staff, str(withdrawal.pk))
    assert result.processing_since is not None and result.processed_at is None
    assert result.next_payout_attempt_at > result.last_payout_attempt_at
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))
    assert mail.outbox == []
    assert wallet_reconcile().problems == []


def test_a_wrong_bank_key_fails_without_paying(player, staff, fake_bank, settings):
    withdrawal = _requested(player)
    settings.BANK_API_KEY = "not-the-key"

    result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    assert (result.status, result.failure_reason) == (Status.FAILED, "The bank answered HTTP 401.")
    assert fake_bank.payouts() == []


def test_approving_again_after_a_lost_commit_does_not_pay_twice(player, staff, fake_bank):
    # given the bank already paid this withdrawal's reference, but our commit was lost
    withdrawal = _requested(player)
    first = bank_client().payout(
        reference=str(withdrawal.pk),
        amount=withdrawal.amount,
        account_number=ACCOUNT_NUMBER,
        account_holder_name="Ali Bin Abu",
        bank_name="Maybank",
    )
    assert first.outcome == Outcome.ACCEPTED

    # when staff approve it (again, as far as the bank knows)
    result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    # then it completes, and the bank still made one payout
    assert result.status == Status.COMPLETED
    assert len(fake_bank.payouts()) == 1


def test_reject_returns_the_total_and_tells_the_player(player, staff, eager_mail, django_capture_on_commit_callbacks):
    withdrawal = _requested(player)

    with django_capture_on_commit_callbacks(execute=True):
        result = withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason=" Account name mismatch ")

    assert (result.status, result.failure_reason, result.processed_by) == (
        Status.REJECTED,
        "Account name mismatch",
        staff,
    )
    assert _balances(player) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert "rejected" in mail.outbox[0].subject
    assert "Account name mismatch" in mail.outbox[0].body
    release = LedgerEntry.objects.filter(wallet__owner=player).latest("id")
    assert (release.transaction_type, release.amount, release.pending_amount) == (
        "release",
        Decimal("51.00"),
        Decimal("-51.00"),
    )


def test_a_rejection_needs_a_reason(player, staff):
    withdrawal = _requested(player)

    with pytest.raises(DomainError) as refused:
        withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="   ")

    assert refused.value.errors == {"reason": ["This field is required."]}
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.PENDING


@pytest.mark.parametrize("finish", ["approve", "reject"])
def test_a_finished_withdrawal_cannot_be_processed_again(player, staff, fake_bank, finish):
    withdrawal = _requested(player)
    if finish == "approve":
        withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    else:
        withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="No")

    with pytest.raises(AlreadyProcessed):
        withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    with pytest.raises(AlreadyProcessed):
        withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="No")
    assert len(fake_bank.payouts()) == (1 if finish == "approve" else 0)


def test_only_staff_may_process(player, fake_bank):
    withdrawal = _requested(player)

    with pytest.raises(StaffOnly):
        withdrawal_approve(withdrawal_id=withdrawal.pk, staff=player)
    with pytest.raises(StaffOnly):
        withdrawal_reject(withdrawal_id=withdrawal.pk, staff=player, reason="No")
    assert fake_bank.payouts() == []


def test_a_flagged_withdrawal_needs_a_logged_override(player, staff, fake_bank, caplog):
    # given a withdrawal requested right after the bank account was linked
    ready_to_withdraw(player, "100.00")
    Wallet.objects.filter(owner=player).update(bank_account_changed_at=timezone.now())
    withdrawal = withdrawal_request(user=player, amount=Decimal("20.00"), ip=None, user_agent="")
    assert withdrawal.status == Status.REVIEW

    # when staff approve it without, then with, a reason
    with pytest.raises(NeedsReview):
        withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff, override_reason="")
    assert fake_bank.payouts() == []
    with caplog.at_level(logging.WARNING, logger="driftwood.wallet"):
        result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff, override_reason="Verified by phone")

    # then it is paid, and the override is recorded and logged with the staff member
    assert result.status == Status.COMPLETED
    result.refresh_from_db()
    assert (result.override_reason, result.processed_by) == ("Verified by phone", staff)
    assert any(
        "overrode fraud flags" in record.getMessage()
        and staff.username in record.getMessage()
        and "Verified by phone" in record.getMessage()
        for record in caplog.records
    )


def test_a_bank_change_after_the_request_stops_the_approval(player, staff, fake_bank):
    # given a clean pending withdrawal, then a new bank account linked
    withdrawal = _requested(player)
    assert withdrawal.status == Status.PENDING
    bank_account_set(user=player, bank_name="CIMB", account_number="8000000000004321", account_holder_name="Someone")

    # when staff approve it without an override
    with pytest.raises(NeedsReview):
        withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    # then nothing was paid and it waits in review, saying why
    assert fake_bank.payouts() == []
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.REVIEW
    assert [flag["code"] for flag in withdrawal.fraud_flags] == ["bank_account_changed"]
    assert "after the request" in withdrawal.fraud_flags[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_staff_approving_at_the_same_moment_pay_out_once(player, fake_bank):
    # given one pending withdrawal and eight staff members
    withdrawal = _requested(player)
    staff_members = [UserFactory(is_staff=True) for _ in range(8)]

    # when all of them approve it at once
    outcomes = run_in_threads(
        8, lambda index: withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff_members[index])
    )

    # then one approval completed it, the others were told it was already processed
    completed = [outcome for outcome in outcomes if isinstance(outcome, Withdrawal)]
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, AlreadyProcessed)]
    assert (len(completed), len(conflicts)) == (1, 7), outcomes
    assert completed[0].status == Status.COMPLETED
    # and the bank saw exactly one payout, the wallet paid once
    assert len(fake_bank.payouts()) == 1
    assert _balances(player) == (Decimal("49.00"), Decimal("49.00"), Decimal("0.00"))
    assert LedgerEntry.objects.filter(transaction_type="withdrawal", wallet__kind="player").count() == 1
    assert wallet_reconcile().problems == []


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_at_the_same_moment_settle_once(player, staff, fake_bank):
    withdrawal = _requested(player)

    def process(index: int) -> Withdrawal:
        if index % 2:
            return withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="Race")
        return withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    outcomes = run_in_threads(6, process)

    [winner] = [outcome for outcome in outcomes if isinstance(outcome, Withdrawal)]
    assert sum(isinstance(outcome, AlreadyProcessed) for outcome in outcomes) == 5
    assert len(fake_bank.payouts()) == (1 if winner.status == Status.COMPLETED else 0)
    ledger = LedgerEntry.objects.filter(wallet__owner=player).aggregate(
        usable=Sum("amount"), pending=Sum("pending_amount")
    )
    assert (ledger["usable"], ledger["pending"]) == _balances(player)[1:]
    assert _balances(player)[2] == Decimal("0.00")
