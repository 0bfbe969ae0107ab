"""In-app notifications: what a player sees under the bell in the navigation and at /notifications/."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    # The composite indexes below start with the user, so a separate user index would only cost writes.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.SlugField(max_length=50, db_index=False, help_text='What happened, e.g. "event_cancelled".')
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="A path on this site, e.g. /events/42/.")
    data = models.JSONField(default=dict, blank=True, help_text="Details for apps, e.g. the event id.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_recent"),
            # The badge count and the unread filter read only this small slice.
            models.Index(
                fields=["user", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="") & ~Q(title=""), name="notification_kind_and_title_set"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
