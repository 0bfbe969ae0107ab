"""Withdrawals to the player's bank: request (hold), approve (bank payout) or reject.

Request: amount + fee move from usable to pending in one transaction that locks the wallet
row, so concurrent requests can neither overdraw the wallet nor slip past the fraud checks
(each one sees the requests committed before it). Flagged requests wait in `review`.

Approve and reject lock the withdrawal row first: whoever gets the lock processes it and
everyone after sees a finished status (409 already_processed), so two staff clicking at
once pay out once. The bank call is made while that lock is held. That is deliberate: the
lock covers this one withdrawal row (the wallet row is only locked for the few
milliseconds of the final ledger writes), so the only ones kept waiting, for at most
BANK_API_TIMEOUT_SECONDS, are other staff acting on the same withdrawal, who must wait for
the outcome anyway. And should the transaction roll back after the bank accepted (a crash,
a lost connection), the withdrawal is still `pending`: approving it again sends the same
reference (the withdrawal id), the bank repeats its first answer without paying twice,
and the capture is recorded then.

The player is e-mailed on every outcome (completed, failed, rejected), once committed.
"""

import ipaddress
import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from driftwood.core.crypto import DecryptionFailed
from driftwood.core.exceptions import DomainError
from driftwood.core.money import CENTS, format_money
from driftwood.notifications.services import email_send
from wallet.bank import PayoutResult, bank_client
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


def _pay_out(withdrawal: Withdrawal, wallet: Wallet) -> PayoutResult:
    try:
        account_number = bank_account_number(wallet=wallet)
    except DecryptionFailed:
        reason = "The bank account details could not be read; the player must link the account again."
        return PayoutResult(accepted=False, reference=str(withdrawal.pk), reason=reason)
    return bank_client().payout(
        reference=str(withdrawal.pk),
        amount=withdrawal.amount,
        account_number=account_number,
        account_holder_name=wallet.account_holder_name,
        bank_name=wallet.bank_name,
    )


def _settle_paid(withdrawal: Withdrawal, wallet: Wallet, fees_wallet: Wallet, reference: str) -> None:
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
        f"{wallet.bank_name} ••••{wallet.bank_last4}",
        metadata=metadata,
        from_pending=True,
    )
    withdrawal.status = Status.COMPLETED
    withdrawal.payout_reference = reference
    # The record names the account actually paid (it can differ only after a staff override).
    withdrawal.bank_name, withdrawal.bank_last4 = wallet.bank_name, wallet.bank_last4


def _return_to_usable(withdrawal: Withdrawal, *, status: str, reason: str) -> None:
    wallet_release(
        wallet=withdrawal.wallet,
        amount=withdrawal.total,
        description=f"Withdrawal #{withdrawal.pk} {status}: RM {format_money(withdrawal.total)} returned",
        metadata={"withdrawal_id": withdrawal.pk},
    )
    withdrawal.status = status
    withdrawal.failure_reason = reason


def withdrawal_approve(*, withdrawal_id: int, staff, override_reason: str = "") -> Withdrawal:
    """Pay a pending (or, with an override reason, a flagged) withdrawal out to the bank.

    Returns it `completed` (payout accepted: the amount leaves the wallet, the fee goes to
    the platform) or `failed` (refused, timeout or error: the total returns to usable).
    Raises AlreadyProcessed, NeedsReview (flagged, no override reason; a pending one that
    breaks a rule by now is moved to review first), StaffOnly or Withdrawal.DoesNotExist.
    """
    _require_staff(staff)
    override_reason = override_reason.strip()
    fees_wallet = platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE)
    with transaction.atomic():
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
            _pay_and_settle(withdrawal, staff=staff, override_reason=override_reason, fees_wallet=fees_wallet, now=now)
    if needs_review:
        # Raised after the commit, so a withdrawal the re-check just flagged stays in review.
        raise NeedsReview()
    logger.info("withdrawal %s %s by staff %s", withdrawal.pk, withdrawal.status, staff.pk)
    return withdrawal


def _pay_and_settle(withdrawal: Withdrawal, *, staff, override_reason: str, fees_wallet: Wallet, now: datetime) -> None:
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
    result = _pay_out(withdrawal, wallet)
    if result.accepted:
        _settle_paid(withdrawal, wallet, fees_wallet, result.reference)
    else:
        _return_to_usable(withdrawal, status=Status.FAILED, reason=result.reason)
    withdrawal.processed_by, withdrawal.processed_at = staff, now
    withdrawal.save()
    _email_outcome(withdrawal)


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
