from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """The stored outcome of one idempotent request, replayed for the same key.

    A row exists only once its request has finished: it is written in the same
    transaction as the request's effect, so an effect and its key commit together or not
    at all. While the first request runs, its transaction holds an advisory lock on the
    key; that lock is the "in progress" state that concurrent requests see.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    endpoint = models.CharField(max_length=255, verbose_name=_("endpoint"))
    key = models.CharField(max_length=255, verbose_name=_("key"))
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    response_status = models.PositiveSmallIntegerField(verbose_name=_("response status"))
    response_body = models.JSONField(verbose_name=_("response body"))
    # False while the view's after-commit step (a Stripe call) has not stored the final response.
    finished = models.BooleanField(default=True, verbose_name=_("finished"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"

    @property
    def is_expired(self) -> bool:
        return self.created_at <= timezone.now() - settings.IDEMPOTENCY_KEY_TTL
