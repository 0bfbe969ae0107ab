"""Firebase doubles: what pushes and the Firestore mirror would have sent, kept in memory.

Used without FIREBASE_CREDENTIALS while the development tools are on (settings
CHAT_PUSH_STAND_IN and CHAT_MIRROR_STAND_IN): Firebase cannot be reached from development
machines and tests. Each keeps the latest FAKE_HISTORY items, so a long-running development
worker does not grow without bound.
"""

import logging
from collections import OrderedDict, deque

from chat.mirror import MessageMirror
from chat.push import Push, PushSender

logger = logging.getLogger("driftwood.chat")

FAKE_HISTORY = 1000


class FakePushSender(PushSender):
    """Records pushes instead of sending them.

    `unreachable` maps a user id to how many more attempts to that user fail, the way FCM refuses
    a push while its service is down: tests use it to see failed pushes retried.
    """

    sent: deque[Push] = deque(maxlen=FAKE_HISTORY)
    unreachable: dict[int, int] = {}

    def send(self, pushes: list[Push]) -> list[Push]:
        failed = []
        for push in pushes:
            if self.unreachable.get(push.user_id, 0) > 0:
                self.unreachable[push.user_id] -= 1
                failed.append(push)
                continue
            self.sent.append(push)
            logger.info("push not sent (no FIREBASE_CREDENTIALS) to user %s: %s", push.user_id, push.title)
        return failed

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()
        cls.unreachable.clear()

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
