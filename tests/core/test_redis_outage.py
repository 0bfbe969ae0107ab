"""Redis down is survived, in this process: the fail-soft cache, the in-process rate-limit fallback,
sessions from PostgreSQL, the once-a-minute warning, sockets closed with a reconnect hint, task sends
that never fail a committed request, and healing when Redis answers again.

Every test points the app at a redis-server of its own (tests/redis_server.py) and stops that one;
the machine's shared Redis is never touched.
"""

import json
import logging
import time

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from chat.services import dm_open
from driftwood.asgi import application
from driftwood.core import ratelimit, redis_outage
from driftwood.core.errors import api_exception_handler
from driftwood.core.models import IdempotencyKey
from driftwood.core.websocket import CLOSE_UNAVAILABLE
from driftwood.notifications import tasks as notification_tasks
from driftwood.notifications.services import email_send
from tests.conftest import bearer_client
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.factories import TEST_PASSWORD, UserFactory
from tests.redis_server import RedisServer

SAME_ORIGIN = (b"origin", b"http://127.0.0.1")
RETRY_SECONDS = 0.2
PURGED = ["gen:*", "wallet:*", "django.contrib.sessions.cached_db*"]


def point_app_at(settings, url: str) -> None:
    """The cache (and with it rate limits, sessions, presence) and the channel layer on `url`."""
    settings.REDIS_URL = url
    settings.REDIS_OUTAGE_RETRY_SECONDS = RETRY_SECONDS
    settings.CACHES = {
        "default": {
            "BACKEND": "driftwood.core.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "driftwood",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1.0,
                "SOCKET_TIMEOUT": 1.0,
                "PURGE_AFTER_OUTAGE": PURGED,
            },
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_connect_timeout": 1.0}], "prefix": "driftwood"},
        }
    }


@pytest.fixture
def own_redis(settings):
    server = RedisServer()
    server.start()
    point_app_at(settings, server.url)
    yield server
    server.close()


def after_retry_interval() -> None:
    """Wait until the breaker lets the next caller try Redis (at most RETRY_SECONDS after the last failure)."""
    while time.monotonic() < redis_outage._state.retry_at:
        time.sleep(0.01)


# --- the fail-soft cache ---------------------------------------------------------------------


def test_cache_calls_answer_as_an_empty_cache_while_redis_is_down(own_redis):
    # given a cache that worked
    cache.set("greeting", "hello")
    assert cache.get("greeting") == "hello"

    # when Redis goes away
    own_redis.stop()

    # then every call answers as an empty cache that keeps nothing, and none raises
    assert cache.get("greeting") is None
    assert cache.get("greeting", "fallback") == "fallback"
    assert cache.get_many(["greeting", "other"]) == {}
    assert "greeting" not in cache
    assert cache.set("greeting", "again") is False
    assert cache.add("fresh", 1) is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.touch("greeting") is False
    assert cache.delete("greeting") is False
    cache.delete_many(["a", "b"])
    assert cache.get_or_set("computed", lambda: "from the database") == "from the database"
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    # and each fallback was counted
    assert redis_outage.snapshot()["down"] is True
    assert redis_outage.snapshot()["fallbacks"] >= 12


def test_after_a_failure_callers_skip_redis_until_the_retry_interval_lapses(own_redis):
    own_redis.stop()
    cache.get("anything")
    assert redis_outage.snapshot()["down"]

    # while the breaker is open nobody tries Redis; then exactly one caller may
    assert redis_outage.available() is False
    after_retry_interval()
    assert redis_outage.available() is True
    assert redis_outage.available() is False


def test_the_cache_heals_when_redis_comes_back_without_a_restart(own_redis):
    # given Redis down, and the app noticing
    own_redis.stop()
    assert cache.get("k") is None
    assert redis_outage.snapshot()["down"]

    # when it comes back on the same port
    own_redis.start()
    after_retry_interval()

    # then writes land in Redis again (the pool reconnected) and the outage is over
    assert cache.set("k", "v") is True
    assert own_redis.keys("*:k") == ["driftwood:1:k"]
    assert cache.get("k") == "v"
    assert redis_outage.snapshot()["down"] is False


def test_entries_derived_from_rows_are_purged_when_redis_returns_with_its_data(own_redis):
    # given cached entries of each kind
    cache.set("wallet:7", {"usable_balance": "10.00", "version": 3})
    cache.set("gen:social:7", 41)
    cache.set("django.contrib.sessions.cached_dbabc", {"_auth_user_id": "7"})
    cache.set("unrelated", "kept")

    # when Redis goes away (saving its data) and a write is dropped meanwhile
    own_redis.stop(keep_data=True)
    cache.delete("django.contrib.sessions.cached_dbabc")  # e.g. a log-out while Redis is down

    # and Redis comes back with its old data
    own_redis.start()
    assert own_redis.keys("*wallet:7")
    after_retry_interval()
    cache.get("unrelated")

    # then what the dropped write may have left stale is gone, the rest kept
    assert cache.get("django.contrib.sessions.cached_dbabc") is None
    assert cache.get("wallet:7") is None
    assert cache.get("gen:social:7") is None
    assert cache.get("unrelated") == "kept"


def test_a_warning_is_logged_at_most_once_a_minute(own_redis, caplog, monkeypatch):
    own_redis.stop()
    caplog.set_level(logging.WARNING, logger="driftwood.redis")

    # when many calls fail within a minute (each one trying Redis)
    assert redis_outage.WARNING_INTERVAL_SECONDS == 60
    for n in range(30):
        monkeypatch.setattr(redis_outage._state, "retry_at", 0.0)
        cache.get(f"key-{n}")

    # then one warning says so
    warnings = [record for record in caplog.records if "Redis unreachable" in record.getMessage()]
    assert len(warnings) == 1

    # when the minute has passed, the next failure warns again, with the count in between
    monkeypatch.setattr(redis_outage, "WARNING_INTERVAL_SECONDS", 0.1)
    time.sleep(0.15)
    monkeypatch.setattr(redis_outage._state, "retry_at", 0.0)
    cache.get("one more")
    warnings = [record for record in caplog.records if "Redis unreachable" in record.getMessage()]
    assert len(warnings) == 2
    assert "30 operation(s) fell back since the last warning" in warnings[1].getMessage()


# --- requests with Redis down ------------------------------------------------------------------


@pytest.mark.django_db
def test_public_reads_sign_up_and_pages_work_while_redis_is_down(own_redis, client, api_client, plain_static_storage):
    own_redis.stop()

    assert api_client.get("/api/v1/events").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    response = api_client.post(
        "/api/v1/auth/register", {"username": "new_player", "email": "new@example.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_sessions_live_in_postgresql_while_redis_is_down(own_redis, client, plain_static_storage):
    UserFactory(username="mei_ling")
    own_redis.stop()

    response = client.post("/accounts/login/", {"username": "mei_ling", "password": TEST_PASSWORD})

    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<span class="nav-username">mei_ling</span>' in page


@pytest.mark.django_db
def test_failed_logins_are_still_limited_in_process_while_redis_is_down(own_redis, api_client):
    # given a player, and Redis down
    UserFactory(username="mei_ling")
    own_redis.stop()

    # when someone guesses five times, then tries the right password
    guesses = [
        api_client.post("/api/v1/auth/login", {"username": "mei_ling", "password": f"guess-{n}"}).status_code
        for n in range(5)
    ]
    sixth = api_client.post("/api/v1/auth/login", {"username": "mei_ling", "password": TEST_PASSWORD})

    # then the username is locked as it would be with Redis
    assert guesses == [401] * 5
    assert sixth.status_code == 429
    assert int(sixth["Retry-After"]) >= 1
    # while another player still logs in
    UserFactory(username="ravi")
    assert api_client.post("/api/v1/auth/login", {"username": "ravi", "password": TEST_PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_rate_limits_go_back_to_redis_when_it_returns(own_redis, api_client):
    own_redis.stop()
    api_client.post("/api/v1/auth/login", {"username": "nobody", "password": "wrong"})
    assert ratelimit.local_windows.peek("rl:login_user:x", ratelimit.Rate(5, 60)).count == 0

    own_redis.start()
    after_retry_interval()
    api_client.post("/api/v1/auth/login", {"username": "nobody", "password": "wrong"})

    assert own_redis.keys("*rl:login_user:*")
    usage = ratelimit.peek("login_user", "nobody", ratelimit.Rate(5, 60))
    assert usage.count == 1  # counted in Redis afresh, not on top of the in-process window


@pytest.mark.urls("tests.core.urls")
@pytest.mark.django_db
def test_an_api_call_that_needs_redis_answers_503_with_nothing_done(own_redis, user, monkeypatch):
    # given a write that loses Redis halfway (after writing its row)
    create = LogEntry.objects.create

    def create_then_lose_redis(**fields):
        create(**fields)
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(LogEntry.objects, "create", create_then_lose_redis)

    # when the idempotent request runs
    response = bearer_client(user).post("/api/v1/test/effects", {"note": "x"}, headers={"Idempotency-Key": "outage-1"})

    # then it is a retryable 503 in the envelope, and nothing was kept
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"
    assert LogEntry.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0


def test_the_error_handler_maps_an_unreachable_redis_to_503():
    request = Request(APIRequestFactory().get("/api/v1/anything"))

    response = api_exception_handler(RedisConnectionError("refused"), {"request": request})

    assert response.status_code == 503
    assert response.data["code"] == "service_unavailable"


# --- tasks queued on commit --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_queued_on_commit_with_the_broker_down_is_logged_not_raised(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(notification_tasks.send_email, "apply_async", broker_down)
    caplog.set_level(logging.WARNING, logger="driftwood.redis")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email_send(to=["player@example.com"], subject="Hello", body="Body")

    assert len(callbacks) == 1
    assert "not queued" in caplog.text
    assert "player@example.com" not in caplog.text


# --- sockets -----------------------------------------------------------------------------------


@async_to_sync
async def refused_socket(path: str) -> tuple[dict, dict]:
    """Connect while the layer is down: (the last frame before the close, the close message)."""
    socket = WebsocketCommunicator(application, path, headers=[SAME_ORIGIN])
    connected, _ = await socket.connect(timeout=5)
    assert connected
    frame = None
    while (output := await socket.receive_output(timeout=5))["type"] == "websocket.send":
        frame = json.loads(output["text"])
    await socket.wait()
    return frame, output


@pytest.mark.usefixtures("socket_db")
def test_sockets_close_with_4503_and_a_retry_hint_when_the_layer_is_down(own_redis):
    # given Redis down, a player and their DM room
    a, b = UserFactory(), UserFactory(allow_messages_from_anyone=True)
    room, _ = dm_open(user=a, other_id=b.pk)
    token = AccessToken.for_user(a)
    own_redis.stop()

    for path in ("/ws/health", f"/ws/health?token={token}", f"/ws/chat/{room.room_id}?token={token}"):
        # when a client connects
        frame, closed = refused_socket(path)

        # then it is told to come back later, not failed with 1011
        assert frame["type"] == "error"
        assert frame["code"] == "unavailable"
        assert frame["retry_after"] >= 1
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}


def assert_an_open_socket_is_closed_when_redis_goes_and_a_new_one_works_after(redis) -> None:
    """The outage scenario shared by both channel layers (tests/core/test_pubsub_layer_outage.py)."""

    @async_to_sync
    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/health", headers=[SAME_ORIGIN])
        assert (await socket.connect(timeout=5))[0]
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"

        # when Redis stops under the open socket
        redis.stop()
        frame = await socket.receive_json_from(timeout=10)
        closed = await socket.receive_output(timeout=5)
        await socket.wait()
        return frame, closed

    frame, closed = scenario()
    assert frame["code"] == "unavailable"
    assert closed["code"] == CLOSE_UNAVAILABLE

    # when Redis is back, a new socket works end to end
    redis.start()
    after_retry_interval()

    @async_to_sync
    async def reconnect():
        socket = WebsocketCommunicator(application, "/ws/health", headers=[SAME_ORIGIN])
        assert (await socket.connect(timeout=5))[0]
        hello = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return hello, pong

    assert reconnect() == ({"type": "hello", "user_id": None}, {"type": "pong"})


@pytest.mark.usefixtures("socket_db")
def test_an_open_socket_is_closed_with_the_hint_when_redis_goes_and_reconnects_after(own_redis):
    assert_an_open_socket_is_closed_when_redis_goes_and_a_new_one_works_after(own_redis)
