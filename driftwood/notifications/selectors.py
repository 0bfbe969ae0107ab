"""Reads of a user's notifications, newest first, served by the (user, created_at) indexes."""

from django.db.models import QuerySet

from driftwood.notifications.models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


# The badge's count stops here ("99+"; the API reports 100 for 100 or more).
UNREAD_CAP = 100


def notifications_unread_count(*, user) -> int:
    """Unread notifications, counted up to UNREAD_CAP (at most that many index entries read)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).order_by()[:UNREAD_CAP].count()
