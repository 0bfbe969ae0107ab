"""How notifications leave the database: live frames to open pages, e-mails (one, or a digest of
several) and pushes to devices. Called after commit and from the tasks; never holds up the step
that notified."""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from driftwood.core import redis_outage
from driftwood.core.i18n import user_language
from driftwood.notifications.models import Device, Notification
from driftwood.notifications.push import Delivery, Push, PushSender
from driftwood.notifications.selectors import notifications_unread_count

logger = logging.getLogger("driftwood.notifications")

# A digest lists at most this many; the rest follow in the next e-mail.
DIGEST_MAX = 50


def user_group(user_id: int) -> str:
    """The channel-layer group of one player's open pages (`/ws/notifications`)."""
    return f"notifications_{user_id}"


def item(notification: Notification) -> dict:
    """A notification as the API and the socket show it."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


def live_send(notifications: list[Notification]) -> None:
    """Each new notification to its player's open pages (one round trip for all); the sockets add
    the unread count."""
    redis_outage.group_send_many(
        [
            (user_group(notification.user_id), {"type": "notification.new", "item": item(notification)})
            for notification in notifications
        ]
    )


def unread_send(*, user_id: int) -> None:
    """The player read some: their open pages refresh the badge."""
    redis_outage.group_send(user_group(user_id), {"type": "notification.unread"})


def _link(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url else ""


def _email(user, notifications: list[Notification]) -> EmailMessage:
    """In the player's language (the rows themselves were written in it by `notify`)."""
    with translation.override(user_language(user)):
        return _email_text(user, notifications)


def _email_text(user, notifications: list[Notification]) -> EmailMessage:
    name = getattr(user, "public_name", "") or user.get_username()
    settings_link = _link(reverse("notifications:settings"))
    footer = _("Choose which e-mails you get: %(link)s") % {"link": settings_link} + "\n\n- Driftwood"
    greeting = _("Hi %(name)s,") % {"name": name}
    if len(notifications) == 1:
        (only,) = notifications
        parts = [greeting, only.body or only.title, _link(only.url), footer]
        return EmailMessage(subject=only.title, body="\n\n".join(part for part in parts if part), to=[user.email])
    count = len(notifications)
    lines = [
        greeting,
        ngettext("%(count)s thing happened on Driftwood:", "%(count)s things happened on Driftwood:", count)
        % {"count": count},
    ]
    for notification in notifications:
        entry = f"- {notification.title}"
        if notification.body:
            entry += f"\n  {notification.body}"
        if notification.url:
            entry += f"\n  {_link(notification.url)}"
        lines.append(entry)
    lines.append(footer)
    return EmailMessage(
        subject=ngettext("%(count)s update from Driftwood", "%(count)s updates from Driftwood", count)
        % {"count": count},
        body="\n\n".join(lines),
        to=[user.email],
    )


def emails_send(*, user_id: int) -> int:
    """Send the player's waiting notification e-mails: one message, or a digest of several.

    The rows stay locked while the e-mail is sent, so two runs never send the same rows; a failed
    send rolls back and leaves them waiting for the retry (or the sweep). Returns how many were sent.
    """
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, email_pending=True)
            .order_by("created_at", "id")[:DIGEST_MAX]
        )
        if not due:
            return 0
        user = get_user_model().objects.get(pk=user_id)
        if user.email:
            _email(user, due).send()
        Notification.objects.filter(pk__in=[n.pk for n in due]).update(email_pending=False)
    if len(due) == DIGEST_MAX:
        emails_send(user_id=user_id)
    return len(due) if user.email else 0


def devices_push(pushes: list[Push], *, sender: PushSender) -> list[Push]:
    """Each push to every device of its player; returns the pushes to retry. Dead tokens are deleted."""
    tokens = defaultdict(list)
    for user_id, token in Device.objects.filter(user_id__in={push.user_id for push in pushes}).values_list(
        "user_id", "token"
    ):
        tokens[user_id].append(token)
    deliveries = [Delivery(token=token, push=push) for push in pushes for token in tokens[push.user_id]]
    if not deliveries:
        return []
    report = sender.send(deliveries)
    if report.invalid_tokens:
        forgotten, _ = Device.objects.filter(token__in=report.invalid_tokens).delete()
        logger.info("forgot %d device(s) FCM no longer knows", forgotten)
    return list({id(delivery.push): delivery.push for delivery in report.failed}.values())


def notification_pushes(notification_ids: list[int], *, online: set[int] | None = None) -> list[Push]:
    """The pushes for these notifications, skipping players who have the site open (`online`)."""
    notifications = Notification.objects.filter(pk__in=notification_ids).exclude(user_id__in=online or ())
    return [
        Push(
            user_id=notification.user_id,
            title=notification.title,
            body=notification.body[:140],
            data={"type": "notification", "kind": notification.kind, "notification_id": str(notification.pk)},
        )
        for notification in notifications.order_by("id")
    ]


def unread_count(user_id: int) -> int:
    return notifications_unread_count(user=user_id)


# Who has a live socket open: the chat app registers its presence check at start-up (ready()), so
# that pushes go only to players who are not looking at the site.
_online_check: list[Callable[[list[int]], set[int]]] = []


def online_check_with(check: Callable[[list[int]], set[int]]) -> None:
    _online_check[:] = [check]


def users_online(user_ids: list[int]) -> set[int]:
    return _online_check[0](user_ids) if _online_check else set()
