"""Push notifications to players' devices through Firebase Cloud Messaging.

Devices register their FCM registration token (`POST /me/devices`); a push goes to every device of
its player. Senders share one interface: `FirebasePushSender` (firebase-admin's messaging API) when
FIREBASE_CREDENTIALS is set, else the stand-in PUSH_STAND_IN names: in production
`LoggingPushSender` (pushes are off: each is logged, none fails), with the development tools the
double in driftwood/dev/firebase.py that records what would have been sent.
"""

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from driftwood.core.firebase import firebase_app

logger = logging.getLogger("driftwood.notifications")


@dataclass(frozen=True)
class Push:
    """What one player is told (on each of their devices)."""

    user_id: int
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    token: str
    push: Push


@dataclass
class SendReport:
    failed: list[Delivery] = field(default_factory=list)  # worth another try (FCM down, quota)
    invalid_tokens: list[str] = field(default_factory=list)  # FCM no longer knows them: forget the device


class PushSender(ABC):
    @abstractmethod
    def send(self, deliveries: list[Delivery]) -> SendReport:
        """Deliver each push to its device; report what failed and which tokens are dead."""


class FirebasePushSender(PushSender):
    def __init__(self, app=None):
        self.app = app or firebase_app()

    @staticmethod
    def build(delivery: Delivery):
        from firebase_admin import messaging

        push = delivery.push
        # The device's `token` is what the app got from FCM for this installation: firebase-admin
        # 7 addresses it as the Firebase installation id (`fid`; `token=` is deprecated).
        return messaging.Message(
            fid=delivery.token,
            notification=messaging.Notification(title=push.title, body=push.body),
            data=push.data,
            android=messaging.AndroidConfig(priority="high", collapse_key=push.data.get("room_id")),
        )

    def send(self, deliveries: list[Delivery]) -> SendReport:
        from firebase_admin import exceptions, messaging

        report = SendReport()
        # FCM takes at most 500 messages per batch.
        for start in range(0, len(deliveries), 500):
            batch = deliveries[start : start + 500]
            response = messaging.send_each([self.build(delivery) for delivery in batch], app=self.app)
            for delivery, result in zip(batch, response.responses, strict=True):
                if result.success:
                    continue
                error = result.exception
                dead = (messaging.UnregisteredError, messaging.SenderIdMismatchError, exceptions.InvalidArgumentError)
                if isinstance(error, dead):
                    report.invalid_tokens.append(delivery.token)
                else:
                    logger.warning("FCM push to user %s failed: %s", delivery.push.user_id, error)
                    report.failed.append(delivery)
        return report


class LoggingPushSender(PushSender):
    """Production without FIREBASE_CREDENTIALS: pushes are off. Each is logged and none fails,
    so nothing is retried."""

    def send(self, deliveries: list[Delivery]) -> SendReport:
        for delivery in deliveries:
            logger.info(
                "push not sent (no FIREBASE_CREDENTIALS) to user %s: %s", delivery.push.user_id, delivery.push.title
            )
        return SendReport()


def push_sender() -> PushSender:
    """FCM with FIREBASE_CREDENTIALS, else the stand-in the settings name."""
    return FirebasePushSender() if settings.FIREBASE_CREDENTIALS else import_string(settings.PUSH_STAND_IN)()
