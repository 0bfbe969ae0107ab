"""Wallet background work. Tasks load rows and call services; the rows are the durable truth,
so a lost task is only a delay: the beat finds what is still owed."""

from celery import shared_task

from wallet.services import card_refunds, fraud


@shared_task(name="wallet.tasks.fraud_scan", acks_late=True)
def fraud_scan() -> int:
    """Periodic (celery beat, queue default): hold pending withdrawals that now break a fraud rule."""
    return len(fraud.fraud_scan())


@shared_task(name="wallet.tasks.card_refund_send", acks_late=True)
def card_refund_send(*, card_refund_id: int) -> str:
    """Queue high: send one owed card refund right after the transaction that owes it commits."""
    return card_refunds.card_refund_send(card_refund_id=card_refund_id).state


@shared_task(name="wallet.tasks.card_refunds_retry", acks_late=True)
def card_refunds_retry() -> int:
    """Periodic: re-send owed card refunds whose backoff has passed, until Stripe confirms them."""
    return card_refunds.card_refunds_retry_due()


@shared_task(name="wallet.tasks.wallet_reconcile")
def wallet_reconcile() -> int:
    """Daily: prove the books; a difference logs at ERROR and notifies staff. Returns the problem count."""
    from wallet.reconciliation import wallet_reconcile_and_alert

    return len(wallet_reconcile_and_alert().problems)
