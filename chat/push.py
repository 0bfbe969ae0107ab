"""Push notifications to players with no open chat socket, through Firebase Cloud Messaging.

Senders share one interface: `FirebasePushSender` (firebase-admin's messaging API) when
FIREBASE_CREDENTIALS is set, else the stand-in CHAT_PUSH_STAND_IN names: in production
`LoggingPushSender` (pushes are off: each is logged, none fails), with the development tools
the double in driftwood/dev/firebase.py that records what would have been sent.

Pushes go to a per-player FCM topic that the mobile app subscribes to after signing in
(`push_topic`). The name is an HMAC of the player id under the site's secret, so nobody can
subscribe to another player's topic by guessing it.
"""

import hashlib
import json
import logging
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from chat.models import ChatMessage, ChatRoom
from chat.services import room_member_ids

logger = logging.getLogger("driftwood.chat")

PREVIEW_LENGTH = 140


@dataclass(frozen=True)
class Push:
    user_id: int
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)


class PushSender(ABC):
    @abstractmethod
    def send(self, pushes: list[Push]) -> list[Push]:
        """Deliver the pushes; return those that failed (the caller retries them)."""


def push_topic(user_id: int) -> str:
    """The FCM topic of one player's devices."""
    return "player_" + salted_hmac("driftwood.chat.push_topic", str(user_id)).hexdigest()[:40]


_firebase_lock = threading.Lock()


def firebase_app():
    """The firebase-admin app for FIREBASE_CREDENTIALS (a file path or the JSON itself), created once
    per credentials (the name carries their digest, so changed credentials get a fresh app)."""
    import firebase_admin
    from firebase_admin import credentials

    raw = settings.FIREBASE_CREDENTIALS.strip()
    name = f"driftwood-{hashlib.sha256(raw.encode()).hexdigest()[:16]}"
    with _firebase_lock:
        try:
            return firebase_admin.get_app(name)
        except ValueError:
            source = json.loads(raw) if raw.startswith("{") else Path(raw)
            return firebase_admin.initialize_app(credentials.Certificate(source), name=name)


class FirebasePushSender(PushSender):
    def __init__(self, app=None):
        self.app = app or firebase_app()

    @staticmethod
    def build(push: Push):
        from firebase_admin import messaging

        return messaging.Message(
            topic=push_topic(push.user_id),
            notification=messaging.Notification(title=push.title, body=push.body),
            data=push.data,
            android=messaging.AndroidConfig(priority="high", collapse_key=push.data.get("room_id")),
        )

    def send(self, pushes: list[Push]) -> list[Push]:
        from firebase_admin import messaging

        if not pushes:
            return []
        response = messaging.send_each([self.build(push) for push in pushes], app=self.app)
        failed = []
        for push, result in zip(pushes, response.responses, strict=True):
            if not result.success:
                logger.warning("FCM push to user %s failed: %s", push.user_id, result.exception)
                failed.append(push)
        return failed


class LoggingPushSender(PushSender):
    """Production without FIREBASE_CREDENTIALS: pushes are off. Each is logged and none fails,
    so nothing is retried."""

    def send(self, pushes: list[Push]) -> list[Push]:
        for push in pushes:
            logger.info("push not sent (no FIREBASE_CREDENTIALS) to user %s: %s", push.user_id, push.title)
        return []


def push_sender() -> PushSender:
    """FCM with FIREBASE_CREDENTIALS, else the stand-in the settings name."""
    return FirebasePushSender() if settings.FIREBASE_CREDENTIALS else import_string(settings.CHAT_PUSH_STAND_IN)()


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
