"""An organizer's announcements to an event's players (kept apart from models.py for its size;
Django loads it through the re-export there)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Announcement(models.Model):
    """An organizer's word to everyone in an event: a notification each, a pinned message in the
    event's chat room (`chat_message_id`), and a line on the event page."""

    TITLE_MAX_LENGTH = 120
    BODY_MAX_LENGTH = 1500

    event = models.ForeignKey("tournaments.Event", on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    chat_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        # The event page's list and the hourly cap both read an event's newest first.
        indexes = [models.Index(fields=["event", "-created_at", "-id"], name="announcement_event_recent")]
        constraints = [models.CheckConstraint(condition=~Q(title="") & ~Q(body=""), name="announcement_has_text")]

    def __str__(self) -> str:
        return f"{self.title} ({self.event_id})"
