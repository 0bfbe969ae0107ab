from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The stored outcome of one idempotent request, replayed for the same key.

    A row exists only once its request has finished: it is written in the same
    transaction as the request's effect, so an effect and its key commit together or not
    at all. While the first request runs, its transaction holds an advisory lock on the
    key; that lock is the "in progress" state that concurrent requests see.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=255)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    # False while the view's after-commit step (a Stripe call) has not stored the final response.
    finished = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"

    @property
    def is_expired(self) -> bool:
        return self.created_at <= timezone.now() - settings.IDEMPOTENCY_KEY_TTL
