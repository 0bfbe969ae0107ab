"""Chat over REST: opening DMs, the inbox, history pages, read markers (contract: "Chat")."""

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from chat.models import ChatMessage, ChatRoom, RoomMember
from chat.selectors import unread_count
from chat.services import dm_open, message_post, room_for
from social.services import friend_request_send
from tests.chat.sockets import close_all, db, dm_pair, fakes, open_socket, receive  # noqa: F401 - fixture
from tests.concurrency.helpers import run_in_threads
from tests.conftest import bearer_client
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.factories import EventFactory, UserFactory, team_with_members
from tournaments.models import TeamMember
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.django_db
ROOMS = "/api/v1/chat/rooms"


def history_url(room_id: str) -> str:
    return f"/api/v1/chat/{room_id}/history"


def read_url(room_id: str) -> str:
    return f"/api/v1/chat/{room_id}/read"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["path"] == response.wsgi_request.path
    return body


def friends(a, b) -> None:
    friend_request_send(requester=a, target_id=b.pk)
    friend_request_send(requester=b, target_id=a.pk)


def open_dm(a, b) -> ChatRoom:
    """A DM between a and b without a friendship (b accepts messages from anyone)."""
    b.allow_messages_from_anyone = True
    b.save(update_fields=["allow_messages_from_anyone"])
    return dm_open(user=a, other_id=b.pk)[0]


def walk_history(client, room_id: str, limit: int) -> list[dict]:
    """Every message of the room, following `next_before` page by page."""
    seen, before = [], None
    while True:
        params = {"limit": limit} | ({"before": before} if before else {})
        body = client.get(history_url(room_id), params).json()
        seen += body["results"]
        assert len(body["results"]) <= limit
        if not body["has_more"]:
            assert body["next_before"] is None
            return seen
        before = body["next_before"]


class TestOpenRoom:
    @pytest.mark.usefixtures("commit_hooks_run")  # friendship reads are cached until commit
    def test_friends_get_one_room_created_once(self, user, jwt_client):
        # given two friends
        other = UserFactory(display_name="Siti the Sniper")
        friends(user, other)
        low, high = sorted((user.pk, other.pk))

        # when the first opens the DM twice and the other once
        first = jwt_client.post(ROOMS, {"user_id": other.pk})
        again = jwt_client.post(f"{ROOMS}/", {"user_id": other.pk})
        theirs = bearer_client(other).post(ROOMS, {"user_id": user.pk})

        # then one room exists, created by the first request, named after the other player for each
        assert first.status_code == 201, first.json()
        assert first.json() == {
            "room_id": f"dm_{low}_{high}",
            "kind": "dm",
            "title": "Siti the Sniper",
            "last_message": None,
            "last_message_at": None,
            "unread_count": 0,
        }
        assert (again.status_code, again.json()) == (200, first.json())
        assert theirs.status_code == 200
        assert theirs.json()["title"] == user.display_name
        assert ChatRoom.objects.count() == 1
        assert set(RoomMember.objects.values_list("user_id", flat=True)) == {user.pk, other.pk}

    @pytest.mark.django_db(transaction=True)
    def test_both_players_opening_at_once_get_one_room(self, user):
        # given two friends, each pressing "Message" four times at the same moment
        other = UserFactory()
        friends(user, other)
        clients = [bearer_client(user), bearer_client(other)]
        targets = [other.pk, user.pk]

        # when all eight requests race
        outcomes = run_in_threads(8, lambda n: clients[n % 2].post(ROOMS, {"user_id": targets[n % 2]}))

        # then exactly one created the room, the others found it, and all name the same room
        assert sorted(response.status_code for response in outcomes) == [200] * 7 + [201]
        assert len({response.json()["room_id"] for response in outcomes}) == 1
        assert ChatRoom.objects.count() == 1
        assert RoomMember.objects.count() == 2

    def test_strangers_are_refused_unless_the_target_accepts_anyone(self, jwt_client):
        stranger = UserFactory()

        assert_error(jwt_client.post(ROOMS, {"user_id": stranger.pk}), 403, "permission_denied")
        assert not ChatRoom.objects.exists()

        stranger.allow_messages_from_anyone = True
        stranger.save()
        assert jwt_client.post(ROOMS, {"user_id": stranger.pk}).status_code == 201

    def test_an_existing_room_reports_last_message_and_unread(self, user, jwt_client):
        other = UserFactory(username="aiman", display_name="")
        room = open_dm(user, other)
        message_post(room=room, sender=other, text="gg wp")

        response = jwt_client.post(ROOMS, {"user_id": other.pk})

        assert response.status_code == 200
        body = response.json()
        assert (body["title"], body["last_message"], body["unread_count"]) == ("aiman", "gg wp", 1)
        assert body["last_message_at"].endswith("Z")

    @pytest.mark.parametrize("make_target", [lambda: 999_999_999, lambda: UserFactory(is_active=False).pk])
    def test_an_unknown_or_inactive_player_is_404(self, jwt_client, make_target):
        assert_error(jwt_client.post(ROOMS, {"user_id": make_target()}), 404, "not_found")

    def test_yourself_is_400(self, user, jwt_client):
        body = assert_error(jwt_client.post(ROOMS, {"user_id": user.pk}), 400, "invalid")
        assert "user_id" in body["errors"]
        assert not ChatRoom.objects.exists()

    @pytest.mark.parametrize("payload", [{}, {"user_id": "abc"}, {"user_id": 0}, {"user_id": 2**70}, {"user_id": None}])
    def test_a_bad_user_id_is_400(self, jwt_client, payload):
        body = assert_error(jwt_client.post(ROOMS, payload, format="json"), 400, "invalid")
        assert "user_id" in body["errors"]

    def test_anonymous_is_401(self, api_client):
        assert_error(api_client.post(ROOMS, {"user_id": 1}), 401, "not_authenticated")
        assert_error(api_client.get(ROOMS), 401, "not_authenticated")

    def test_the_browser_session_needs_the_csrf_token(self, session_client):
        other = UserFactory(allow_messages_from_anyone=True)

        assert_error(session_client.post(ROOMS, {"user_id": other.pk}), 403, "permission_denied")
        assert not ChatRoom.objects.exists()


class TestListRooms:
    def test_lists_dm_event_and_team_rooms_newest_first(self, user, jwt_client):
        # given a DM, an event the player entered, a team, and rooms of other players
        quiet = open_dm(user, UserFactory(display_name="Quiet One"))
        chatty_friend = UserFactory(display_name="Chatty")
        chatty = open_dm(user, chatty_friend)
        event = EventFactory(name="Kopitiam Cup", entry_fee=Decimal("0.00"))
        registration_join(event_id=event.pk, user=user)
        event_room = room_for(user_id=event.organizer_id, room_id=f"event_{event.pk}")
        team = team_with_members(user, 2)
        team_room = room_for(user_id=user.pk, room_id=f"team_{team.pk}")
        open_dm(UserFactory(), UserFactory())  # someone else's
        message_post(room=event_room, sender=event.organizer, text="Check-in opens at 8")
        message_post(room=chatty, sender=chatty_friend, text="one")
        message_post(room=chatty, sender=chatty_friend, text="two")
        message_post(room=team_room, sender=user, text="my own message")

        # when the player lists their rooms
        response = jwt_client.get(ROOMS)

        # then they get their four rooms, most recent activity first (empty rooms last)
        assert response.status_code == 200
        body = response.json()
        assert (body["has_more"], body["page"]) == (False, 1)
        rows = [(r["room_id"], r["kind"], r["title"], r["last_message"], r["unread_count"]) for r in body["results"]]
        assert rows == [
            (team_room.room_id, "team", team.name, "my own message", 0),
            (chatty.room_id, "dm", "Chatty", "two", 2),
            (event_room.room_id, "event", "Kopitiam Cup", "Check-in opens at 8", 1),
            (quiet.room_id, "dm", "Quiet One", None, 0),
        ]
        assert body["results"][-1]["last_message_at"] is None

    def test_pages_with_limit(self, user, jwt_client):
        for _ in range(3):
            message_post(room=open_dm(user, UserFactory()), sender=user, text="hi")

        first = jwt_client.get(ROOMS, {"limit": 2}).json()
        second = jwt_client.get(ROOMS, {"limit": 2, "page": 2}).json()

        assert (len(first["results"]), first["has_more"], len(second["results"]), second["has_more"]) == (
            2,
            True,
            1,
            False,
        )
        assert_error(jwt_client.get(ROOMS, {"page": 0}), 400, "invalid")

    @pytest.mark.parametrize("size", [2, 20])
    def test_the_query_count_does_not_grow_with_rooms(self, user, jwt_client, django_assert_num_queries, size):
        # given `size` DMs with messages, read and unread, and a team room
        for index in range(size):
            other = UserFactory()
            room = open_dm(user, other)
            message_post(room=room, sender=other if index % 2 else user, text=f"m{index}")
        team = team_with_members(user, 3)
        room_for(user_id=user.pk, room_id=f"team_{team.pk}")

        # when the player lists them on one page: their user (JWT), their event and team rooms
        # ensured (3), the rooms with titles, then (cache cold) read markers and unread counts:
        # the same for 2 or 20 rooms.
        with django_assert_num_queries(7):
            response = jwt_client.get(ROOMS, {"limit": 100})

        assert len(response.json()["results"]) == size + 1
        assert all(row["title"] for row in response.json()["results"])


class TestHistory:
    def test_messages_come_newest_first_in_the_frame_shape(self, user, jwt_client):
        other = UserFactory(username="siti")
        room = open_dm(user, other)
        first = message_post(room=room, sender=user, text="  selamat pagi ")
        second = message_post(room=room, sender=other, text="pagi!")

        response = jwt_client.get(history_url(room.room_id))

        assert response.status_code == 200
        body = response.json()
        assert (body["has_more"], body["next_before"]) == (False, None)
        assert body["results"] == [
            {
                "id": second.pk,
                "seq": 2,
                "room_id": room.room_id,
                "sender": {"id": other.pk, "username": "siti"},
                "message": "pagi!",
                "created_at": body["results"][0]["created_at"],
            },
            {
                "id": first.pk,
                "seq": 1,
                "room_id": room.room_id,
                "sender": {"id": user.pk, "username": user.username},
                "message": "selamat pagi",
                "created_at": body["results"][1]["created_at"],
            },
        ]
        assert body["results"][0]["created_at"].endswith("Z")

    def test_500_messages_with_one_timestamp_come_back_once_each(self, user, jwt_client):
        # given 500 messages written at the very same instant
        room = open_dm(user, UserFactory())
        moment = timezone.now()
        ChatMessage.objects.bulk_create(
            ChatMessage(room=room, sender=user, text=f"m{n}", created_at=moment) for n in range(500)
        )

        # when the client pages through them 37 at a time
        seen = [message["id"] for message in walk_history(jwt_client, room.room_id, 37)]

        # then every message came exactly once, newest (highest id) first
        assert len(seen) == len(set(seen)) == 500
        assert seen == sorted(seen, reverse=True)

    def test_limit_defaults_to_50_and_is_clamped_to_100(self, user, jwt_client):
        room = open_dm(user, UserFactory())
        ChatMessage.objects.bulk_create(ChatMessage(room=room, sender=user, text=f"m{n}") for n in range(120))

        default = jwt_client.get(history_url(room.room_id)).json()
        clamped = jwt_client.get(history_url(room.room_id), {"limit": 500}).json()

        assert (len(default["results"]), default["has_more"]) == (50, True)
        assert (len(clamped["results"]), clamped["has_more"]) == (100, True)

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 0},
            {"limit": -3},
            {"limit": "ten"},
            {"before": "not-a-cursor"},
            {"before": base64.urlsafe_b64encode(b"yesterday|12").decode()},
            {"before": base64.urlsafe_b64encode(b"2026-01-01T00:00:00+00:00|x").decode()},
        ],
    )
    def test_a_bad_limit_or_cursor_is_400(self, user, jwt_client, params):
        room = open_dm(user, UserFactory())

        assert_error(jwt_client.get(history_url(room.room_id), params), 400, "invalid")

    def test_a_cursor_beyond_any_id_is_an_empty_page_not_an_error(self, user, jwt_client):
        room = open_dm(user, UserFactory())
        message_post(room=room, sender=user, text="hi")
        future = base64.urlsafe_b64encode(
            f"{timezone.now() + timedelta(days=1):%Y-%m-%dT%H:%M:%S+00:00}|{2**70}".encode()
        )

        response = jwt_client.get(history_url(room.room_id), {"before": future.decode()})

        assert response.status_code == 200, response.json()
        assert [m["message"] for m in response.json()["results"]] == ["hi"]

    def test_a_deleted_sender_is_null(self, user, jwt_client):
        other = UserFactory()
        room = open_dm(user, other)
        message_post(room=room, sender=other, text="bye")
        message = ChatMessage.objects.get()
        ChatMessage.objects.filter(pk=message.pk).update(sender=None)

        assert jwt_client.get(history_url(room.room_id)).json()["results"][0]["sender"] is None

    @pytest.mark.parametrize(
        "room_id", ["dm_2_1", "dm_1_1", "lobby_1", "event_x", "team_1_2", "rooms", "event_99999999"]
    )
    def test_malformed_or_unknown_rooms_are_404(self, jwt_client, room_id):
        assert_error(jwt_client.get(history_url(room_id)), 404, "not_found")

    def test_non_members_get_404_for_every_kind_of_room(self, jwt_client):
        dm = open_dm(UserFactory(), UserFactory())
        event = EventFactory(entry_fee=Decimal("0.00"))
        team = team_with_members(UserFactory(), 2)

        for room_id in (dm.room_id, f"event_{event.pk}", f"team_{team.pk}"):
            assert_error(jwt_client.get(history_url(room_id)), 404, "not_found")
            assert_error(jwt_client.post(read_url(room_id)), 404, "not_found")
        assert ChatRoom.objects.count() == 1  # no event or team room was created for an outsider

    def test_a_player_who_left_a_team_loses_its_history(self, user, jwt_client):
        team = team_with_members(UserFactory(), 2)
        membership = TeamMember.objects.create(team=team, user=user)
        assert jwt_client.get(history_url(f"team_{team.pk}")).status_code == 200

        membership.delete()

        assert_error(jwt_client.get(history_url(f"team_{team.pk}")), 404, "not_found")


class TestRead:
    @pytest.mark.usefixtures("socket_db", "fakes")
    def test_marks_the_room_read_and_tells_open_sockets(self):
        # given two unread messages for the reader, and the writer's socket open in the room
        reader, writer, room_id = dm_pair()
        room = ChatRoom.objects.get(room_id=room_id)
        message_post(room=room, sender=writer, text="one")
        last = message_post(room=room, sender=writer, text="two")
        client = bearer_client(reader)

        async def scenario():
            socket = await open_socket(room_id, writer)
            # when the reader marks the room read over REST
            response = await db(client.post)(read_url(room_id))
            frame = await receive(socket)
            await close_all(socket)
            return response, frame

        response, frame = async_to_sync(scenario)()

        # then nothing is unread any more, and the open socket got the contract's `read` frame
        assert response.status_code == 200
        assert response.json() == {"room_id": room_id, "unread_count": 0}
        assert frame == {"type": "read", "user_id": reader.pk, "up_to": last.pk}
        assert unread_count(room=room, user_id=reader.pk) == 0
        assert client.get(ROOMS).json()["results"][0]["unread_count"] == 0

    def test_an_event_organizer_can_read_the_event_room_before_anyone_wrote(self, jwt_client, user):
        event = EventFactory(organizer=user)

        response = jwt_client.post(read_url(f"event_{event.pk}"))

        assert response.json() == {"room_id": f"event_{event.pk}", "unread_count": 0}

    def test_the_session_works_with_the_csrf_token(self, user, session_client):
        room = open_dm(user, UserFactory())
        session_client.get("/chat/")  # sets the CSRF cookie
        token = session_client.cookies["csrftoken"].value

        assert_error(session_client.post(read_url(room.room_id)), 403, "permission_denied")
        assert session_client.post(read_url(room.room_id), HTTP_X_CSRFTOKEN=token).status_code == 200

    def test_anonymous_is_401(self, api_client):
        assert_error(api_client.post(read_url("dm_1_2")), 401, "not_authenticated")
        assert_error(api_client.get(history_url("dm_1_2")), 401, "not_authenticated")
