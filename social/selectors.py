"""Reads of the social graph. Relationships in lists are annotations (no query per row);
single relationships and counts are cached (social/cache.py). Banned players are hidden."""

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models import CharField as CharFieldType

from driftwood.accounts.models import User
from social.cache import cached
from social.models import Follow, Friendship, Report, Star

Status = Friendship.Status
NONE, FRIENDS, REQUEST_SENT, REQUEST_RECEIVED, SELF = "none", "friends", "request_sent", "request_received", "self"


def _relationship_now(viewer_id: int, other_id: int) -> str:
    if viewer_id == other_id:
        return SELF
    row = (
        Friendship.objects.filter(
            Q(requester_id=viewer_id, addressee_id=other_id) | Q(requester_id=other_id, addressee_id=viewer_id)
        )
        .values("requester_id", "status")
        .first()
    )
    if row is None or row["status"] == Status.REJECTED:
        return NONE
    if row["status"] == Status.ACCEPTED:
        return FRIENDS
    return REQUEST_SENT if row["requester_id"] == viewer_id else REQUEST_RECEIVED


def relationship(*, viewer_id: int, other_id: int) -> str:
    """`none`, `friends`, `request_sent`, `request_received` or `self`, from the viewer's side."""
    return cached("relationship", [viewer_id, other_id], lambda: _relationship_now(viewer_id, other_id))


def _counts_now(user_id: int) -> dict[str, int]:
    friends = Friendship.objects.filter(
        Q(requester_id=user_id, addressee__is_active=True) | Q(addressee_id=user_id, requester__is_active=True),
        status=Status.ACCEPTED,
    )
    return {
        "friend_count": friends.count(),
        "follower_count": Follow.objects.filter(followed_id=user_id, follower__is_active=True).count(),
        "following_count": Follow.objects.filter(follower_id=user_id, followed__is_active=True).count(),
    }


def social_counts(*, user_id: int) -> dict[str, int]:
    """Exact friend, follower and following counts (each accepted friendship counted once)."""
    return cached("counts", [user_id], lambda: _counts_now(user_id))


def is_following(*, follower_id: int, followed_id: int) -> bool:
    return Follow.objects.filter(follower_id=follower_id, followed_id=followed_id).exists()


def with_relationship(users: QuerySet[User], *, viewer_id: int) -> QuerySet[User]:
    """Annotate `relationship` relative to the viewer with three EXISTS, not a query per row."""
    between = Friendship.objects.filter(
        Q(requester_id=viewer_id, addressee_id=OuterRef("pk")) | Q(requester_id=OuterRef("pk"), addressee_id=viewer_id)
    )
    return users.annotate(
        relationship=Case(
            When(pk=viewer_id, then=Value(SELF)),
            When(Exists(between.filter(status=Status.ACCEPTED)), then=Value(FRIENDS)),
            When(Exists(between.filter(status=Status.PENDING, requester_id=viewer_id)), then=Value(REQUEST_SENT)),
            When(Exists(between.filter(status=Status.PENDING, addressee_id=viewer_id)), then=Value(REQUEST_RECEIVED)),
            default=Value(NONE),
            output_field=CharFieldType(),
        )
    )


def _friend_ids(user_id: int) -> QuerySet:
    """Ids of everyone the user is friends with, banned or not (a UNION of the two indexed sides)."""
    accepted = Friendship.objects.filter(status=Status.ACCEPTED)
    return (
        accepted.filter(requester_id=user_id)
        .values("addressee_id")
        .union(accepted.filter(addressee_id=user_id).values("requester_id"), all=True)
    )


def friend_ids(*, user_id: int) -> list[int]:
    """Ids of the user's friends who are active players (one query, however many they are)."""
    return list(User.objects.filter(pk__in=_friend_ids(user_id), is_active=True).values_list("pk", flat=True))


def friends_of(*, user_id: int, viewer_id: int, search: str = "") -> QuerySet[User]:
    """The user's friends (active players only), by username, with the viewer's relationship to each."""
    friends = User.objects.filter(pk__in=_friend_ids(user_id), is_active=True)
    if search:
        friends = friends.filter(Q(username__search_contains=search) | Q(display_name__search_contains=search))
    return with_relationship(friends, viewer_id=viewer_id).order_by("username", "pk")


def incoming_requests(*, user_id: int) -> QuerySet[Friendship]:
    return (
        Friendship.objects.filter(addressee_id=user_id, status=Status.PENDING, requester__is_active=True)
        .select_related("requester")
        .order_by("-created_at", "-pk")
    )


def outgoing_requests(*, user_id: int) -> QuerySet[Friendship]:
    return (
        Friendship.objects.filter(requester_id=user_id, status=Status.PENDING, addressee__is_active=True)
        .select_related("addressee")
        .order_by("-created_at", "-pk")
    )


def followers_of(*, user_id: int, viewer_id: int) -> QuerySet[User]:
    users = User.objects.filter(pk__in=Follow.objects.filter(followed_id=user_id).values("follower_id"), is_active=True)
    return with_relationship(users, viewer_id=viewer_id).order_by("username", "pk")


def following_of(*, user_id: int, viewer_id: int) -> QuerySet[User]:
    users = User.objects.filter(pk__in=Follow.objects.filter(follower_id=user_id).values("followed_id"), is_active=True)
    return with_relationship(users, viewer_id=viewer_id).order_by("username", "pk")


def player_search(*, query: str, viewer_id: int) -> QuerySet[User]:
    """Active players whose username or display name contains `query` (banned players never show)."""
    # ILIKE through the pg_trgm indexes on both names (driftwood.core.lookups), not UPPER() LIKE.
    matches = Q(username__search_contains=query) | Q(display_name__search_contains=query)
    users = User.objects.filter(is_active=True).filter(matches)
    return with_relationship(users, viewer_id=viewer_id).order_by("username", "pk")


def user_profile(*, viewer_id: int, user_id: int) -> dict | None:
    """GET /users/{id}: None for unknown or banned players. Never reveals stars."""
    user = User.objects.filter(pk=user_id, is_active=True).only("id", "username", "display_name").first()
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        **social_counts(user_id=user.pk),
        "relationship": relationship(viewer_id=viewer_id, other_id=user.pk),
        "following": viewer_id != user.pk and is_following(follower_id=viewer_id, followed_id=user.pk),
    }


def report_history(*, user_id: int) -> dict[str, int]:
    """For moderators: how many reports the player made and received."""
    return Report.objects.aggregate(
        made=Count("pk", filter=Q(reporter_id=user_id)), received=Count("pk", filter=Q(reported_id=user_id))
    )


def is_starred(*, user_id: int, starred_id: int) -> bool:
    """Whether `user_id` starred `starred_id`: ask only on the starring player's own behalf."""
    return Star.objects.filter(user_id=user_id, starred_id=starred_id).exists()


def pending_request_id(*, user_id: int, other_id: int) -> int | None:
    """The id of the pending friend request between the two players, whoever sent it."""
    return (
        Friendship.objects.filter(
            Q(requester_id=user_id, addressee_id=other_id) | Q(requester_id=other_id, addressee_id=user_id),
            status=Status.PENDING,
        )
        .values_list("pk", flat=True)
        .first()
    )
