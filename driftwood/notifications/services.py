"""Notification services: every step of Driftwood tells players what happened through `notify`.

In-app rows are written in the caller's transaction (one INSERT per call, at most one row per
happening per player). What leaves the database is queued on commit: the live badge on open pages
(`/ws/notifications`), the e-mail (per kind and player preference, batched into a digest when
several arrive together) and a push to the devices of players who are not online.
"""

import json
from collections.abc import Callable, Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation

from driftwood.core import redis_outage
from driftwood.core.i18n import is_lazy
from driftwood.notifications import delivery
from driftwood.notifications.kinds import PLAYER_KINDS, kind_of
from driftwood.notifications.models import Device, EmailPreference, Notification
from driftwood.notifications.push import Push as Push  # re-exported for the apps that push
from driftwood.notifications.push import push_sender
from driftwood.notifications.tasks import notifications_deliver, send_email


def email_send(*, to: list[str], subject: str, body: str) -> None:
    """Queue an e-mail that is not a notification (account links) once the transaction commits.

    With the broker down the e-mail is lost (logged); account e-mails can be asked for again.
    """
    transaction.on_commit(partial(redis_outage.enqueue, send_email, to=list(to), subject=subject, body=body))


def _site_path(url: str) -> str:
    # Rendered as a link on the page: only paths on this site, never `javascript:` or another host.
    if url and not (url.startswith("/") and not url.startswith("//")):
        raise ValueError(f"A notification links to a path on this site, not {url!r}.")
    return url


# One statement per happening: the recipients (a list of ids or a subquery), each player's e-mail
# choice for the kind (the kind's default when they made none), and no second row for a key. The
# title and body are either one text for all, or one per language picked by the recipient's own.
_INSERT = """
INSERT INTO notifications_notification (user_id, kind, title, body, url, data, key, created_at, email_pending)
SELECT recipient.user_id, %s, {title}, {body}, %s, %s::jsonb, %s, %s, %s OR COALESCE(choice.email, %s)
FROM ({recipients}) AS recipient
LEFT JOIN notifications_emailpreference AS choice ON choice.user_id = recipient.user_id AND choice.kind = %s
ON CONFLICT (user_id, key) WHERE key <> '' DO NOTHING
RETURNING id, user_id, email_pending, title, body
"""
_IN_THEIR_LANGUAGE = "(%s::text[])[array_position(%s::text[], recipient.language)]"


def _recipients(users) -> tuple[str, list] | None:
    """SQL naming each recipient once as `user_id`, with its parameters; None when there are none."""
    if isinstance(users, RawSQL):
        return f"SELECT DISTINCT chosen.user_id FROM ({users.sql}) AS chosen(user_id)", list(users.params)
    if isinstance(users, QuerySet):
        try:
            sql, params = users.query.sql_with_params()
        except EmptyResultSet:  # e.g. `pk__in=[]`: nobody
            return None
        return f"SELECT DISTINCT chosen.user_id FROM ({sql}) AS chosen(user_id)", list(params)
    user_ids = list(dict.fromkeys(getattr(user, "pk", user) for user in users))
    return ("SELECT DISTINCT unnest(%s::bigint[]) AS user_id", [user_ids]) if user_ids else None


def _texts(recipients_sql: str, title, body) -> tuple[dict, str, list, list]:
    """Plain texts: as given. Translatable ones (`driftwood.core.i18n.lazy_text`, `gettext_lazy`):
    rendered in every language, each recipient's row taking the one they chose (English if none).
    Returns the SQL for the title and body, the recipients' SQL, and the parameters of each."""
    if not (is_lazy(title) or is_lazy(body)):
        return {"title": "%s", "body": "%s"}, recipients_sql, [str(title), str(body)], []
    codes = [code for code, _name in settings.LANGUAGES]
    rendered = {}
    for code in codes:
        with translation.override(code):
            rendered[code] = (str(title), str(body))
    users = get_user_model()._meta.db_table
    with_language = (
        f"SELECT picked.user_id, COALESCE(NULLIF(player.language, ''), %s) AS language FROM ({recipients_sql}) "
        f"AS picked JOIN {users} AS player ON player.id = picked.user_id"
    )
    texts = [[rendered[code][0] for code in codes], codes, [rendered[code][1] for code in codes], codes]
    return {"title": _IN_THEIR_LANGUAGE, "body": _IN_THEIR_LANGUAGE}, with_language, texts, [settings.LANGUAGE_CODE]


def notify(
    *, users, kind: str, title: str, body: str = "", url: str = "", data: dict | None = None, key: str = ""
) -> list[int]:
    """Tell each of `users` what happened, in the caller's transaction, in one statement.

    `users`: User objects or ids (a user listed twice is told once), or a queryset of user ids
    (`values_list("user_id", flat=True)`) or a `RawSQL` selecting them, used as a subquery. `key`
    names the happening (e.g. "match_ready:42:1"): a player who already has a notification with that
    key gets no second one, so a step that runs twice (a retried task, two requests at once)
    notifies once. E-mail follows the kind and the player's choice (kinds.py). Returns the ids of
    the notifications written.
    """
    spec = kind_of(kind)
    recipients = _recipients(users)
    if recipients is None:
        return []
    recipients_sql, recipients_params = recipients
    payload = json.dumps(data or {}, cls=DjangoJSONEncoder)
    columns, recipients_sql, text_params, language_params = _texts(recipients_sql, title, body)
    url, now = _site_path(url), timezone.now()
    params = [kind, *text_params, url, payload, key, now, spec.required, spec.email]
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT.format(recipients=recipients_sql, **columns), [*params, *language_params, *recipients_params, kind]
        )
        written = cursor.fetchall()
    if written:
        # The rows as written (RETURNING gives each its language's texts): the live frames need no re-read.
        data = json.loads(payload)
        notifications = [
            Notification(id=pk, user_id=user_id, kind=kind, title=title, body=body, url=url, data=data, created_at=now)
            for pk, user_id, _emailed, title, body in written
        ]
        emailed = sorted({user_id for _pk, user_id, email_pending, _title, _body in written if email_pending})
        transaction.on_commit(partial(_deliver, notifications, emailed))
    return [row[0] for row in written]


def _deliver(notifications: list[Notification], emailed: list[int]) -> None:
    """After commit: live badges now; e-mail after the digest window and pushes for offline players,
    through one task. With the broker down both are lost (logged): the e-mail sweep sends the
    e-mails later, the rows stay in the app."""
    delivery.live_send(notifications)
    ids = [notification.pk for notification in notifications]
    redis_outage.enqueue(notifications_deliver, notification_ids=ids, email_user_ids=emailed)


def staff_notify(
    *, kind: str, title: str, body: str, url: str = "", data: dict | None = None, key: str = ""
) -> list[int]:
    """An alert for every active staff member (money that needs a person's eyes)."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True)
    return notify(users=staff, kind=kind, title=title, body=body, url=url, data=data, key=key)


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: those in `ids`, or all when `ids` is None.

    Ids of other users' notifications (or unknown ones) are ignored. Returns how many changed.
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    changed = unread.update(read_at=timezone.now())
    if changed:
        transaction.on_commit(partial(delivery.unread_send, user_id=user.pk))
    return changed


def email_preferences(*, user) -> list[dict]:
    """Every player-facing kind with whether this player gets it by e-mail."""
    choices = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email"))
    return [
        {
            "kind": name,
            "label": spec.label,
            "email": True if spec.required else choices.get(name, spec.email),
            "required": spec.required,
        }
        for name, spec in PLAYER_KINDS.items()
    ]


def email_preferences_set(*, user, choices: dict[str, bool]) -> list[dict]:
    """Record the player's e-mail choices (kind -> on/off). Unknown or staff kinds raise ValueError;
    required kinds cannot be turned off (ValueError). A choice equal to the default is not stored."""
    for name, email in choices.items():
        if name not in PLAYER_KINDS:
            raise ValueError(f"Unknown notification kind {name!r}.")
        if PLAYER_KINDS[name].required and not email:
            raise ValueError(f"{PLAYER_KINDS[name].label}: this e-mail cannot be turned off.")
    with transaction.atomic():
        for name, email in choices.items():
            if email == PLAYER_KINDS[name].email:
                EmailPreference.objects.filter(user=user, kind=name).delete()
            else:
                EmailPreference.objects.update_or_create(user=user, kind=name, defaults={"email": email})
    return email_preferences(user=user)


def device_register(*, user, token: str, platform: str) -> tuple[Device, bool]:
    """Register (or refresh) a device for pushes; a token another player had moves to this one
    (the phone changed hands or accounts). Returns the device and whether it was new to this player."""
    now = timezone.now()
    with transaction.atomic():
        device, created = Device.objects.select_for_update().get_or_create(
            token=token, defaults={"user": user, "platform": platform, "last_registered_at": now}
        )
        if created:
            return device, True
        new_to_player = device.user_id != user.pk
        device.user, device.platform, device.last_registered_at = user, platform, now
        device.save(update_fields=["user", "platform", "last_registered_at"])
    return device, new_to_player


def device_forget(*, user, token: str) -> bool:
    """Stop pushing to this device (the caller's own only). True if there was one."""
    deleted, _ = Device.objects.filter(user=user, token=token).delete()
    return bool(deleted)


def online_check_with(check: Callable[[list[int]], set[int]]) -> None:
    """Register who counts as online (players with an open socket get no push): chat's presence."""
    delivery.online_check_with(check)


def devices_push(pushes: list[Push]) -> list[Push]:
    """Send each push to every device of its player; forget devices FCM says are gone.

    Returns the pushes that failed on some device and are worth retrying."""
    return delivery.devices_push(pushes, sender=push_sender())


def chat_unread_tell(*, user_id: int, count: int) -> None:
    """The player's Chat menu badge on open pages: `count` rooms with unread messages."""
    redis_outage.group_send(delivery.user_group(user_id), {"type": "notification.chat", "count": count})
