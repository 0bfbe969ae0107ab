from celery import shared_task

from wallet.services import fraud


@shared_task(name="wallet.tasks.fraud_scan", acks_late=True)
def fraud_scan() -> int:
    """Periodic (celery beat, queue default): hold pending withdrawals that now break a fraud rule."""
    return len(fraud.fraud_scan())
