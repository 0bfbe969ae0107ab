"""Moderation: what staff decide about reports and players (Django admin calls these).

Every decision records who took it and why: a `Sanction` row (warning, suspension, ban) and
the report's resolution. Suspending or banning turns the account off (`is_active=False`):
every way in already refuses an inactive user (the log-in form, session auth, JWT access and
refresh tokens, the WebSocket middleware), so there is one switch to flip and to check. Once
the decision commits, the player's sessions are deleted, their open WebSockets are closed
(group `user_<id>`, see driftwood/core/websocket.py) and the cached counts and relationships
of everyone connected to them are refreshed, since they vanish from those lists.

A suspension ends through `suspensions_lift` (`manage.py lift_suspensions`, and beat every
5 minutes), so an account comes back at most one beat interval after its `until`.
"""

from datetime import datetime, timedelta
from functools import partial
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from driftwood.accounts.models import User
from driftwood.accounts.services import ShutOut
from driftwood.core import redis_outage
from driftwood.core.i18n import lazy_join, lazy_text
from driftwood.core.times import malaysia_time
from driftwood.core.websocket import CLOSE_ACCOUNT_DISABLED, user_group
from driftwood.notifications.services import notify
from social.cache import social_changed_on_commit
from social.exceptions import AlreadyBanned, NotShutOut, ReportClosed, SelfAction
from social.models import Follow, Friendship, Report, Sanction, UserSession

Kind = Sanction.Kind
OPEN_REPORT = (Report.Status.PENDING, Report.Status.REVIEWING)
MAX_SUSPENSION_DAYS = 365


def session_index_add(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: remember which player the session belongs to."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        # Logging in over another player's session flushed it; it only gets its key when saved.
        session.save()
    UserSession.objects.update_or_create(session_id=session.session_key, defaults={"user": user})


def _lock_report(report: Report) -> Report:
    locked = Report.objects.select_for_update().select_related("reported").get(pk=report.pk)
    if locked.status not in OPEN_REPORT:
        raise ReportClosed()
    return locked


def _close_report(report: Report, *, staff, status: str, note: str) -> None:
    report.status, report.handled_by, report.resolution_note = status, staff, note
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_by", "resolution_note", "handled_at"])


def report_dismiss(*, report: Report, staff, note: str) -> Report:
    """Close an open report without action (ReportClosed if someone already handled it)."""
    with transaction.atomic():
        report = _lock_report(report)
        _close_report(report, staff=staff, status=Report.Status.DISMISSED, note=note)
    return report


def report_warn(*, report: Report, staff, reason: str) -> Sanction:
    """Warn the reported player: a recorded warning and an in-app notification with the reason."""
    with transaction.atomic():
        report = _lock_report(report)
        sanction = Sanction.objects.create(
            user=report.reported, kind=Kind.WARN, staff=staff, reason=reason, report=report
        )
        _close_report(report, staff=staff, status=Report.Status.ACTIONED, note=f"Warned: {reason}")
        _tell(
            report.reported,
            sanction,
            kind="moderation_warning",
            title=lazy_text(lambda: _("A warning from Driftwood's moderators")),
            body=lazy_join([reason, gettext_lazy("Repeated reports can lead to a suspension or a ban.")], "\n\n"),
        )
    return sanction


# The sanctions that keep an account off while they hold (not yet lifted).
SHUTTING_OUT = (Kind.SUSPEND, Kind.BAN)


def _tell(player, sanction: Sanction, *, kind: str, title: str, body: str) -> None:
    """In the app (seen when they can log in again) and by e-mail (seen now; these kinds are always
    e-mailed), in the caller's transaction."""
    notify(
        users=[player],
        kind=kind,
        title=title,
        body=body,
        data={"sanction_id": sanction.pk},
        key=f"{kind}:{sanction.pk}",
    )


def _open_again() -> str:
    return lazy_text(lambda: _("Your Driftwood account is open again"))


def _shut_out_notice(sanction: Sanction) -> tuple[str, str]:
    names = {"reason": sanction.reason}
    if sanction.kind == Kind.BAN:
        return (
            lazy_text(lambda: _("Your Driftwood account is banned")),
            lazy_text(lambda: _("Our moderators banned your account. Reason: %(reason)s") % names),
        )
    body = lazy_text(
        lambda: (
            _("Our moderators suspended your account until %(until)s. Reason: %(reason)s")
            % {**names, "until": malaysia_time(sanction.until)}
        )
    )
    return lazy_text(lambda: _("Your Driftwood account is suspended")), body


def user_suspend(*, user, days: int, staff, reason: str, report: Report | None = None) -> Sanction:
    """Shut the player out for `days` days: no log-in, session, token or socket until it is lifted."""
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValueError(f"A suspension lasts 1 to {MAX_SUSPENSION_DAYS} days, not {days}.")
    until = timezone.now() + timedelta(days=days)
    note = f"Suspended for {days} day{'s' if days != 1 else ''}: {reason}"
    return _shut_out(user=user, staff=staff, reason=reason, report=report, kind=Kind.SUSPEND, until=until, note=note)


def user_ban(*, user, staff, reason: str, report: Report | None = None) -> Sanction:
    """Ban the player for good: the account is deactivated and every way in closes at once."""
    return _shut_out(user=user, staff=staff, reason=reason, report=report, kind=Kind.BAN, note=f"Banned: {reason}")


def _shut_out(*, user, staff, reason: str, report: Report | None, kind: str, note: str, until=None) -> Sanction:
    if user.pk == staff.pk:
        raise SelfAction(_("You cannot suspend or ban yourself."))
    if report is not None and report.reported_id != user.pk:
        raise ValueError(f"Report #{report.pk} is not about {user}.")
    with transaction.atomic():
        player = User.objects.select_for_update().get(pk=user.pk)
        holding = Sanction.objects.filter(user=player, lifted_at__isnull=True, kind__in=SHUTTING_OUT)
        if player.is_active:
            # Staff let them back in by hand (user admin) since: those sanctions no longer hold.
            holding.update(lifted_at=timezone.now())
        elif holding.filter(kind=Kind.BAN).exists():
            raise AlreadyBanned()
        player.is_active = False
        player.save(update_fields=["is_active"])
        sanction = Sanction.objects.create(
            user=player, kind=kind, until=until, staff=staff, reason=reason, report=report
        )
        title, body = _shut_out_notice(sanction)
        _tell(player, sanction, kind="account_suspended", title=title, body=body)
        # The player's open reports are settled by this decision: the queue shows only what is left to do.
        for open_report in Report.objects.select_for_update().filter(reported=player, status__in=OPEN_REPORT):
            _close_report(open_report, staff=staff, status=Report.Status.ACTIONED, note=note)
        social_changed_on_commit(player.pk, *_connected_ids(player.pk))
        # After commit, when every new request already sees the account off. If this fails, the
        # inactive account still refuses each session, token and new socket on its next use.
        transaction.on_commit(partial(_end_sessions_and_sockets, player.pk), robust=True)
    user.is_active = False
    return sanction


def _connected_ids(user_id: int) -> set[int]:
    """Everyone whose counts or lists include this player: friends, requests either way, followers, followed."""
    ids: set[int] = set()
    pairs = Friendship.objects.filter(Q(requester_id=user_id) | Q(addressee_id=user_id))
    for requester_id, addressee_id in pairs.values_list("requester_id", "addressee_id"):
        ids.update((requester_id, addressee_id))
    ids.update(Follow.objects.filter(followed_id=user_id).values_list("follower_id", flat=True))
    ids.update(Follow.objects.filter(follower_id=user_id).values_list("followed_id", flat=True))
    ids.discard(user_id)
    return ids


def _end_sessions_and_sockets(user_id: int) -> None:
    """Delete the player's sessions (database and cache, through the session engine: only theirs,
    found in the log-in index) and close their open WebSockets on every server process."""
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in UserSession.objects.filter(user_id=user_id).values_list("session_id", flat=True):
        session_store(session_key=session_key).delete()
    # While Redis is down every socket is closed anyway (redis_outage.group_send).
    redis_outage.group_send(user_group(user_id), {"type": "force.disconnect", "code": CLOSE_ACCOUNT_DISABLED})


def suspensions_lift(*, now: datetime | None = None) -> int:
    """Let players whose suspensions have all ended back in (not banned ones); returns how many."""
    now = now or timezone.now()
    due = Sanction.objects.filter(kind=Kind.SUSPEND, lifted_at__isnull=True, until__lte=now)
    lifted = 0
    for user_id in due.order_by("user_id").values_list("user_id", flat=True).distinct():
        with transaction.atomic():
            # The same lock as a new suspension or ban, so neither can slip in between check and update.
            player = User.objects.select_for_update().get(pk=user_id)
            due.filter(user_id=user_id).update(lifted_at=now)
            still_held = Sanction.objects.filter(user_id=user_id, lifted_at__isnull=True).filter(
                Q(kind=Kind.BAN) | Q(kind=Kind.SUSPEND, until__gt=now)
            )
            if player.is_active or still_held.exists():
                continue
            player.is_active = True
            player.save(update_fields=["is_active"])
            social_changed_on_commit(player.pk, *_connected_ids(player.pk))
            last = Sanction.objects.filter(user_id=user_id, kind=Kind.SUSPEND, lifted_at=now).order_by("-until").first()
            body = lazy_text(lambda: _("Your suspension has ended: you can log in and play again. Welcome back."))
            _tell(player, last, kind="account_restored", title=_open_again(), body=body)
            lifted += 1
    return lifted


def suspension_lift(*, user, staff, reason: str) -> Sanction:
    """Staff let a suspended player back in before the end (NotShutOut if not suspended, or banned)."""
    return _let_back_in(user=user, staff=staff, reason=reason, lifts=Kind.SUSPEND, record=Kind.LIFT)


def user_unban(*, user, staff, reason: str) -> Sanction:
    """Staff let a banned player back in (their suspensions go too); NotShutOut if not banned."""
    return _let_back_in(user=user, staff=staff, reason=reason, lifts=Kind.BAN, record=Kind.UNBAN)


def _let_back_in(*, user, staff, reason: str, lifts: str, record: str) -> Sanction:
    with transaction.atomic():
        player = User.objects.select_for_update().get(pk=user.pk)  # the lock every sanction takes
        holding = Sanction.objects.filter(user=player, lifted_at__isnull=True, kind__in=SHUTTING_OUT)
        kinds = set(holding.values_list("kind", flat=True))
        if player.is_active or lifts not in kinds:
            raise NotShutOut()
        if lifts == Kind.SUSPEND and Kind.BAN in kinds:
            raise NotShutOut(_("The player is also banned: unban instead."))
        holding.update(lifted_at=timezone.now())
        player.is_active = True
        player.save(update_fields=["is_active"])
        sanction = Sanction.objects.create(user=player, kind=record, staff=staff, reason=reason)
        social_changed_on_commit(player.pk, *_connected_ids(player.pk))
        body = lazy_text(lambda: _("Our moderators have let you back in: you can log in and play again. Welcome back."))
        _tell(player, sanction, kind="account_restored", title=_open_again(), body=body)
    user.is_active = True
    return sanction


def recent_sanctions(*, user_ids: list[int], limit: int = 5) -> dict[int, list[Sanction]]:
    """For moderators: each player's latest sanctions, newest first, in one query."""
    found: dict[int, list[Sanction]] = {user_id: [] for user_id in user_ids}
    sanctions = Sanction.objects.filter(user_id__in=user_ids).select_related("staff").order_by("-created_at", "-pk")
    for sanction in sanctions:
        if len(found[sanction.user_id]) < limit:
            found[sanction.user_id].append(sanction)
    return found


def sanction_explanation(user) -> ShutOut | None:
    """What holds the inactive `user` out, for log-in to tell them (accounts' `shut_out_explanation`):
    a ban, else the suspension that ends last."""
    holding = Sanction.objects.filter(user=user, lifted_at__isnull=True, kind__in=SHUTTING_OUT)
    sanction = holding.order_by(F("until").desc(nulls_first=True), "-created_at").first()
    return None if sanction is None else ShutOut(until=sanction.until, reason=sanction.reason)
