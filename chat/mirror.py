"""The optional Firestore mirror of chat messages (for mobile clients that read Firestore).

PostgreSQL stays the source of truth: a message is mirrored by a task queued after its commit, so
a Firestore outage is logged and retried but never rolls back or delays the message itself.
Enabled by CHAT_FIRESTORE_MIRROR; `FirestoreMirror` writes through firebase-admin when
FIREBASE_CREDENTIALS is set, `FakeMirror` (development, tests) records what would be written.
Documents live at `chat_rooms/{room_id}/messages/{message_id}`, so a retried write overwrites
itself instead of duplicating.
"""

from abc import ABC, abstractmethod
from collections import OrderedDict
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from rest_framework.fields import DateTimeField

from chat.models import ChatMessage
from chat.push import firebase_app

FAKE_HISTORY = 1000


def message_document(message: ChatMessage) -> dict:
    """A message as the WebSocket `message` frame and the mirror show it."""
    sender = {"id": message.sender_id, "username": message.sender.username} if message.sender else None
    with timezone.override(UTC):  # the API speaks UTC ("...Z")
        created_at = DateTimeField().to_representation(message.created_at)
    return {
        "id": message.pk,
        "room_id": message.room.room_id,
        "sender": sender,
        "message": message.text,
        "created_at": created_at,
    }


class MessageMirror(ABC):
    @abstractmethod
    def write(self, document: dict) -> None:
        """Store (or overwrite) one message document."""


class FirestoreMirror(MessageMirror):
    def __init__(self, client=None):
        from firebase_admin import firestore

        self.client = client or firestore.client(firebase_app())

    def write(self, document: dict) -> None:
        room = self.client.collection("chat_rooms").document(document["room_id"])
        room.collection("messages").document(str(document["id"])).set(document)


class FakeMirror(MessageMirror):
    """Keeps the latest FAKE_HISTORY documents by message id, overwriting like Firestore's `set`."""

    written: OrderedDict[int, dict] = OrderedDict()

    def write(self, document: dict) -> None:
        self.written[document["id"]] = document
        self.written.move_to_end(document["id"])
        while len(self.written) > FAKE_HISTORY:
            self.written.popitem(last=False)

    @classmethod
    def reset(cls) -> None:
        cls.written.clear()


def message_mirror() -> MessageMirror | None:
    """The configured mirror, or None when mirroring is off."""
    if not settings.CHAT_FIRESTORE_MIRROR:
        return None
    return FirestoreMirror() if settings.FIREBASE_CREDENTIALS else FakeMirror()
