"""Firebase doubles: what pushes and the Firestore mirror would have sent, kept in memory.

Used without FIREBASE_CREDENTIALS while the development tools are on (settings
PUSH_STAND_IN and CHAT_MIRROR_STAND_IN): Firebase cannot be reached from development
machines and tests. Each keeps the latest FAKE_HISTORY items, so a long-running development
worker does not grow without bound.
"""

import logging
from collections import OrderedDict, deque

from chat.mirror import MessageMirror
from driftwood.notifications.push import Delivery, Push, PushSender, SendReport

logger = logging.getLogger("driftwood.chat")

FAKE_HISTORY = 1000


class FakePushSender(PushSender):
    """Records pushes instead of sending them.

    `unreachable` maps a user id to how many more attempts to that user fail, the way FCM refuses
    a push while its service is down: tests use it to see failed pushes retried. Tokens in
    `unregistered` are answered the way FCM answers for an app that was uninstalled.
    """

    sent: deque[Push] = deque(maxlen=FAKE_HISTORY)
    deliveries: deque[Delivery] = deque(maxlen=FAKE_HISTORY)
    unreachable: dict[int, int] = {}
    unregistered: set[str] = set()

    def send(self, deliveries: list[Delivery]) -> SendReport:
        report = SendReport()
        for delivery in deliveries:
            push = delivery.push
            if delivery.token in self.unregistered:
                report.invalid_tokens.append(delivery.token)
            elif self.unreachable.get(push.user_id, 0) > 0:
                report.failed.append(delivery)
            else:
                self.deliveries.append(delivery)
                if push not in self.sent:
                    self.sent.append(push)
                logger.info("push not sent (no FIREBASE_CREDENTIALS) to user %s: %s", push.user_id, push.title)
        for user_id in {delivery.push.user_id for delivery in report.failed}:
            self.unreachable[user_id] -= 1
        return report

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()
        cls.deliveries.clear()
        cls.unreachable.clear()
        cls.unregistered.clear()

    @classmethod
    def sent_to(cls, user_id: int) -> list[Push]:
        return [push for push in cls.sent if push.user_id == user_id]


class FakeMirror(MessageMirror):
    """Keeps the latest documents by message id, overwriting like Firestore's `set`."""

    written: OrderedDict[int, dict] = OrderedDict()

    def write(self, document: dict) -> None:
        self.written[document["id"]] = document
        self.written.move_to_end(document["id"])
        while len(self.written) > FAKE_HISTORY:
            self.written.popitem(last=False)

    @classmethod
    def reset(cls) -> None:
        cls.written.clear()
