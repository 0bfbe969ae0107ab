"""Withdrawals whose bank outcome is unknown (a timeout, a 5xx, an unreachable bank): they stay
`processing` with the total pending, are retried by the same reference until the bank answers
definitely, and are paid at most once. The bank is the fake bank, a real daphne process."""

import logging
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import connection
from django.utils import timezone

from driftwood.celery import app
from driftwood.dev.fake_bank import REFUSAL_REASON
from driftwood.notifications.models import Notification
from tests import services
from tests.factories import UserFactory
from tests.wallet.bank_support import ACCOUNT_NUMBER, FakeBank, ready_to_withdraw
from wallet.exceptions import AlreadyProcessed
from wallet.models import LedgerEntry, Wallet, Withdrawal
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import BANK_PAYOUTS
from wallet.services.bank_accounts import bank_account_set
from wallet.services.payouts import retry_delay, withdrawal_payout_retry
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request
from wallet.tasks import withdrawal_payout_retry as withdrawal_payout_retry_task
from wallet.tasks import withdrawals_processing_sweep

pytestmark = pytest.mark.django_db
Status = Withdrawal.Status
TIMEOUT = 0.5


@pytest.fixture
def bank(fake_bank, settings):
    """The fake bank, with a client that gives up quickly (tests of hanging banks stay short)."""
    settings.BANK_API_TIMEOUT_SECONDS = TIMEOUT
    return fake_bank


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def player(db):
    return UserFactory()


@pytest.fixture
def outcomes_run(eager_mail, django_capture_on_commit_callbacks):
    """Run a service and what it queues on commit (e-mail) at once, like a worker would."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def _requested(player) -> Withdrawal:
    ready_to_withdraw(player, "100.00")
    return withdrawal_request(user=player, amount=Decimal("50.00"), ip=None, user_agent="test")


def _balances(user) -> tuple[Decimal, Decimal, Decimal]:
    wallet = Wallet.objects.get(owner=user)
    return wallet.current_balance, wallet.usable_balance, wallet.pending_balance


def _time_passes(withdrawal: Withdrawal, *, processing_for: timedelta | None = None) -> None:
    """The next attempt falls due (and, optionally, the payout has been processing this long)."""
    changes = {"next_payout_attempt_at": timezone.now() - timedelta(seconds=1)}
    if processing_for is not None:
        changes["processing_since"] = timezone.now() - processing_for
    Withdrawal.objects.filter(pk=withdrawal.pk).update(**changes)


def _paid_references(bank) -> list[str]:
    return [payout["reference"] for payout in bank.payouts()]


def _bank_payout_legs(withdrawal: Withdrawal) -> list[Decimal]:
    legs = LedgerEntry.objects.filter(wallet__reference=BANK_PAYOUTS, metadata__withdrawal_id=withdrawal.pk)
    return list(legs.values_list("amount", flat=True))


def _approved_into_processing(player, staff, bank, mode: str, run) -> Withdrawal:
    withdrawal = _requested(player)
    bank.mode(mode)
    result = run(withdrawal_approve, withdrawal_id=withdrawal.pk, staff=staff)
    assert result.status == Status.PROCESSING
    return result


def _assert_paid_once(player, withdrawal: Withdrawal, bank) -> None:
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.COMPLETED
    assert (withdrawal.next_payout_attempt_at, withdrawal.failure_reason) == (None, "")
    assert withdrawal.processed_at is not None
    assert _balances(player) == (Decimal("49.00"), Decimal("49.00"), Decimal("0.00"))
    assert _paid_references(bank) == [str(withdrawal.pk)]
    assert _bank_payout_legs(withdrawal) == [Decimal("50.00")]
    assert [message.subject for message in mail.outbox] == ["Your withdrawal of RM 50.00 has been paid out"]
    assert wallet_reconcile().problems == []


def test_a_bank_that_pays_then_times_out_completes_once_it_answers_again(player, staff, bank, outcomes_run):
    # given a bank that pays the payout, then never answers
    withdrawal = _approved_into_processing(player, staff, bank, "pay_then_hang", outcomes_run)

    # then the withdrawal waits in processing: paid at the bank, the total still pending here
    assert _paid_references(bank) == [str(withdrawal.pk)]
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))
    assert withdrawal.last_payout_error == f"The bank did not answer within {TIMEOUT:g} seconds."
    assert mail.outbox == []
    assert wallet_reconcile().problems == []

    # when the bank is down for the next attempt (every call 503)
    bank.mode("503")
    _time_passes(withdrawal)
    assert outcomes_run(withdrawals_processing_sweep) == 1

    # then it is still processing, and the money has not come back to usable
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_attempts) == (Status.PROCESSING, 2)
    assert withdrawal.last_payout_error == "The payout service is temporarily unavailable."
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))

    # when the bank answers again and the sweep's next attempt is due
    bank.mode("accept")
    _time_passes(withdrawal)
    assert outcomes_run(withdrawals_processing_sweep) == 1

    # then the lookup finds the payout: completed, paid once, the player told once
    _assert_paid_once(player, withdrawal, bank)


def test_a_bank_that_pays_then_answers_503_completes_on_the_retry_task(player, staff, bank, outcomes_run):
    # given a bank that pays, then answers 503
    withdrawal = _approved_into_processing(player, staff, bank, "pay_then_503", outcomes_run)
    assert withdrawal.last_payout_error == "The payout service is temporarily unavailable."
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))

    # when the retry task runs once its attempt is due (lookups work again)
    _time_passes(withdrawal)
    outcome = outcomes_run(withdrawal_payout_retry_task.apply, kwargs={"withdrawal_id": withdrawal.pk})

    # then it completes without a second payout
    assert outcome.get() == Status.COMPLETED
    _assert_paid_once(player, withdrawal, bank)


def test_a_refusal_after_an_unknown_outcome_fails_the_withdrawal_and_returns_the_money(
    player, staff, bank, outcomes_run
):
    # given an approval the bank answered 503 without paying
    withdrawal = _approved_into_processing(player, staff, bank, "503", outcomes_run)
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))

    # when the bank refuses the re-sent payout
    bank.mode("refuse")
    _time_passes(withdrawal)
    result = outcomes_run(withdrawal_payout_retry, withdrawal_id=withdrawal.pk)

    # then a definite refusal fails it: the money is back in usable and the player told once
    assert (result.status, result.failure_reason, result.payout_attempts) == (Status.FAILED, REFUSAL_REASON, 2)
    assert _balances(player) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert bank.payouts() == []
    assert _bank_payout_legs(withdrawal) == []
    assert [message.subject for message in mail.outbox] == ["Your withdrawal of RM 50.00 could not be paid out"]
    assert wallet_reconcile().problems == []


def test_an_unreachable_bank_loses_nothing_and_the_payout_completes_when_it_is_back(
    player, staff, bank, settings, outcomes_run
):
    # given a bank whose port is closed (its process is not running)
    port = services.free_port()
    settings.BANK_API_URL = f"http://127.0.0.1:{port}"
    withdrawal = _approved_into_processing(player, staff, bank, "accept", outcomes_run)
    assert withdrawal.last_payout_error == "The bank could not be reached (ConnectError)."

    # when the next attempt finds it still down
    _time_passes(withdrawal)
    assert outcomes_run(withdrawals_processing_sweep) == 1

    # then nothing is lost: still processing, the total pending
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_attempts) == (Status.PROCESSING, 2)
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))
    assert wallet_reconcile().problems == []

    # when the bank's process is back on its port and the next attempt is due
    restarted = FakeBank(api_key=settings.BANK_API_KEY, port=port)
    try:
        _time_passes(withdrawal)
        assert outcomes_run(withdrawals_processing_sweep) == 1

        # then the lookup finds nothing, the same reference is sent once and accepted
        assert [(p["reference"], p["amount"], p["account_number"]) for p in restarted.payouts()] == [
            (str(withdrawal.pk), "50.00", ACCOUNT_NUMBER)
        ]
        _assert_paid_once(player, withdrawal, restarted)
    finally:
        restarted.stop()


@pytest.mark.django_db(transaction=True)
def test_the_bank_is_called_outside_any_transaction_once_processing_is_committed(
    player, staff, bank, monkeypatch, settings
):
    # given a spy on every HTTP call to the bank, noting the database's state at that moment
    seen = []
    send = httpx.Client.request

    def spy(client, method, url, **kwargs):
        if client is not bank.http:  # the test's own line to the fake bank's controls
            seen.append((method, connection.in_atomic_block, Withdrawal.objects.get(pk=withdrawal.pk).status))
        return send(client, method, url, **kwargs)

    withdrawal = _requested(player)
    monkeypatch.setattr(httpx.Client, "request", spy)

    # when staff approve it while the bank is down, then the retry finds it back
    bank.mode("503")
    withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    bank.mode("accept")
    withdrawal_payout_retry(withdrawal_id=withdrawal.pk, force=True)

    # then every call (payout, lookup, re-send) ran outside any transaction, after `processing` committed
    assert seen == [("POST", False, "processing"), ("GET", False, "processing"), ("POST", False, "processing")]
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == Status.COMPLETED
    assert wallet_reconcile().problems == []


def test_payout_retries_run_on_the_high_queue_and_the_sweep_every_minute():
    schedules = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}

    assert schedules["wallet.tasks.withdrawals_processing_sweep"] == 60.0
    for task in ("wallet.tasks.withdrawal_payout_retry", "wallet.tasks.withdrawals_processing_sweep"):
        assert app.amqp.router.route({}, task)["queue"].name == "high"


def test_a_processing_withdrawal_cannot_be_approved_or_rejected_again(player, staff, bank, outcomes_run):
    withdrawal = _approved_into_processing(player, staff, bank, "503", outcomes_run)

    with pytest.raises(AlreadyProcessed):
        withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    with pytest.raises(AlreadyProcessed):
        withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="Changed my mind")

    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_attempts) == (Status.PROCESSING, 1)
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))


def test_a_retry_before_its_time_sends_nothing(player, staff, bank, outcomes_run):
    # given a processing withdrawal whose next attempt is not due yet
    withdrawal = _approved_into_processing(player, staff, bank, "503", outcomes_run)
    bank.mode("accept")

    # when the retry and the sweep run early
    assert withdrawal_payout_retry(withdrawal_id=withdrawal.pk) is None
    assert withdrawals_processing_sweep() == 0

    # then nothing was sent or settled; staff's "retry now" does not wait
    assert bank.payouts() == []
    assert Withdrawal.objects.get(pk=withdrawal.pk).payout_attempts == 1
    assert withdrawal_payout_retry(withdrawal_id=withdrawal.pk, force=True).status == Status.COMPLETED
    assert _paid_references(bank) == [str(withdrawal.pk)]


def test_the_bank_account_changed_after_approval_is_never_paid(player, staff, bank, outcomes_run):
    # given a payout the bank never received, then the player links another account
    withdrawal = _approved_into_processing(player, staff, bank, "503", outcomes_run)
    bank_account_set(user=player, bank_name="CIMB", account_number="8000000000004321", account_holder_name="Someone")

    # when the retry finds the bank has no payout for the reference
    bank.mode("accept")
    _time_passes(withdrawal)
    result = outcomes_run(withdrawal_payout_retry, withdrawal_id=withdrawal.pk)

    # then it is not sent to the new account: failed, the money back in usable
    assert result.status == Status.FAILED
    assert "changed after the approval" in result.failure_reason
    assert bank.payouts() == []
    assert _balances(player) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
    assert wallet_reconcile().problems == []


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (20, 3600)],
)
def test_retries_back_off_exponentially_capped_at_an_hour(attempts, seconds):
    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_the_retry_task_is_retried_with_the_backoff_as_countdown(player, staff, bank, settings, outcomes_run):
    # given Celery running tasks eagerly, and an approval the bank answered 503
    settings.CELERY_TASK_ALWAYS_EAGER = True
    withdrawal = _approved_into_processing(player, staff, bank, "503", outcomes_run)
    # (the task queued by the approval ran at once, found its attempt not due and stopped)
    assert Withdrawal.objects.get(pk=withdrawal.pk).payout_attempts == 1

    # when the task runs for each due attempt while the bank stays down
    countdowns = []
    for _ in range(3):
        _time_passes(withdrawal)
        with pytest.raises(Retry) as retried:
            withdrawal_payout_retry_task.delay(withdrawal_id=withdrawal.pk)
        countdowns.append(retried.value.when)

    # then each unknown outcome asked Celery to run the task again after the doubled delay
    assert countdowns == [60, 120, 240]
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_attempts) == (Status.PROCESSING, 4)
    assert withdrawal.next_payout_attempt_at - withdrawal.last_payout_attempt_at == timedelta(seconds=240)
    assert _balances(player) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))

    # when the bank is back and the task runs again
    bank.mode("accept")
    _time_passes(withdrawal)
    outcome = outcomes_run(withdrawal_payout_retry_task.delay, withdrawal_id=withdrawal.pk)

    # then it ends, not retried, with the withdrawal completed
    assert outcome.get() == Status.COMPLETED
    _assert_paid_once(player, withdrawal, bank)


def test_a_payout_processing_over_an_hour_alerts_every_staff_member_once(player, staff, bank, outcomes_run, caplog):
    # given two processing withdrawals, one for over an hour, one for a few minutes, and the bank down
    other_staff = UserFactory(is_staff=True)
    UserFactory(is_staff=True, is_active=False)
    stuck = _approved_into_processing(player, staff, bank, "503", outcomes_run)
    recent = _approved_into_processing(UserFactory(), staff, bank, "503", outcomes_run)
    _time_passes(stuck, processing_for=timedelta(minutes=61))
    _time_passes(recent, processing_for=timedelta(minutes=5))

    # when the sweep runs twice
    with caplog.at_level(logging.ERROR, logger="driftwood.wallet"):
        assert withdrawals_processing_sweep() == 2
        withdrawals_processing_sweep()

    # then the stuck one was logged at ERROR and each active staff member notified, once
    errors = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert f"withdrawal {stuck.pk} stuck in processing" in errors[0]
    assert ACCOUNT_NUMBER not in errors[0] and "•9012" in errors[0]
    alerts = Notification.objects.filter(kind="withdrawal_processing_stuck")
    assert sorted(alerts.values_list("user_id", flat=True)) == sorted([staff.pk, other_staff.pk])
    assert {alert.data["withdrawal_id"] for alert in alerts} == {stuck.pk}
    assert alerts[0].url == f"/admin/wallet/withdrawal/{stuck.pk}/change/"
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.stuck_alerted_at is not None and recent.stuck_alerted_at is None
    # and it is still processing, its money pending
    assert (stuck.status, _balances(player)[2]) == (Status.PROCESSING, Decimal("51.00"))
