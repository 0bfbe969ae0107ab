"""The optional Firestore mirror of chat messages (for mobile clients that read Firestore).

PostgreSQL stays the source of truth: a message is mirrored by a task queued after its commit, so
a Firestore outage is logged and retried but never rolls back or delays the message itself.
Enabled by CHAT_FIRESTORE_MIRROR; `FirestoreMirror` writes through firebase-admin when
FIREBASE_CREDENTIALS is set, else the stand-in CHAT_MIRROR_STAND_IN names: with the development
tools the double in driftwood/dev/firebase.py that records what would be written; in production
there is none, and the settings refuse the mirror without credentials.
Documents live at `chat_rooms/{room_id}/messages/{message_id}`, so a retried write overwrites
itself instead of duplicating.
"""

from abc import ABC, abstractmethod

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from chat.frames import message_document  # noqa: F401 - chat.consumers reads it from here
from driftwood.core.firebase import firebase_app


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


def message_mirror() -> MessageMirror | None:
    """The configured mirror, or None when mirroring is off."""
    if not settings.CHAT_FIRESTORE_MIRROR:
        return None
    if settings.FIREBASE_CREDENTIALS:
        return FirestoreMirror()
    if not settings.CHAT_MIRROR_STAND_IN:
        raise ImproperlyConfigured("CHAT_FIRESTORE_MIRROR needs FIREBASE_CREDENTIALS (or the development tools).")
    return import_string(settings.CHAT_MIRROR_STAND_IN)()
