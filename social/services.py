"""Every write to the social graph. Each takes a transaction-scoped advisory lock on the pair
of users it concerns, so two requests about the same pair (in either direction, on any
process) are decided one after the other; the unique constraints stand behind them."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.accounts.models import User
from driftwood.core.exceptions import RateLimited
from social import notifications
from social.cache import social_changed_on_commit
from social.exceptions import (
    AlreadyFriends,
    FriendshipNotFound,
    NotFriends,
    NotPending,
    NotRecipient,
    NotRequester,
    SelfAction,
    UserNotFound,
)
from social.models import Follow, Friendship, Report, Star

REPORT_WINDOW = timedelta(hours=24)

Status = Friendship.Status


@dataclass(frozen=True)
class FriendRequestResult:
    friendship: Friendship
    outcome: str  # "sent", "already_sent" or "accepted"


def _lock_pair(kind: str, first: int, second: int, *, ordered: bool = False) -> None:
    """Serialize writes about this pair; unordered pairs lock the same key in both directions."""
    a, b = (first, second) if ordered else sorted((first, second))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"social|{kind}|{a}|{b}"])


def _target(actor, target_id: int) -> User:
    if target_id == actor.pk:
        raise SelfAction()
    target = User.objects.filter(pk=target_id, is_active=True).first()
    if target is None:
        raise UserNotFound()
    return target


def _pair(a: int, b: int) -> Friendship | None:
    """The pair's one friendship row, whoever asked (locked)."""
    either_way = Q(requester_id=a, addressee_id=b) | Q(requester_id=b, addressee_id=a)
    return Friendship.objects.select_for_update().filter(either_way).first()


def friend_request_send(*, requester, target_id: int) -> FriendRequestResult:
    """Ask to be friends. If they already asked you, you are now friends."""
    target = _target(requester, target_id)
    with transaction.atomic():
        _lock_pair("friend", requester.pk, target.pk)
        friendship = _pair(requester.pk, target.pk)
        if friendship is not None and friendship.status == Status.ACCEPTED:
            raise AlreadyFriends()
        if friendship is not None and friendship.status == Status.PENDING:
            if friendship.requester_id == requester.pk:
                return FriendRequestResult(friendship, "already_sent")
            _accept(friendship)
            return FriendRequestResult(friendship, "accepted")
        now = timezone.now()
        if friendship is None:
            friendship = Friendship.objects.create(requester=requester, addressee=target, created_at=now)
        else:  # a rejected request may be made again, by either of them
            friendship.requester, friendship.addressee = requester, target
            friendship.status, friendship.created_at, friendship.responded_at = Status.PENDING, now, None
            friendship.save()
        social_changed_on_commit(requester.pk, target.pk)
        notifications.friend_request_received(friendship)
    return FriendRequestResult(friendship, "sent")


def _accept(friendship: Friendship) -> None:
    friendship.status = Status.ACCEPTED
    friendship.responded_at = timezone.now()
    friendship.save(update_fields=["status", "responded_at"])
    social_changed_on_commit(friendship.requester_id, friendship.addressee_id)
    notifications.friend_request_accepted(friendship)


def _answerable(user, friendship_id: int) -> Friendship:
    friendship = Friendship.objects.select_for_update().filter(pk=friendship_id).first()
    if friendship is None or user.pk not in (friendship.requester_id, friendship.addressee_id):
        raise FriendshipNotFound()
    if friendship.addressee_id != user.pk:
        raise NotRecipient()
    if friendship.status != Status.PENDING:
        raise NotPending()
    return friendship


def friend_request_accept(*, user, friendship_id: int) -> Friendship:
    with transaction.atomic():
        friendship = _answerable(user, friendship_id)
        _accept(friendship)
    return friendship


def friend_request_reject(*, user, friendship_id: int) -> Friendship:
    with transaction.atomic():
        friendship = _answerable(user, friendship_id)
        friendship.status = Status.REJECTED
        friendship.responded_at = timezone.now()
        friendship.save(update_fields=["status", "responded_at"])
        social_changed_on_commit(friendship.requester_id, friendship.addressee_id)
    return friendship


def friend_request_cancel(*, user, friendship_id: int) -> None:
    """The requester withdraws a pending request: the row goes, so either of them may ask again."""
    pair = Friendship.objects.filter(pk=friendship_id).values_list("requester_id", "addressee_id").first()
    if pair is None or user.pk not in pair:
        raise FriendshipNotFound()
    with transaction.atomic():
        _lock_pair("friend", *pair)
        friendship = Friendship.objects.select_for_update().filter(pk=friendship_id).first()
        if friendship is None:
            raise FriendshipNotFound()
        if friendship.requester_id != user.pk:
            raise NotRequester()
        if friendship.status != Status.PENDING:
            raise NotPending()
        friendship.delete()
        social_changed_on_commit(*pair)


def friend_remove(*, user, friend_id: int) -> None:
    with transaction.atomic():
        _lock_pair("friend", user.pk, friend_id)
        friendship = _pair(user.pk, friend_id)
        if friendship is None or friendship.status != Status.ACCEPTED:
            raise NotFriends()
        friendship.delete()
        social_changed_on_commit(user.pk, friend_id)


def follow_toggle(*, follower, target_id: int) -> bool:
    """Follow, or stop following; returns whether the caller now follows them."""
    target = _target(follower, target_id)
    with transaction.atomic():
        _lock_pair("follow", follower.pk, target.pk, ordered=True)
        deleted, _ = Follow.objects.filter(follower=follower, followed=target).delete()
        if not deleted:
            Follow.objects.create(follower=follower, followed=target)
            notifications.new_follower(follower=follower, followed=target)
        social_changed_on_commit(follower.pk, target.pk)
    return not deleted


def star_toggle(*, user, target_id: int) -> bool:
    """Star or unstar a player (private to the caller); returns whether they are now starred."""
    target = _target(user, target_id)
    with transaction.atomic():
        _lock_pair("star", user.pk, target.pk, ordered=True)
        deleted, _ = Star.objects.filter(user=user, starred=target).delete()
        if not deleted:
            Star.objects.create(user=user, starred=target)
    return not deleted


def report_create(*, reporter, target_id: int, reason: str, description: str = "") -> Report:
    """One report per reporter and reported player per 24 h (RateLimited otherwise).

    The pair's lock makes the check and the insert one step, so two reports sent at once
    cannot both pass.
    """
    if target_id == reporter.pk:
        raise SelfAction(_("You cannot report yourself."))
    # Banned players are hidden everywhere, reports included: their case is already closed.
    target = User.objects.filter(pk=target_id, is_active=True).first()
    if target is None:
        raise UserNotFound()
    try:
        with transaction.atomic():
            _lock_pair("report", reporter.pk, target.pk, ordered=True)
            since = timezone.now() - REPORT_WINDOW
            last = (
                Report.objects.filter(reporter=reporter, reported=target, created_at__gt=since)
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            if last is not None:
                retry_after = math.ceil((last + REPORT_WINDOW - timezone.now()).total_seconds())
                raise RateLimited(_("You already reported this player in the last 24 hours."), retry_after=retry_after)
            report = Report.objects.create(reporter=reporter, reported=target, reason=reason, description=description)
            notifications.report_filed(report)
    except IntegrityError as exc:  # a CHECK stood behind us: self-report
        raise SelfAction(_("You cannot report yourself.")) from exc
    return report
