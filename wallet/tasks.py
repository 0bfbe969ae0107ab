"""Wallet background work. Tasks load rows and call services; the rows are the durable truth,
so a lost task is only a delay: the beat finds what is still owed."""

from celery import shared_task

from wallet.models import Withdrawal
from wallet.services import card_refund_sending, fraud, payouts, topup_expiry


@shared_task(name="wallet.tasks.fraud_scan", acks_late=True)
def fraud_scan() -> int:
    """Periodic (celery beat, queue default): hold pending withdrawals that now break a fraud rule."""
    return len(fraud.fraud_scan())


@shared_task(name="wallet.tasks.card_refund_send", acks_late=True)
def card_refund_send(*, card_refund_id: int) -> str:
    """Queue high: send one owed card refund right after the transaction that owes it commits."""
    return card_refund_sending.card_refund_send(card_refund_id=card_refund_id).state


@shared_task(name="wallet.tasks.card_refunds_retry", acks_late=True)
def card_refunds_retry() -> int:
    """Periodic: re-send owed card refunds whose backoff has passed, until Stripe confirms them."""
    return card_refund_sending.card_refunds_retry_due()


@shared_task(name="wallet.tasks.topups_expire", acks_late=True)
def topups_expire() -> int:
    """Every 5 minutes: cancel (at Stripe, then here) top-ups left unpaid past PAYMENT_ABANDON_MINUTES."""
    return topup_expiry.topups_expire_abandoned()


@shared_task(name="wallet.tasks.wallet_reconcile")
def wallet_reconcile() -> int:
    """Daily: prove the books; a difference logs at ERROR and notifies staff. Returns the problem count."""
    from wallet.reconciliation import wallet_reconcile_and_alert

    return len(wallet_reconcile_and_alert().problems)


@shared_task(bind=True, name="wallet.tasks.withdrawal_payout_retry", acks_late=True, max_retries=None)
def withdrawal_payout_retry(self, withdrawal_id: int) -> str:
    """Queue high: one more attempt at a payout whose outcome is unknown, retried with the row's
    backoff until the bank answers definitely. The chain ends when its attempt was not due
    (another attempt had it); the sweep carries on whatever a lost chain left."""
    withdrawal = payouts.withdrawal_payout_retry(withdrawal_id=withdrawal_id)
    if withdrawal is None:
        return "not_due"
    if withdrawal.status == Withdrawal.Status.PROCESSING:
        raise self.retry(countdown=payouts.payout_retry_countdown(withdrawal))
    return withdrawal.status


@shared_task(name="wallet.tasks.withdrawals_processing_sweep", acks_late=True)
def withdrawals_processing_sweep() -> int:
    """Every minute: retry processing payouts whose next attempt is due (so a lost task or a
    broker outage only delays them) and alert staff once about any processing over an hour.
    Returns how many were retried."""
    retried = payouts.withdrawals_payout_retry_due()
    payouts.withdrawals_stuck_alert()
    return retried
