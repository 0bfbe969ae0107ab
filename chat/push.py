"""What a chat message pushes to players with no open chat socket (sent by the notifications app to
each of their registered devices)."""

from chat.models import ChatMessage, ChatRoom
from chat.services import room_member_ids
from driftwood.notifications.services import Push

PREVIEW_LENGTH = 140


def member_ids(room: ChatRoom) -> set[int]:
    """Everyone who belongs to the room now, from the source of truth for its kind (cached exactly)."""
    return set(room_member_ids(room_id=room.room_id))


def message_pushes(message: ChatMessage, user_ids) -> list[Push]:
    """The notification each of these players gets for a message."""
    sender = message.sender.username if message.sender else "Someone"
    room = message.room
    title = sender if room.kind == ChatRoom.Kind.DM else f"{sender} in {room.title or room.room_id}"
    data = {"type": "chat.message", "room_id": room.room_id, "message_id": str(message.pk)}
    return [Push(user_id=user_id, title=title, body=message.text[:PREVIEW_LENGTH], data=data) for user_id in user_ids]
