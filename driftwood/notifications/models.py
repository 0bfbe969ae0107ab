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
    # What happened, to whom (e.g. "match_ready:match:42"): one notification per happening per
    # player, however often the step that sends it runs. Empty for notices that may repeat.
    key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the e-mail task (which sends one message, or a digest of several).
    email_pending = models.BooleanField(default=False)

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
            models.Index(fields=["created_at"], condition=Q(email_pending=True), name="notification_email_pending"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="") & ~Q(title=""), name="notification_kind_and_title_set"),
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_happening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """A player's choice for one kind's e-mail, stored only where it differs from the kind's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.SlugField(max_length=50)
    email = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} e-mail {'on' if self.email else 'off'} for {self.user_id}"


class Device(models.Model):
    """A phone or browser that receives push notifications through Firebase Cloud Messaging."""

    class Platform(models.TextChoices):
        ANDROID = "android"
        IOS = "ios"
        WEB = "web"

    # FCM registration tokens are opaque, about 160-200 characters; 512 leaves room and keeps the
    # unique index's entries far below PostgreSQL's limit.
    token = models.CharField(max_length=512, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    created_at = models.DateTimeField(default=timezone.now)
    last_registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(token=""), name="device_token_set")]

    def __str__(self) -> str:
        return f"{self.platform} device of {self.user_id}"
