"""Offline pushes and the Firestore mirror: who gets a push, retries, and a mirror that cannot hurt a message."""

import json
import logging

import pytest
from asgiref.sync import async_to_sync
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chat.mirror import FirestoreMirror, message_mirror
from chat.models import ChatMessage, RoomMember
from chat.services import dm_open, message_post
from chat.tasks import message_mirror_write, message_push
from driftwood.celery import ExternalServiceTask, app
from driftwood.dev.firebase import FakeMirror, FakePushSender
from driftwood.notifications.models import Device
from driftwood.notifications.push import FirebasePushSender, Push, push_sender
from tests.chat.sockets import (
    close_all,
    dm_pair,
    fakes,  # noqa: F401 - fixture
    open_socket,
    receive,
)
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.factories import UserFactory, team_with_members

pytestmark = pytest.mark.usefixtures("socket_db", "fakes")


def with_devices(*players) -> None:
    """Each player has a phone registered for pushes (POST /me/devices)."""
    for player in players:
        Device.objects.create(user=player, token=f"phone-of-{player.pk}", platform="android")


def service_account() -> dict:
    """A well-formed service account (fresh key) for a project that does not exist: firebase-admin
    accepts it without the network."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return {
        "type": "service_account",
        "project_id": "driftwood-test",
        "private_key_id": "test-key",
        "private_key": pem.decode(),
        "client_email": "push@driftwood-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def test_only_members_without_an_open_socket_get_a_push():
    # given a team of four: the captain and one member in the team room, one member connected to
    # another room, one member with no socket at all
    captain = UserFactory()
    team = team_with_members(captain, 4)
    in_room, elsewhere, offline = [m.user for m in team.memberships.exclude(user=captain).order_by("pk")]
    with_devices(captain, in_room, elsewhere, offline)
    elsewhere_room = dm_open(user=elsewhere, other_id=UserFactory(allow_messages_from_anyone=True).pk)[0].room_id

    @async_to_sync
    async def captain_writes():
        sockets = [
            await open_socket(f"team_{team.pk}", captain),
            await open_socket(f"team_{team.pk}", in_room),
            await open_socket(elsewhere_room, elsewhere),
        ]
        await sockets[0].send_json_to({"type": "message", "message": "check in by 8pm"})
        frame = await receive(sockets[1])
        await close_all(*sockets)
        return frame

    # when the captain writes
    frame = captain_writes()

    # then the push went to the offline member alone, saying who wrote what where
    assert frame["message"] == "check in by 8pm"
    assert list(FakePushSender.sent) == [
        Push(
            user_id=offline.pk,
            title=f"{captain.username} in {team.name}",
            body="check in by 8pm",
            data={"type": "chat.message", "room_id": f"team_{team.pk}", "message_id": str(frame["id"])},
        )
    ]


def test_a_dm_to_an_offline_player_pushes_their_name_as_title():
    a, b, room_id = dm_pair()
    with_devices(a, b)

    @async_to_sync
    async def write_alone():
        socket = await open_socket(room_id, a)
        await socket.send_json_to({"type": "message", "message": "x" * 300})
        await receive(socket)
        await close_all(socket)

    write_alone()

    [push] = FakePushSender.sent
    assert (push.user_id, push.title, push.body) == (b.pk, a.username, "x" * 140)


def test_a_failed_push_is_retried_for_the_failed_player_only():
    # given a message to two offline players, the first of whom cannot be reached on the first try
    a, b, _room_id = dm_pair()
    c = UserFactory()
    with_devices(b, c)
    message = message_post(room=RoomMember.objects.get(user=a).room, sender=a, text="hi")
    FakePushSender.unreachable[b.pk] = 1

    # when the push task runs (retries run at once in-process)
    result = message_push.apply(kwargs={"message_id": message.pk, "user_ids": [b.pk, c.pk]}, throw=False)

    # then c got one push, and b got one on the retry
    assert [push.user_id for push in FakePushSender.sent] == [c.pk, b.pk]
    assert result.get() == 1


def test_push_tasks_go_to_the_high_queue_and_back_off():
    route = app.amqp.router.route({}, "chat.tasks.message_push")

    assert route["queue"].name == "high"
    assert isinstance(message_push, ExternalServiceTask)
    assert message_push.retry_backoff and message_push.max_retries


def test_firebase_is_used_when_credentials_are_set(settings, tmp_path):
    # given credentials as JSON, then as a file path
    account = service_account()
    settings.FIREBASE_CREDENTIALS = json.dumps(account)
    from_json = push_sender()
    path = tmp_path / "firebase.json"
    path.write_text(json.dumps({**account, "private_key_id": "other"}))
    settings.FIREBASE_CREDENTIALS = str(path)
    from_file = push_sender()

    # then both are Firebase senders on their own app
    assert isinstance(from_json, FirebasePushSender) and isinstance(from_file, FirebasePushSender)
    assert from_json.app.project_id == from_file.app.project_id == "driftwood-test"
    assert from_json.app.name != from_file.app.name
    settings.FIREBASE_CREDENTIALS = ""
    assert isinstance(push_sender(), FakePushSender)


def test_a_player_without_a_registered_device_gets_no_push():
    a, b, _room_id = dm_pair()
    message = message_post(room=RoomMember.objects.get(user=a).room, sender=a, text="hi")

    assert message_push.apply(kwargs={"message_id": message.pk, "user_ids": [b.pk]}).get() == 1
    assert list(FakePushSender.sent) == []


def test_each_message_is_mirrored_after_it_is_saved(settings):
    settings.CHAT_FIRESTORE_MIRROR = True
    a, b, room_id = dm_pair()

    @async_to_sync
    async def exchange():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # a online
        await a_socket.send_json_to({"type": "message", "message": "mirrored"})
        frame = await receive(b_socket)
        await close_all(a_socket, b_socket)
        return frame

    frame = exchange()

    assert isinstance(message_mirror(), FakeMirror)
    assert FakeMirror.written == {frame["id"]: {key: value for key, value in frame.items() if key != "type"}}


def test_a_failing_mirror_is_logged_and_retried_and_the_message_still_goes_out(settings, caplog):
    # given the mirror on, with credentials Firestore refuses (and in-process retries that run at once)
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    settings.CHAT_FIRESTORE_MIRROR = True
    settings.FIREBASE_CREDENTIALS = json.dumps({"type": "service_account", "project_id": "broken"})
    a, b, room_id = dm_pair()

    @async_to_sync
    async def exchange():
        b_socket = await open_socket(room_id, b)
        a_socket = await open_socket(room_id, a)
        await receive(b_socket)  # a online
        await a_socket.send_json_to({"type": "message", "message": "still delivered"})
        frame = await receive(b_socket)
        await close_all(a_socket, b_socket)
        return frame

    # when a message is sent
    with caplog.at_level(logging.WARNING, logger="driftwood.chat"):
        frame = exchange()

    # then it is saved and delivered, and the mirror's failures were logged on every attempt
    assert frame["message"] == "still delivered"
    assert ChatMessage.objects.get().pk == frame["id"]
    failures = [record for record in caplog.records if record.getMessage().startswith("mirroring message")]
    assert len(failures) == message_mirror_write.max_retries + 1
    with pytest.raises(ValueError):
        FirestoreMirror()
