"""Chat side effects that leave the building: offline pushes (queue `high`) and the Firestore mirror.

Both are queued after the message's commit and retried with backoff (ExternalServiceTask); neither
can undo or hold up the message itself. Pushes are retried only for the players whose push failed.
"""

import logging
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat.frames import message_document
from chat.mirror import message_mirror
from chat.models import ChatMessage
from chat.push import message_pushes
from chat.selectors import unread_rooms_count
from chat.services import messages_archive
from driftwood.celery import ExternalServiceTask
from driftwood.notifications.services import chat_unread_tell, devices_push

logger = logging.getLogger("driftwood.chat")


def _message(message_id: int) -> ChatMessage | None:
    # A message archived or deleted before its task ran has nothing left to push or mirror.
    return ChatMessage.objects.select_related("room", "sender").filter(pk=message_id).first()


@shared_task(bind=True, base=ExternalServiceTask, name="chat.tasks.message_push")
def message_push(self, *, message_id: int, user_ids: list[int]) -> int:
    """Push a message to these players (they had no open socket); returns how many this attempt reached."""
    message = _message(message_id)
    if message is None:
        return 0
    if not self.request.retries:
        # Their open pages (no chat socket) show the new unread room on the Chat menu.
        for user_id in user_ids:
            chat_unread_tell(user_id=user_id, count=unread_rooms_count(user_id=user_id))
    failed = devices_push(message_pushes(message, user_ids))
    if failed:
        countdown = get_exponential_backoff_interval(
            factor=int(max(1.0, self.retry_backoff)),
            retries=self.request.retries,
            maximum=self.retry_backoff_max,
            full_jitter=self.retry_jitter,
        )
        raise self.retry(
            kwargs={"message_id": message_id, "user_ids": [push.user_id for push in failed]}, countdown=countdown
        )
    return len(user_ids)


@shared_task(bind=True, base=ExternalServiceTask, name="chat.tasks.message_mirror_write", acks_late=True)
def message_mirror_write(self, *, message_id: int) -> bool:
    """Copy one message to the mirror (idempotent: a retry overwrites the same document)."""
    message = _message(message_id)
    if message is None or not settings.CHAT_FIRESTORE_MIRROR:
        return False
    try:
        message_mirror().write(message_document(message))
    except Exception:
        logger.warning(
            "mirroring message %s failed (attempt %d), retrying", message_id, self.request.retries + 1, exc_info=True
        )
        raise
    return True


def message_posted(*, message: ChatMessage, offline_user_ids) -> None:
    """Queue the side effects of a saved message once it is committed. A failure to queue them is
    logged, never raised: the message is already saved and must still be broadcast."""
    offline_user_ids = sorted(offline_user_ids)

    def push():
        message_push.delay(message_id=message.pk, user_ids=offline_user_ids)

    def mirror():
        message_mirror_write.delay(message_id=message.pk)

    if offline_user_ids:
        transaction.on_commit(push, robust=True)
    if settings.CHAT_FIRESTORE_MIRROR:
        transaction.on_commit(mirror, robust=True)


@shared_task(name="chat.tasks.archive_chat")
def archive_chat(*, older_than_days: int = 90, batch_size: int = 1000) -> int:
    """Daily (beat, 02:00 UTC): move messages older than `older_than_days` to the archive table."""
    return messages_archive(older_than=timezone.now() - timedelta(days=older_than_days), batch_size=batch_size)
