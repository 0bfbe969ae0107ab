from django.utils.functional import SimpleLazyObject

from driftwood.notifications.selectors import notifications_unread_count


def unread_count(request) -> dict:
    """`unread_notification_count` for the navigation badge: one COUNT, run only when a template
    shows it (admin pages and anonymous visitors never pay for it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": SimpleLazyObject(lambda: notifications_unread_count(user=user))}
