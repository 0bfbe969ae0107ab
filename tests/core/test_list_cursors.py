"""Each list endpoint walks whole by its `next` cursor while rows are added between pages: every
row that existed at the start is seen exactly once, none twice (issue 15 item 7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import ChatRoom, RoomMember
from driftwood.notifications.models import Notification
from social.models import Friendship
from tests.factories import EventFactory, GameFactory, UserFactory, wallet_receive
from wallet.services.balances import wallet_get_or_create

pytestmark = pytest.mark.django_db


def walk(client, path: str, *, limit: int, between=None, key: str = "id", query: dict | None = None) -> list:
    """Every row's `key` following `next`; `between(n)` runs before the n-th page after the first."""
    query = {**(query or {}), "limit": limit}
    body = client.get(path, query).json()
    seen = [row[key] for row in body["results"]]
    hops = 0
    while body["next"]:
        hops += 1
        if between is not None:
            between(hops)
        response = client.get(path, {**query, "cursor": body["next"]})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["page"] == hops + 1
        seen += [row[key] for row in body["results"]]
    assert body["has_more"] is False
    return seen


def assert_walked_once(seen: list, existing: list) -> None:
    assert len(seen) == len(set(seen)), "a row was listed twice"
    assert set(existing) <= set(seen), "a row was skipped"


def test_the_events_list(jwt_client):
    game = GameFactory()
    start = timezone.now() + timedelta(days=3)
    events = [EventFactory(game=game, starts_at=start + timedelta(hours=n % 4)) for n in range(23)]

    def add_on_both_sides(_hop):
        EventFactory(game=game, starts_at=start - timedelta(days=1))  # before the cursor: not in this walk
        EventFactory(game=game, starts_at=start + timedelta(days=9))  # after it: listed at the end

    seen = walk(jwt_client, "/api/v1/events", limit=5, between=add_on_both_sides)

    assert_walked_once(seen, [event.pk for event in events])
    assert seen[: len(events)] == [e.pk for e in sorted(events, key=lambda e: (e.starts_at, e.pk))]


def test_the_events_list_with_a_search(jwt_client):
    matching = [EventFactory(name=f"Penang 50%_Cup {n}") for n in range(7)]
    EventFactory.create_batch(3, name="Johor Open")

    seen = walk(jwt_client, "/api/v1/events", limit=3, query={"search": "50%_cup"})

    assert sorted(seen) == sorted(event.pk for event in matching)


def test_the_wallet_transactions(jwt_client, user):
    wallet = wallet_get_or_create(user=user)
    for _ in range(12):
        wallet_receive(wallet, "1.00")
    existing = list(wallet.ledger.values_list("pk", flat=True))

    rows = walk(jwt_client, "/api/v1/wallet/transactions", limit=5, between=lambda _: wallet_receive(wallet, "2.00"))

    assert_walked_once(rows, existing)


def test_the_friends_list(jwt_client, user):
    friends = UserFactory.create_batch(13)
    Friendship.objects.bulk_create(
        Friendship(requester=user, addressee=other, status=Friendship.Status.ACCEPTED) for other in friends
    )

    def befriend_another(_hop):
        Friendship.objects.create(requester=UserFactory(), addressee=user, status=Friendship.Status.ACCEPTED)

    seen = walk(jwt_client, f"/api/v1/users/{user.pk}/friends", limit=4, between=befriend_another)

    assert_walked_once(seen, [friend.pk for friend in friends])


def test_the_chat_rooms(jwt_client, user):
    now = timezone.now()
    rooms = []
    for n in range(9):
        other = UserFactory()
        room = ChatRoom.objects.create(
            room_id=f"dm_{user.pk}_{other.pk}",
            kind=ChatRoom.Kind.DM,
            last_message_at=None if n % 3 == 0 else now - timedelta(minutes=n),
        )
        RoomMember.objects.bulk_create([RoomMember(room=room, user=user), RoomMember(room=room, user=other)])
        rooms.append(room.room_id)

    seen = walk(jwt_client, "/api/v1/chat/rooms", limit=2, key="room_id")

    assert sorted(seen) == sorted(rooms)


def test_the_notifications(jwt_client, user):
    made = [Notification.objects.create(user=user, kind="friend_request", title=f"N{n}") for n in range(11)]

    def notify(_hop):
        Notification.objects.create(user=user, kind="friend_request", title="newer")

    seen = walk(jwt_client, "/api/v1/notifications", limit=4, between=notify)

    assert_walked_once(seen, [notification.pk for notification in made])


def test_the_games(jwt_client):
    games = [GameFactory(name=f"Game {chr(65 + n)}") for n in range(8)]

    seen = walk(jwt_client, "/api/v1/games", limit=3)

    assert_walked_once(seen, [game.pk for game in games])
