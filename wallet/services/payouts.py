"""Bank payouts of approved withdrawals: each attempt, the retries of unknown outcomes, the
settlement, and the alert about payouts stuck in processing.

What the `withdrawal_payout_retry` task, the beat's sweep and staff's "Retry payout now" run,
and the second half of an approval (`wallet.services.withdrawals`, which queues the retries).
The bank is called outside any database transaction, with the withdrawal id as the reference
(the bank's idempotency key); a retry asks the bank for the reference before re-sending it.
An attempt is settled only while the withdrawal is still `processing`: accepted -> `completed`
(the amount leaves the wallet, the fee goes to the platform), a definite refusal -> `failed`
(the total returns to usable), anything else is unknown and retried with capped backoff.
"""

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from driftwood.core.crypto import DecryptionFailed
from driftwood.core.i18n import lazy_text
from driftwood.core.money import format_money
from driftwood.core.stored_text import StoredText, money
from driftwood.core.times import malaysia_time
from driftwood.notifications.services import staff_notify
from wallet.bank import Outcome, PayoutResult, bank_client
from wallet.models import LedgerEntry, Wallet, Withdrawal
from wallet.notices import withdrawal_outcome
from wallet.services.balances import (
    BANK_PAYOUTS,
    PLATFORM_FEES_REFERENCE,
    platform_wallet_get_or_create,
    system_account,
    wallet_release,
    wallet_transfer,
)
from wallet.services.bank_accounts import bank_account_number

logger = logging.getLogger("driftwood.wallet")

Status = Withdrawal.Status


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` unknown outcomes: the base delay, doubling, capped."""
    base, cap = settings.WITHDRAWAL_PAYOUT_RETRY_BASE_SECONDS, settings.WITHDRAWAL_PAYOUT_RETRY_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def payout_retry_countdown(withdrawal: Withdrawal) -> int:
    """Seconds from the last attempt to the next one: the delay a retry task waits."""
    return math.ceil((withdrawal.next_payout_attempt_at - withdrawal.last_payout_attempt_at).total_seconds())


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
    return payout_attempt(withdrawal, look_up_first=True)


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


def _stuck_body(withdrawal: Withdrawal) -> str:
    return _(
        "%(amount)s to %(username)s (%(bank)s ••••%(last4)s) has been processing since %(since)s after "
        "%(attempts)s attempt(s). Last error: %(error)s. The total stays pending; retries go on."
    ) % {
        "amount": format_money(withdrawal.amount, style="page"),
        "username": withdrawal.user.get_username(),
        "bank": withdrawal.bank_name,
        "last4": withdrawal.bank_last4,
        "since": malaysia_time(withdrawal.processing_since),
        "attempts": withdrawal.payout_attempts,
        "error": withdrawal.last_payout_error or "-",
    }


def _alert_stuck(withdrawal: Withdrawal) -> None:
    # The log in English; each staff member's alert in their own language.
    with translation.override("en"):
        logger.error("withdrawal %s stuck in processing: %s", withdrawal.pk, _stuck_body(withdrawal))
    staff_notify(
        kind="withdrawal_processing_stuck",
        title=lazy_text(
            lambda: _("Withdrawal #%(id)s: the bank has not answered for over an hour") % {"id": withdrawal.pk}
        ),
        body=lazy_text(lambda: _stuck_body(withdrawal)),
        url=f"/admin/wallet/withdrawal/{withdrawal.pk}/change/",
        data={"withdrawal_id": withdrawal.pk},
        key=f"withdrawal_processing_stuck:{withdrawal.pk}",
    )


def payout_attempt(withdrawal: Withdrawal, *, look_up_first: bool) -> Withdrawal:
    """One attempt at a processing withdrawal's payout, outside any transaction: the bank's
    answer (asking for the reference first when `look_up_first`), recorded."""
    return _record_attempt(withdrawal.pk, _bank_answer(withdrawal, look_up_first=look_up_first))


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
        # Stored in English, shown in the player's language (wallet.notices, the wallet page).
        reason = gettext_noop(
            "The bank account was changed after the approval; nothing was paid. Request the withdrawal again."
        )
        return PayoutResult(Outcome.REFUSED, reference, reason)
    try:
        account_number = bank_account_number(wallet=wallet)
    except DecryptionFailed:
        reason = gettext_noop("The bank account details could not be read; the player must link the account again.")
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
            withdrawal_return_to_usable(withdrawal, status=Status.FAILED, reason=result.reason)
        else:
            withdrawal.last_payout_error = result.reason
            withdrawal.next_payout_attempt_at = now + retry_delay(withdrawal.payout_attempts)
        if withdrawal.status != Status.PROCESSING:
            withdrawal.processed_at, withdrawal.next_payout_attempt_at = now, None
            withdrawal_outcome(withdrawal)
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
            description=StoredText(gettext_noop("Withdrawal #%(id)s fee"), id=withdrawal.pk),
            metadata=metadata,
            from_pending=True,
        )
    wallet_transfer(
        source=wallet,
        destination=system_account(BANK_PAYOUTS),
        amount=withdrawal.amount,
        transaction_type=LedgerEntry.Type.WITHDRAWAL,
        description=StoredText(
            gettext_noop("Withdrawal #%(id)s: %(amount)s paid to %(account)s"),
            id=withdrawal.pk,
            amount=money(withdrawal.amount),
            account=f"{withdrawal.bank_name} ••••{withdrawal.bank_last4}",
        ),
        metadata=metadata,
        from_pending=True,
    )
    withdrawal.status = Status.COMPLETED


RETURNED = {
    Status.FAILED: gettext_noop("Withdrawal #%(id)s failed: %(amount)s returned"),
    Status.REJECTED: gettext_noop("Withdrawal #%(id)s rejected: %(amount)s returned"),
}


def withdrawal_return_to_usable(withdrawal: Withdrawal, *, status: str, reason: str) -> None:
    """The total goes back to usable and the withdrawal ends (inside the caller's transaction, its row locked)."""
    wallet_release(
        wallet=withdrawal.wallet,
        amount=withdrawal.total,
        description=StoredText(RETURNED[status], id=withdrawal.pk, amount=money(withdrawal.total)),
        metadata={"withdrawal_id": withdrawal.pk},
    )
    withdrawal.status = status
    withdrawal.failure_reason = reason
