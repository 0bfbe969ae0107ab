"""In-app notifications: what a player sees under the bell in the navigation and at /notifications/."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    # The composite indexes below start with the user, so a separate user index would only cost writes.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        verbose_name=_("user"),
    )
    kind = models.SlugField(
        max_length=50, db_index=False, help_text=_('What happened, e.g. "event_cancelled".'), verbose_name=_("kind")
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    url = models.CharField(
        max_length=500, blank=True, help_text=_("A path on this site, e.g. /events/42/."), verbose_name=_("URL")
    )
    data = models.JSONField(
        default=dict, blank=True, help_text=_("Details for apps, e.g. the event id."), verbose_name=_("data")
    )
    # What happened, to whom (e.g. "match_ready:match:42"): one notification per happening per
    # player, however often the step that sends it runs. Empty for notices that may repeat.
    key = models.CharField(max_length=200, blank=True, default="", verbose_name=_("key"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    # Waiting for the e-mail task (which sends one message, or a digest of several).
    email_pending = models.BooleanField(default=False, verbose_name=_("email pending"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("user")
    )
    kind = models.SlugField(max_length=50, verbose_name=_("kind"))
    email = models.BooleanField(verbose_name=_("email"))

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")
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
    token = models.CharField(max_length=512, unique=True, verbose_name=_("token"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices", verbose_name=_("user")
    )
    platform = models.CharField(max_length=10, choices=Platform.choices, verbose_name=_("platform"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_registered_at = models.DateTimeField(default=timezone.now, verbose_name=_("last registered at"))

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [models.CheckConstraint(condition=~Q(token=""), name="device_token_set")]

    def __str__(self) -> str:
        return f"{self.platform} device of {self.user_id}"
