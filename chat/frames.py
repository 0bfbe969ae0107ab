"""A chat message as the room's sockets and the Firestore mirror see it (the contract's `message` frame)."""

from datetime import UTC

from django.utils import timezone
from rest_framework.fields import DateTimeField

from chat.models import ChatMessage


def message_document(message: ChatMessage) -> dict:
    """A message as the WebSocket `message` frame and the mirror show it."""
    sender = {"id": message.sender_id, "username": message.sender.username} if message.sender else None
    with timezone.override(UTC):  # the API speaks UTC ("...Z")
        created_at = DateTimeField().to_representation(message.created_at)
    return {
        "id": message.pk,
        "seq": message.seq,
        "room_id": message.room.room_id,
        "sender": sender,
        "message": message.text,
        "created_at": created_at,
    }
