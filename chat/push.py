"""What a chat message pushes to players with no open chat socket (sent by the notifications app to
each of their registered devices), worded in each player's language."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from chat.models import ChatMessage, ChatRoom
from chat.services import room_member_ids
from driftwood.notifications.services import Push

PREVIEW_LENGTH = 140


def member_ids(room: ChatRoom) -> set[int]:
    """Everyone who belongs to the room now, from the source of truth for its kind (cached exactly)."""
    return set(room_member_ids(room_id=room.room_id))


def _title(message: ChatMessage) -> str:
    sender = message.sender.username if message.sender else _("Someone")
    room = message.room
    if room.kind == ChatRoom.Kind.DM:
        return sender
    return _("%(sender)s in %(room)s") % {"sender": sender, "room": room.title or room.room_id}


def message_pushes(message: ChatMessage, user_ids) -> list[Push]:
    """The notification each of these players gets for a message."""
    languages = dict(get_user_model().objects.filter(pk__in=list(user_ids)).values_list("pk", "language"))
    data = {"type": "chat.message", "room_id": message.room.room_id, "message_id": str(message.pk)}
    pushes = []
    for user_id in user_ids:
        with translation.override(languages.get(user_id) or settings.LANGUAGE_CODE):
            pushes.append(Push(user_id=user_id, title=_title(message), body=message.text[:PREVIEW_LENGTH], data=data))
    return pushes
