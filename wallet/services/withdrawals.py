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

The attempts, their retries and the settlement (what the retry task and the sweep run) are
`wallet.services.payouts`; this module requests, approves and rejects, and queues the retries.
"""

import ipaddress
import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from driftwood.core.exceptions import DomainError
from driftwood.core.money import CENTS, format_money
from driftwood.core.stored_text import StoredText, money
from wallet import tasks
from wallet.exceptions import (
    AlreadyProcessed,
    EmailUnverified,
    InsufficientBalance,
    InvalidAmount,
    NeedsReview,
    NoBankAccount,
    StaffOnly,
)
from wallet.models import Wallet, Withdrawal
from wallet.notices import withdrawal_held_for_review, withdrawal_outcome
from wallet.services.balances import wallet_get_or_create, wallet_hold
from wallet.services.fraud import fraud_flag_codes, open_withdrawal_flags, withdrawal_fraud_flags
from wallet.services.payouts import (
    payout_attempt,
    payout_retry_countdown,
    retry_delay,
    withdrawal_return_to_usable,
)

logger = logging.getLogger("driftwood.wallet")

Status = Withdrawal.Status
USER_AGENT_MAX = 512


def _invalid_amount(message: str):
    return InvalidAmount(message, errors={"amount": [message]})


def _checked_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount != amount.quantize(CENTS) or amount <= 0:
        raise _invalid_amount(InvalidAmount.default_message)
    # The API contract spells these two messages ("Minimum withdrawal RM 10"): the "short" style.
    if amount < settings.WITHDRAWAL_MIN:
        raise _invalid_amount(f"Minimum withdrawal {format_money(settings.WITHDRAWAL_MIN, style='short')}")
    if amount > settings.WITHDRAWAL_MAX:
        raise _invalid_amount(f"Maximum withdrawal {format_money(settings.WITHDRAWAL_MAX, style='short')}")
    return amount


def _ip_or_none(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def withdrawal_request(*, user, amount: Decimal, ip: str | None, user_agent: str) -> Withdrawal:
    """Hold amount + fee for a payout to the player's bank; `review` status when the fraud checks flag it.

    Raises EmailUnverified, InvalidAmount (outside 10.00-5000.00), NoBankAccount or InsufficientBalance.
    """
    if not user.email_verified:
        raise EmailUnverified()
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
            description=StoredText(
                gettext_noop("Withdrawal #%(id)s: %(amount)s + %(fee)s fee on hold"),
                id=withdrawal.pk,
                amount=money(amount),
                fee=money(fee),
            ),
            metadata={"withdrawal_id": withdrawal.pk},
        )
        if flags:
            withdrawal_held_for_review(withdrawal)
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
                withdrawal_held_for_review(withdrawal)
        needs_review = withdrawal.status == Status.REVIEW and not override_reason
        if not needs_review:
            _start_processing(withdrawal, staff=staff, override_reason=override_reason, now=now)
    if needs_review:
        # Raised after the commit, so a withdrawal the re-check just flagged stays in review.
        raise NeedsReview()
    logger.info("withdrawal %s approved by staff %s; sending the payout", withdrawal.pk, staff.pk)
    withdrawal = payout_attempt(withdrawal, look_up_first=False)
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


def _enqueue_retry(withdrawal: Withdrawal) -> None:
    try:
        tasks.withdrawal_payout_retry.apply_async(
            kwargs={"withdrawal_id": withdrawal.pk}, countdown=payout_retry_countdown(withdrawal)
        )
    except Exception:  # noqa: BLE001 - the row is the promise; the sweep retries it if the queue is down
        logger.warning("withdrawal %s: could not queue the payout retry; the sweep will retry it", withdrawal.pk)


def withdrawal_reject(*, withdrawal_id: int, staff, reason: str) -> Withdrawal:
    """Refuse a pending or flagged withdrawal: the total returns to usable, status `rejected`."""
    _require_staff(staff)
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Give a reason for rejecting the withdrawal."), errors={"reason": [_("This field is required.")]}
        )
    with transaction.atomic():
        withdrawal = _locked_open(withdrawal_id)
        withdrawal_return_to_usable(withdrawal, status=Status.REJECTED, reason=reason)
        withdrawal.processed_by, withdrawal.processed_at = staff, timezone.now()
        withdrawal.save()
        withdrawal_outcome(withdrawal)
    logger.info("withdrawal %s rejected by staff %s", withdrawal.pk, staff.pk)
    return withdrawal
