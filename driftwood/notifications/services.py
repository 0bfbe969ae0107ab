"""Notification services: in-app rows are written in the caller's transaction; what leaves the
database (e-mail) is queued on commit."""

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from driftwood.core import redis_outage
from driftwood.notifications.models import Notification
from driftwood.notifications.tasks import send_email


def email_send(*, to: list[str], subject: str, body: str) -> None:
    """Queue an e-mail once the surrounding transaction commits; a rollback sends nothing.

    With the broker down the e-mail is lost (logged): the in-app notification, a row, stays.
    """
    transaction.on_commit(partial(redis_outage.enqueue, send_email, to=list(to), subject=subject, body=body))


def _site_path(url: str) -> str:
    # Rendered as a link on the page: only paths on this site, never `javascript:` or another host.
    if url and not (url.startswith("/") and not url.startswith("//")):
        raise ValueError(f"A notification links to a path on this site, not {url!r}.")
    return url


def notification_create(*, user, kind: str, title: str, body: str, url: str = "", data: dict | None = None):
    """One in-app notification for `user`, in the caller's transaction (one INSERT)."""
    return Notification.objects.create(
        user=user, kind=kind, title=title, body=body, url=_site_path(url), data=data or {}
    )


def notifications_create_many(
    *, users: Iterable, kind: str, title: str, body: str, url: str = "", data: dict | None = None
) -> list[Notification]:
    """The same notification for each of `users` (User objects or their ids), in one INSERT.

    A user listed twice gets it once.
    """
    user_ids = dict.fromkeys(getattr(user, "pk", user) for user in users)
    url, data, now = _site_path(url), data or {}, timezone.now()
    return Notification.objects.bulk_create(
        Notification(user_id=user_id, kind=kind, title=title, body=body, url=url, data=data, created_at=now)
        for user_id in user_ids
    )


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: those in `ids`, or all when `ids` is None.

    Ids of other users' notifications (or unknown ones) are ignored. Returns how many changed.
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def staff_notify(*, kind: str, title: str, body: str, url: str = "", data: dict | None = None) -> list[Notification]:
    """An in-app alert for every active staff member (money that needs a person's eyes)."""
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True)
    return notifications_create_many(users=staff, kind=kind, title=title, body=body, url=url, data=data)
