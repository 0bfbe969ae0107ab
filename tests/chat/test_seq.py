"""Per-room seqs (1, 2, 3... no gaps), catch-up by `after_seq`, the exactly invalidated member cache,
and what one message costs the database through the socket."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from chat.models import ArchivedChatMessage, ChatMessage, ChatRoom
from chat.services import dm_open, message_post, messages_archive, room_for, room_member_ids
from tests.chat.sockets import close_all, db, dm_pair, fakes, open_socket, receive  # noqa: F401 - fixture
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.factories import EventFactory, UserFactory, team_with_members
from tournaments.services.registrations import registration_join, registration_leave
from tournaments.services.teams import team_member_add, team_member_remove


def history_after(client, room_id: str, after_seq, **params):
    return client.get(f"/api/v1/chat/{room_id}/history", {"after_seq": after_seq, **params})


def test_each_room_numbers_its_messages_from_one(user):
    # given two rooms, messages interleaved between them
    room_a, _ = dm_open(user=user, other_id=UserFactory(allow_messages_from_anyone=True).pk)
    room_b, _ = dm_open(user=user, other_id=UserFactory(allow_messages_from_anyone=True).pk)
    posted = [message_post(room=room, sender=user, text="hi") for room in (room_a, room_b, room_a, room_a, room_b)]

    # then each room counts on its own, the rows and the room's last_seq agree
    assert [message.seq for message in posted] == [1, 1, 2, 3, 2]
    assert list(ChatMessage.objects.filter(room=room_a).order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert ChatRoom.objects.get(pk=room_a.pk).last_seq == 3
    # and a message written without a seq (bulk loads, the admin) takes the room's next one
    ChatMessage.objects.bulk_create([ChatMessage(room=room_b, sender=user, text="bulk")])
    assert ChatMessage.objects.get(text="bulk").seq == 3 == ChatRoom.objects.get(pk=room_b.pk).last_seq


def test_the_database_refuses_a_seq_twice_in_a_room(user):
    room, _ = dm_open(user=user, other_id=UserFactory(allow_messages_from_anyone=True).pk)
    message_post(room=room, sender=user, text="one")

    with pytest.raises(IntegrityError), transaction.atomic():
        ChatMessage.objects.create(room=room, sender=user, text="again", seq=1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_take_every_seq_once_in_id_order():
    # given one room and eight players' worth of threads posting at once
    a, b, room_id = dm_pair()
    room = ChatRoom.objects.get(room_id=room_id)
    start = threading.Barrier(8)

    def post(sender):
        try:
            start.wait()
            for n in range(10):
                message_post(room=room, sender=sender, text=f"m{n}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(post, a if n % 2 else b) for n in range(8)]:
            future.result()

    # then the 80 messages are numbered 1..80 without a gap or a repeat, ids rising with seq
    rows = list(ChatMessage.objects.filter(room=room).order_by("seq").values_list("seq", "id"))
    assert [seq for seq, _ in rows] == list(range(1, 81))
    assert [pk for _, pk in rows] == sorted(pk for _, pk in rows)
    room.refresh_from_db()
    assert (room.last_seq, room.last_message_id) == (80, rows[-1][1])


def test_after_seq_returns_what_follows_oldest_first_in_pages(user, jwt_client):
    # given a room with 7 messages
    room, _ = dm_open(user=user, other_id=UserFactory(allow_messages_from_anyone=True).pk)
    for n in range(7):
        message_post(room=room, sender=user, text=f"m{n}")

    # when a client that saw seq 2 catches up 3 at a time
    first = history_after(jwt_client, room.room_id, 2, limit=3)
    rest = history_after(jwt_client, room.room_id, first.json()["results"][-1]["seq"], limit=3)
    done = history_after(jwt_client, room.room_id, 7)

    # then it gets seqs 3..7 once each, oldest first, and knows when it is done
    assert first.status_code == 200
    assert [(m["seq"], m["message"]) for m in first.json()["results"]] == [(3, "m2"), (4, "m3"), (5, "m4")]
    assert (first.json()["has_more"], first.json()["next_before"]) == (True, None)
    assert [m["seq"] for m in rest.json()["results"]] == [6, 7]
    assert rest.json()["has_more"] is False
    assert done.json() == {"results": [], "has_more": False, "next_before": None}


@pytest.mark.parametrize("bad", ["-1", "x", "1.5"])
def test_a_bad_after_seq_is_invalid(user, jwt_client, bad):
    room, _ = dm_open(user=user, other_id=UserFactory(allow_messages_from_anyone=True).pk)

    response = history_after(jwt_client, room.room_id, bad)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_after_seq_reaches_into_the_archive(user, jwt_client):
    # given a room whose first 3 messages were archived
    room, _ = dm_open(user=user, other_id=UserFactory(allow_messages_from_anyone=True).pk)
    posted = [message_post(room=room, sender=user, text=f"m{n}") for n in range(5)]
    ChatMessage.objects.filter(pk__in=[m.pk for m in posted[:3]]).update(
        created_at=posted[0].created_at.replace(year=2000)
    )
    assert messages_archive(older_than=posted[0].created_at.replace(year=2001)) == 3
    assert list(ArchivedChatMessage.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]

    # when a client that saw seq 1 catches up
    body = history_after(jwt_client, room.room_id, 1).json()

    # then it gets 2..5 in order, across both tables
    assert [m["seq"] for m in body["results"]] == [2, 3, 4, 5]


@pytest.mark.usefixtures("commit_hooks_run")
def test_member_lists_follow_team_and_registration_changes_at_once():
    # given a team room and an event room, their member lists read (and cached)
    captain, newcomer = UserFactory(), UserFactory()
    team = team_with_members(captain, 2)
    player = team.memberships.exclude(user=captain).get().user
    team_room = room_for(user_id=captain.pk, room_id=f"team_{team.pk}").room_id
    event = EventFactory(entry_fee=Decimal("0.00"))
    registration_join(event_id=event.pk, user=player)
    event_room = room_for(user_id=player.pk, room_id=f"event_{event.pk}").room_id
    assert room_member_ids(room_id=team_room) == {captain.pk, player.pk}
    assert room_member_ids(room_id=event_room) == {event.organizer_id, player.pk}

    # when the player leaves the team and the event, and someone else joins the team
    team_member_remove(team_id=team.pk, actor=player, user_id=player.pk)
    registration_leave(event_id=event.pk, user=player)
    team_member_add(team_id=team.pk, user=newcomer)

    # then the next reads see it
    assert room_member_ids(room_id=team_room) == {captain.pk, newcomer.pk}
    assert room_member_ids(room_id=event_room) == {event.organizer_id}


@pytest.mark.usefixtures("socket_db", "fakes")
def test_a_message_through_the_socket_costs_one_statement():
    # given a team of three, all in their room (online: no push is queued, whose eager task would read)
    captain = UserFactory()
    team = team_with_members(captain, 3)
    room_id = f"team_{team.pk}"
    others = [membership.user for membership in team.memberships.exclude(user=captain)]

    @async_to_sync
    async def send_two():
        listeners = [await open_socket(room_id, other) for other in others]
        socket = await open_socket(room_id, captain)
        counted = []
        for text in ("first", "second"):
            queries = CaptureQueriesContext(connection)
            await db(queries.__enter__)()
            await socket.send_json_to({"type": "message", "message": text})
            frame = await receive(socket)
            await db(queries.__exit__)(None, None, None)
            # read on the thread whose connection ran them (`connection` is per thread)
            statements = await db(lambda q=queries: [query["sql"] for query in q.captured_queries])()
            counted.append((frame["seq"], statements))
        await close_all(socket, *listeners)
        return counted

    (first_seq, first), (second_seq, second) = send_two()

    # then the first message also reads the team (then cached); each is one statement that saves it
    assert (first_seq, second_seq) == (1, 2)
    assert len(first) == 2
    assert len(second) == 1
    assert second[0].lstrip().startswith("WITH room AS (") and "INSERT INTO chat_chatmessage" in second[0]
    assert ChatMessage.objects.filter(room__room_id=room_id).count() == 2


@pytest.mark.usefixtures("socket_db", "fakes")
def test_a_member_removed_from_the_team_cannot_post_with_the_socket_still_open():
    # given a member's socket in the team room, the member list cached by a first message
    captain = UserFactory()
    team = team_with_members(captain, 2)
    member = team.memberships.exclude(user=captain).get().user

    @async_to_sync
    async def scenario():
        socket = await open_socket(f"team_{team.pk}", member)
        await socket.send_json_to({"type": "message", "message": "still here"})
        await receive(socket)
        await db(team_member_remove)(team_id=team.pk, actor=captain, user_id=member.pk)
        await socket.send_json_to({"type": "message", "message": "after leaving"})
        output = await socket.receive_output(timeout=5)
        await socket.disconnect()
        return output

    # then the socket is closed as forbidden and the second message was never saved
    assert scenario() == {"type": "websocket.close", "code": 4403}
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["still here"]
