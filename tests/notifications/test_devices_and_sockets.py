"""Devices for push (`/me/devices`), pushes to offline players' devices (dead tokens forgotten), and
the live `/ws/notifications` socket behind the bell."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from firebase_admin import messaging

from driftwood.asgi import application
from driftwood.dev.firebase import FakePushSender
from driftwood.notifications import delivery
from driftwood.notifications.models import Device, Notification
from driftwood.notifications.push import Delivery, FirebasePushSender, Push
from driftwood.notifications.services import notifications_mark_read, notify
from driftwood.notifications.tasks import notifications_push
from tests.chat.sockets import SAME_ORIGIN, communicator, fakes  # noqa: F401 - fixture
from tests.conftest import bearer_client
from tests.core.sockets import WAIT_SECONDS, socket_db  # noqa: F401 - fixture
from tests.factories import UserFactory

DEVICES = "/api/v1/me/devices"


@pytest.mark.django_db
def test_a_device_registers_once_per_token_and_moves_with_its_owner(user):
    api = bearer_client(user)
    token = "fcm:" + "x" * 150

    first = api.post(DEVICES, {"token": token, "platform": "android"}, format="json")
    again = api.post(DEVICES, {"token": token, "platform": "android"}, format="json")
    other = UserFactory()
    moved = bearer_client(other).post(DEVICES, {"token": token, "platform": "ios"}, format="json")

    assert first.status_code == again.status_code == moved.status_code == 201
    assert first.json() == {"token": token, "platform": "android"}
    assert list(Device.objects.values_list("user_id", "platform")) == [(other.pk, "ios")]
    # the former owner cannot remove it any more; the new one can, once
    assert api.delete(f"{DEVICES}/{token}").status_code == 404
    assert bearer_client(other).delete(f"{DEVICES}/{token}").status_code == 204
    assert bearer_client(other).delete(f"{DEVICES}/{token}").status_code == 404
    assert not Device.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"token": 12345, "platform": "android"},
        {"token": "", "platform": "android"},
        {"token": "t" * 513, "platform": "android"},
        {"token": "abc", "platform": "windows"},
        {"token": ["abc"], "platform": "web"},
        {"platform": "web"},
    ],
)
def test_hostile_device_bodies_are_refused_and_change_nothing(user, body):
    response = bearer_client(user).post(DEVICES, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Device.objects.exists()


def test_devices_need_a_signed_in_player(client):
    assert client.post(DEVICES, {"token": "a", "platform": "web"}, content_type="application/json").status_code == 401


@pytest.mark.django_db
def test_offline_players_get_a_push_on_each_device_and_dead_tokens_are_forgotten(settings):
    # given two players with devices: one is online (a chat socket open), one has an uninstalled app
    settings.CELERY_TASK_ALWAYS_EAGER = True
    FakePushSender.reset()
    online, offline = UserFactory(), UserFactory()
    Device.objects.create(user=online, token="online-phone", platform="android")
    Device.objects.create(user=offline, token="phone", platform="android")
    Device.objects.create(user=offline, token="old-tablet", platform="ios")
    FakePushSender.unregistered.add("old-tablet")
    delivery.online_check_with(lambda user_ids: {online.pk} & set(user_ids))
    try:
        ids = notify(users=[online, offline], kind="match_ready", title="Your match is ready", body="W1-1")

        # when the push task runs
        sent = notifications_push.apply(kwargs={"notification_ids": ids}).get()
    finally:
        from chat import presence

        delivery.online_check_with(presence.online)

    # then only the offline player was pushed, on the phone, and the dead tablet is forgotten
    assert sent == 1
    assert [(d.token, d.push.user_id, d.push.title) for d in FakePushSender.deliveries] == [
        ("phone", offline.pk, "Your match is ready")
    ]
    assert set(Device.objects.values_list("token", flat=True)) == {"online-phone", "phone"}
    FakePushSender.reset()


def test_a_firebase_push_targets_the_device_token():
    push = Push(user_id=42, title="ace", body="gg", data={"room_id": "dm_1_42", "message_id": "9"})

    message = FirebasePushSender.build(Delivery(token="device-token", push=push))

    assert isinstance(message, messaging.Message)
    assert message.fid == "device-token"
    assert (message.notification.title, message.notification.body) == ("ace", "gg")
    assert message.data == {"room_id": "dm_1_42", "message_id": "9"}
    assert message.android.priority == "high"


@pytest.mark.usefixtures("socket_db", "fakes")
def test_the_bell_socket_hears_new_notifications_and_counts_live():
    user = UserFactory()
    notify(users=[user], kind="friend_request", title="Earlier")

    @async_to_sync
    async def session():
        socket = communicator("/ws/notifications", user)
        connected, _ = await socket.connect(timeout=WAIT_SECONDS)
        assert connected
        greeting = await socket.receive_json_from(timeout=WAIT_SECONDS)
        await db_notify(user)
        frames = [await socket.receive_json_from(timeout=WAIT_SECONDS) for _ in range(2)]
        await db_read(user)
        after_read = await socket.receive_json_from(timeout=WAIT_SECONDS)
        await socket.disconnect()
        return greeting, frames, after_read

    greeting, (item, count), after_read = session()

    assert greeting == {"type": "unread", "count": 1}
    new = Notification.objects.get(title="Your match is ready")
    assert item["type"] == "notification" and item["id"] == new.pk
    assert (item["kind"], item["url"], item["read_at"]) == ("match_ready", "/events/1/", None)
    # built from what the INSERT returned, the frame is the stored row as the API shows it (read since)
    assert {name: value for name, value in item.items() if name != "type"} == {**delivery.item(new), "read_at": None}
    assert count == {"type": "unread", "count": 2}
    assert after_read == {"type": "unread", "count": 0}


def _notify(user):
    from django.db import transaction

    with transaction.atomic():
        notify(
            users=[user],
            kind="match_ready",
            title="Your match is ready",
            body="Play it, then report the score.",
            url="/events/1/",
            data={"event_id": 1, "starts_at": timezone.now()},
        )


def _read(user):
    from django.db import transaction

    with transaction.atomic():
        notifications_mark_read(user=user)


def db_notify(user):
    from channels.db import database_sync_to_async

    return database_sync_to_async(_notify)(user)


def db_read(user):
    from channels.db import database_sync_to_async

    return database_sync_to_async(_read)(user)


@pytest.mark.usefixtures("socket_db", "fakes")
def test_the_bell_socket_refuses_strangers():
    @async_to_sync
    async def anonymous():
        socket = WebsocketCommunicator(application, "/ws/notifications", headers=[SAME_ORIGIN])
        connected, _ = await socket.connect(timeout=WAIT_SECONDS)
        closed = await socket.receive_output(timeout=WAIT_SECONDS)
        await socket.disconnect()
        return connected, closed

    connected, closed = anonymous()
    assert connected and closed == {"type": "websocket.close", "code": 4401}
