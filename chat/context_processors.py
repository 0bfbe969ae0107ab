from django.utils.functional import SimpleLazyObject

from chat.selectors import unread_rooms_count


def unread_chat_count(request) -> dict:
    """`unread_chat_count` for the Chat menu badge, computed only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_chat_count": SimpleLazyObject(lambda: unread_rooms_count(user_id=user.pk))}
