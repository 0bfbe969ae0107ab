"""An organizer's announcements to an event's players (kept apart from models.py for its size;
Django loads it through the re-export there)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Announcement(models.Model):
    """An organizer's word to everyone in an event: a notification each, a pinned message in the
    event's chat room (`chat_message_id`), and a line on the event page."""

    TITLE_MAX_LENGTH = 120
    BODY_MAX_LENGTH = 1500

    event = models.ForeignKey(
        "tournaments.Event", on_delete=models.CASCADE, related_name="announcements", verbose_name=_("event")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, verbose_name=_("title"))
    body = models.TextField(max_length=BODY_MAX_LENGTH, verbose_name=_("body"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    chat_message_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("chat message ID"))

    class Meta:
        # The event page's list and the hourly cap both read an event's newest first.
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["event", "-created_at", "-id"], name="announcement_event_recent")]
        constraints = [models.CheckConstraint(condition=~Q(title="") & ~Q(body=""), name="announcement_has_text")]

    def __str__(self) -> str:
        return f"{self.title} ({self.event_id})"
