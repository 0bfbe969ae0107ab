"""Withdrawals to the player's bank: request (hold), approve (bank payout) or reject.

Request: amount + fee move from usable to pending in one transaction that locks the wallet
row, so concurrent requests can neither overdraw the wallet nor slip past the fraud checks
(each one sees the requests committed before it). Flagged requests wait in `review`.

Approve never calls the bank inside a database transaction. Transaction 1 locks the
withdrawal, re-runs the fraud checks and moves it to `processing` (the row now says a payout
is owed); whoever gets the lock first does so, and everyone after sees it is no longer open
(409 already_processed), so staff clicking at once send one payout. Then the bank is called
with the withdrawal id as reference, the bank's idempotency key. Transaction 2 locks the row
again and settles it, only if it is still `processing`: accepted -> `completed`, a definite
refusal -> `failed` with the total back in usable. Any other answer is unknown (the bank may
have paid): the total stays pending and the payout is retried, first asking the bank for the
reference, re-sending it only if the bank has none, with capped exponential backoff, until
the bank answers definitely (the `withdrawal_payout_retry` task, the beat's sweep, or staff's
"Retry payout now"). Staff are alerted once about a payout processing for over an hour.

The player is e-mailed once, on the final outcome (completed, failed, rejected), once committed.
"""

import ipaddress
import logging
import math
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from driftwood.core.crypto import DecryptionFailed
from driftwood.core.exceptions import DomainError
from driftwood.core.money import CENTS, format_money
from driftwood.notifications.services import email_send, staff_notify
from wallet.bank import Outcome, PayoutResult, bank_client
from wallet.exceptions import (
    AlreadyProcessed,
    InsufficientBalance,
    InvalidAmount,
    NeedsReview,
    NoBankAccount,
    StaffOnly,
)
from wallet.models import LedgerEntry, Wallet, Withdrawal
from wallet.services.balances import (
    BANK_PAYOUTS,
    PLATFORM_FEES_REFERENCE,
    platform_wallet_get_or_create,
    system_account,
    wallet_get_or_create,
    wallet_hold,
    wallet_release,
    wallet_transfer,
)
from wallet.services.bank_accounts import bank_account_number
from wallet.services.fraud import fraud_flag_codes, open_withdrawal_flags, withdrawal_fraud_flags

logger = logging.getLogger("driftwood.wallet")

Status = Withdrawal.Status
USER_AGENT_MAX = 512


def _ringgit(amount: Decimal) -> str:
    """RM 10 rather than RM 10.00 in the rule messages."""
    text = format_money(amount)
    return text.removesuffix(".00")


def _invalid_amount(message: str):
    return InvalidAmount(message, errors={"amount": [message]})


def _checked_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount != amount.quantize(CENTS) or amount <= 0:
        raise _invalid_amount(InvalidAmount.default_message)
    if amount < settings.WITHDRAWAL_MIN:
        raise _invalid_amount(f"Minimum withdrawal RM {_ringgit(settings.WITHDRAWAL_MIN)}")
    if amount > settings.WITHDRAWAL_MAX:
        raise _invalid_amount(f"Maximum withdrawal RM {_ringgit(settings.WITHDRAWAL_MAX)}")
    return amount


def _ip_or_none(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def withdrawal_request(*, user, amount: Decimal, ip: str | None, user_agent: str) -> Withdrawal:
    """Hold amount + fee for a payout to the player's bank; `review` status when the fraud checks flag it.

    Raises InvalidAmount (outside 10.00-5000.00), NoBankAccount or InsufficientBalance.
    """
    amount = _checked_amount(amount)
    fee = settings.WITHDRAWAL_FEE
    total = amount + fee
    wallet = wallet_get_or_create(user=user)
    with transaction.atomic():
        # One request at a time per wallet: the fraud checks must count the ones before it.
        wallet = Wallet.objects.select_for_update().get(pk=wallet.pk)
        if not wallet.has_bank_account:
            raise NoBankAccount()
        if wallet.usable_balance < total:
            raise InsufficientBalance()
        now = timezone.now()
        flags = withdrawal_fraud_flags(wallet=wallet, amount=amount, now=now)
        withdrawal = Withdrawal.objects.create(
            user=user,
            wallet=wallet,
            amount=amount,
            fee=fee,
            total=total,
            status=Status.REVIEW if flags else Status.PENDING,
            fraud_flags=flags,
            bank_name=wallet.bank_name,
            bank_last4=wallet.bank_last4,
            requested_ip=_ip_or_none(ip),
            user_agent=user_agent[:USER_AGENT_MAX],
            created_at=now,
        )
        wallet_hold(
            wallet=wallet,
            amount=total,
            description=f"Withdrawal #{withdrawal.pk}: RM {format_money(amount)} + RM {format_money(fee)} fee on hold",
            metadata={"withdrawal_id": withdrawal.pk},
        )
    if flags:
        logger.warning("withdrawal %s held for review: %s", withdrawal.pk, fraud_flag_codes(withdrawal))
    return withdrawal


def _require_staff(staff) -> None:
    if staff is None or not staff.is_staff:
        raise StaffOnly()


def _locked_open(withdrawal_id: int) -> Withdrawal:
    """The withdrawal, its row locked; Withdrawal.DoesNotExist, or AlreadyProcessed once finished."""
    withdrawal = Withdrawal.objects.select_for_update(of=("self",)).select_related("user").get(pk=withdrawal_id)
    if withdrawal.status not in Withdrawal.OPEN_STATUSES:
        raise AlreadyProcessed()
    return withdrawal


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` unknown outcomes: the base delay, doubling, capped."""
    base, cap = settings.WITHDRAWAL_PAYOUT_RETRY_BASE_SECONDS, settings.WITHDRAWAL_PAYOUT_RETRY_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def payout_retry_countdown(withdrawal: Withdrawal) -> int:
    """Seconds from the last attempt to the next one: the delay a retry task waits."""
    return math.ceil((withdrawal.next_payout_attempt_at - withdrawal.last_payout_attempt_at).total_seconds())


def withdrawal_approve(*, withdrawal_id: int, staff, override_reason: str = "") -> Withdrawal:
    """Pay a pending (or, with an override reason, a flagged) withdrawal out to the bank.

    Returns it `completed` (payout accepted: the amount leaves the wallet, the fee goes to
    the platform), `failed` (definitely refused: the total returns to usable) or
    `processing` (the bank's answer is unknown: the total stays pending and the payout is
    retried by the same reference). Raises AlreadyProcessed, NeedsReview (flagged, no
    override reason; a pending one that breaks a rule by now is moved to review first),
    StaffOnly or Withdrawal.DoesNotExist.
    """
    _require_staff(staff)
    override_reason = override_reason.strip()
    # Durable: the bank call below must never end up inside a caller's transaction.
    with transaction.atomic(durable=True):
        withdrawal = _locked_open(withdrawal_id)
        now = timezone.now()
        if withdrawal.status == Status.PENDING:
            # The bank account may have changed, or more requests arrived, since the request.
            flags = open_withdrawal_flags(withdrawal=withdrawal, now=now)
            if flags:
                withdrawal.status, withdrawal.fraud_flags = Status.REVIEW, flags
                withdrawal.save(update_fields=["status", "fraud_flags"])
        needs_review = withdrawal.status == Status.REVIEW and not override_reason
        if not needs_review:
            _start_processing(withdrawal, staff=staff, override_reason=override_reason, now=now)
    if needs_review:
        # Raised after the commit, so a withdrawal the re-check just flagged stays in review.
        raise NeedsReview()
    logger.info("withdrawal %s approved by staff %s; sending the payout", withdrawal.pk, staff.pk)
    withdrawal = _record_attempt(withdrawal.pk, _bank_answer(withdrawal, look_up_first=False))
    if withdrawal.status == Status.PROCESSING:
        _enqueue_retry(withdrawal)
    return withdrawal


def _start_processing(withdrawal: Withdrawal, *, staff, override_reason: str, now: datetime) -> None:
    """Inside the approval's transaction, with the withdrawal row locked."""
    if withdrawal.status == Status.REVIEW:
        withdrawal.override_reason = override_reason
        logger.warning(
            "withdrawal %s: staff %s (%s) overrode fraud flags %s: %s",
            withdrawal.pk,
            staff.pk,
            staff.get_username(),
            fraud_flag_codes(withdrawal),
            override_reason,
        )
    wallet = Wallet.objects.get(pk=withdrawal.wallet_id)
    withdrawal.status = Status.PROCESSING
    withdrawal.processed_by = staff
    withdrawal.processing_since = now
    withdrawal.payout_reference = str(withdrawal.pk)
    # The account staff approved paying (it differs from the request's only after an override).
    withdrawal.bank_name, withdrawal.bank_last4 = wallet.bank_name, wallet.bank_last4
    # Should this process die before the bank answers, the sweep takes the payout over then.
    withdrawal.next_payout_attempt_at = now + retry_delay(1)
    withdrawal.save()


def withdrawal_payout_retry(*, withdrawal_id: int, force: bool = False) -> Withdrawal | None:
    """One more attempt at a processing withdrawal's payout; settles it on a definite answer.

    Asks the bank for the payout by reference first and re-sends the same reference only when
    the bank has none. Returns None, having sent nothing, unless the withdrawal is processing
    and its next attempt is due (or `force`: staff's "Retry payout now"). Claiming the attempt
    moves the next one on by the backoff, so the task, the sweep and staff acting at once make
    one attempt, and one whose worker dies mid-call is picked up by the sweep after that delay.
    """
    now = timezone.now()
    with transaction.atomic(durable=True):
        withdrawal = (
            Withdrawal.objects.select_for_update(of=("self",))
            .filter(pk=withdrawal_id, status=Status.PROCESSING)
            .first()
        )
        due = withdrawal is not None and (
            force or withdrawal.next_payout_attempt_at is None or withdrawal.next_payout_attempt_at <= now
        )
        if not due:
            return None
        withdrawal.next_payout_attempt_at = now + retry_delay(withdrawal.payout_attempts + 1)
        withdrawal.save(update_fields=["next_payout_attempt_at"])
    return _record_attempt(withdrawal.pk, _bank_answer(withdrawal, look_up_first=True))


def withdrawals_payout_retry_due(*, limit: int = 100) -> int:
    """Retry every processing payout whose next attempt is due (the beat's sweep); returns how many were tried."""
    due = (
        Withdrawal.objects.filter(status=Status.PROCESSING, next_payout_attempt_at__lte=timezone.now())
        .order_by("next_payout_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(withdrawal_payout_retry(withdrawal_id=withdrawal_id) is not None for withdrawal_id in list(due))


def withdrawals_stuck_alert() -> list[int]:
    """Alert staff (log at ERROR, in-app notification), once per withdrawal, about payouts
    processing for longer than WITHDRAWAL_PROCESSING_ALERT_MINUTES; returns their ids."""
    now = timezone.now()
    since = now - timedelta(minutes=settings.WITHDRAWAL_PROCESSING_ALERT_MINUTES)
    with transaction.atomic():
        # Skip rows an attempt holds right now: they are alerted on the next sweep, if still stuck.
        stuck = list(
            Withdrawal.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("user")
            .filter(status=Status.PROCESSING, processing_since__lte=since, stuck_alerted_at__isnull=True)
            .order_by("pk")
        )
        for withdrawal in stuck:
            _alert_stuck(withdrawal)
        Withdrawal.objects.filter(pk__in=[withdrawal.pk for withdrawal in stuck]).update(stuck_alerted_at=now)
    return [withdrawal.pk for withdrawal in stuck]


def _alert_stuck(withdrawal: Withdrawal) -> None:
    body = (
        f"RM {format_money(withdrawal.amount)} to {withdrawal.user.get_username()} "
        f"({withdrawal.bank_name} ••••{withdrawal.bank_last4}) has been processing since "
        f"{withdrawal.processing_since:%Y-%m-%d %H:%M} UTC after {withdrawal.payout_attempts} attempt(s). "
        f"Last error: {withdrawal.last_payout_error or '-'}. The total stays pending; retries go on."
    )
    logger.error("withdrawal %s stuck in processing: %s", withdrawal.pk, body)
    staff_notify(
        kind="withdrawal_processing_stuck",
        title=f"Withdrawal #{withdrawal.pk}: the bank has not answered for over an hour",
        body=body,
        url=f"/admin/wallet/withdrawal/{withdrawal.pk}/change/",
        data={"withdrawal_id": withdrawal.pk},
    )


def _enqueue_retry(withdrawal: Withdrawal) -> None:
    from wallet.tasks import withdrawal_payout_retry as retry_task

    try:
        retry_task.apply_async(kwargs={"withdrawal_id": withdrawal.pk}, countdown=payout_retry_countdown(withdrawal))
    except Exception:  # noqa: BLE001 - the row is the promise; the sweep retries it if the queue is down
        logger.warning("withdrawal %s: could not queue the payout retry; the sweep will retry it", withdrawal.pk)


def _bank_answer(withdrawal: Withdrawal, *, look_up_first: bool) -> PayoutResult:
    """The bank's answer for the withdrawal's reference. Outside any transaction: it may take
    BANK_API_TIMEOUT_SECONDS (twice, with the lookup)."""
    bank = bank_client()
    reference = withdrawal.payout_reference
    if look_up_first:
        known = bank.payout_status(reference=reference)
        if known.outcome != Outcome.NOT_FOUND:
            return known
    wallet = Wallet.objects.get(pk=withdrawal.wallet_id)
    # The bank holds no payout under this reference (never sent, or it said so just now), so
    # refusing here pays nobody: never send to an account other than the one staff approved.
    if wallet.bank_account_changed_at and wallet.bank_account_changed_at > withdrawal.processing_since:
        reason = "The bank account was changed after the approval; nothing was paid. Request the withdrawal again."
        return PayoutResult(Outcome.REFUSED, reference, reason)
    try:
        account_number = bank_account_number(wallet=wallet)
    except DecryptionFailed:
        reason = "The bank account details could not be read; the player must link the account again."
        return PayoutResult(Outcome.REFUSED, reference, reason)
    return bank.payout(
        reference=reference,
        amount=withdrawal.amount,
        account_number=account_number,
        account_holder_name=wallet.account_holder_name,
        bank_name=wallet.bank_name,
    )


def _record_attempt(withdrawal_id: int, result: PayoutResult) -> Withdrawal:
    """Settle on a definite answer, else schedule the next attempt; a no-op once the withdrawal
    is no longer processing (a concurrent attempt settled it first)."""
    fees_wallet = platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE)
    now = timezone.now()
    with transaction.atomic(durable=True):
        withdrawal = Withdrawal.objects.select_for_update(of=("self",)).select_related("user").get(pk=withdrawal_id)
        if withdrawal.status != Status.PROCESSING:
            return withdrawal
        withdrawal.payout_attempts += 1
        withdrawal.last_payout_attempt_at = now
        if result.outcome == Outcome.ACCEPTED:
            _settle_paid(withdrawal, fees_wallet)
        elif result.outcome == Outcome.REFUSED:
            _return_to_usable(withdrawal, status=Status.FAILED, reason=result.reason)
        else:
            withdrawal.last_payout_error = result.reason
            withdrawal.next_payout_attempt_at = now + retry_delay(withdrawal.payout_attempts)
        if withdrawal.status != Status.PROCESSING:
            withdrawal.processed_at, withdrawal.next_payout_attempt_at = now, None
            _email_outcome(withdrawal)
        withdrawal.save()
    if withdrawal.status == Status.PROCESSING:
        logger.warning(
            "withdrawal %s: payout outcome unknown after attempt %s (%s); next attempt at %s",
            withdrawal.pk,
            withdrawal.payout_attempts,
            result.reason,
            withdrawal.next_payout_attempt_at.isoformat(),
        )
    else:
        logger.info(
            "withdrawal %s %s after %s attempt(s)", withdrawal.pk, withdrawal.status, withdrawal.payout_attempts
        )
    return withdrawal


def _settle_paid(withdrawal: Withdrawal, fees_wallet: Wallet) -> None:
    wallet = Wallet.objects.get(pk=withdrawal.wallet_id)
    metadata = {"withdrawal_id": withdrawal.pk}
    # Fee first: the transfer locks the player's and the fees wallet in primary-key order,
    # and the capture after it only touches the row this transaction already holds.
    if withdrawal.fee > 0:
        wallet_transfer(
            source=wallet,
            destination=fees_wallet,
            amount=withdrawal.fee,
            transaction_type=LedgerEntry.Type.WITHDRAWAL_FEE,
            description=f"Withdrawal #{withdrawal.pk} fee",
            metadata=metadata,
            from_pending=True,
        )
    wallet_transfer(
        source=wallet,
        destination=system_account(BANK_PAYOUTS),
        amount=withdrawal.amount,
        transaction_type=LedgerEntry.Type.WITHDRAWAL,
        description=f"Withdrawal #{withdrawal.pk}: RM {format_money(withdrawal.amount)} paid to "
        f"{withdrawal.bank_name} ••••{withdrawal.bank_last4}",
        metadata=metadata,
        from_pending=True,
    )
    withdrawal.status = Status.COMPLETED


def _return_to_usable(withdrawal: Withdrawal, *, status: str, reason: str) -> None:
    wallet_release(
        wallet=withdrawal.wallet,
        amount=withdrawal.total,
        description=f"Withdrawal #{withdrawal.pk} {status}: RM {format_money(withdrawal.total)} returned",
        metadata={"withdrawal_id": withdrawal.pk},
    )
    withdrawal.status = status
    withdrawal.failure_reason = reason


def withdrawal_reject(*, withdrawal_id: int, staff, reason: str) -> Withdrawal:
    """Refuse a pending or flagged withdrawal: the total returns to usable, status `rejected`."""
    _require_staff(staff)
    reason = reason.strip()
    if not reason:
        raise DomainError("Give a reason for rejecting the withdrawal.", errors={"reason": ["This field is required."]})
    with transaction.atomic():
        withdrawal = _locked_open(withdrawal_id)
        _return_to_usable(withdrawal, status=Status.REJECTED, reason=reason)
        withdrawal.processed_by, withdrawal.processed_at = staff, timezone.now()
        withdrawal.save()
        _email_outcome(withdrawal)
    logger.info("withdrawal %s rejected by staff %s", withdrawal.pk, staff.pk)
    return withdrawal


def _email_outcome(withdrawal: Withdrawal) -> None:
    user = withdrawal.user
    if not user.email:
        return
    amount, total = format_money(withdrawal.amount), format_money(withdrawal.total)
    account = f"{withdrawal.bank_name} •••• {withdrawal.bank_last4}"
    if withdrawal.status == Status.COMPLETED:
        subject = f"Your withdrawal of RM {amount} has been paid out"
        body = (
            f"RM {amount} from withdrawal #{withdrawal.pk} has been sent to {account}. "
            f"A fee of RM {format_money(withdrawal.fee)} was charged.\n\nIt usually arrives within one working day."
        )
    else:
        verb = "was rejected" if withdrawal.status == Status.REJECTED else "could not be paid out"
        subject = f"Your withdrawal of RM {amount} {verb}"
        body = (
            f"Withdrawal #{withdrawal.pk} to {account} {verb}: {withdrawal.failure_reason}\n\n"
            f"RM {total} (the amount and the fee) is back in your usable balance."
        )
    email_send(to=[user.email], subject=subject, body=f"Hi {user.get_username()},\n\n{body}\n\n- Driftwood")
