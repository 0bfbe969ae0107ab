from celery import shared_task
from django.conf import settings
from django.utils import timezone

from driftwood.core.models import IdempotencyKey


@shared_task(acks_late=True)
def purge_expired_idempotency_keys() -> int:
    """Housekeeping (queue low): keys past their 24 h life are no longer replayed."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lte=timezone.now() - settings.IDEMPOTENCY_KEY_TTL).delete()
    return deleted
