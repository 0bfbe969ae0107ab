"""Acceptance: a real server keeps serving while its Redis is stopped mid-run, and heals when it is
started again on the same port, without a restart of the server.

The server is a real process on the test database (daphne, `make run`'s, and production's WebSocket
server, uvicorn, in turn) whose cache, rate limits, sessions' cache,
channel layer and Celery broker are all a redis-server this test starts (tests/redis_server.py);
only that one is stopped. Every request has a 5 s client timeout: an answer that does not come in
time fails the test.
"""

import asyncio
import re
import time

import aiohttp
import httpx
import pytest
from django.conf import global_settings

from driftwood.core.models import IdempotencyKey
from tests import services
from tests.factories import TEST_PASSWORD, UserFactory
from tests.redis_server import RedisServer
from wallet.models import LedgerEntry, TopUp

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5.0


@pytest.fixture(autouse=True)
def _server_password_hashers(settings):
    # The server hashes with the project's hashers, not the tests' fast MD5: passwords set here must match.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture(params=["daphne", "websocket server"])
def server(request, redis_server):
    start = services.start_daphne if request.param == "daphne" else services.start_websocket_server
    process, url = start(
        REDIS_URL=redis_server.url,
        CELERY_BROKER_URL=redis_server.url,
        CELERY_RESULT_BACKEND=redis_server.url,
        REDIS_OUTAGE_RETRY_SECONDS="0.5",
        # One client makes every request here: the anonymous budget is not what this test measures.
        RATE_LIMIT_ANON="1000/m",
    )
    yield url
    services.stop(process)


def api_login(http: httpx.Client, username: str, password: str) -> httpx.Response:
    return http.post("/api/v1/auth/login", json={"username": username, "password": password})


def page_login(http: httpx.Client, username: str, password: str) -> httpx.Response:
    form = http.get("/accounts/login/")
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    fields = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    return http.post("/accounts/login/", data=fields)


def socket_session(base_url: str) -> list:
    """Open /ws/health, ping, and report what happened: frames received, then ("close", code)."""

    async def run():
        seen = []
        async with aiohttp.ClientSession() as session:
            url = base_url.replace("http://", "ws://") + "/ws/health"
            async with session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_close=TIMEOUT)) as ws:
                pinged = False
                while True:
                    message = await asyncio.wait_for(ws.receive(), TIMEOUT)
                    if message.type == aiohttp.WSMsgType.TEXT:
                        frame = message.json()
                        seen.append(frame)
                        if frame["type"] == "hello" and not pinged:
                            await ws.send_json({"type": "ping"})
                            pinged = True
                        elif frame["type"] == "pong":
                            return seen
                    else:
                        seen.append(("close", ws.close_code))
                        return seen

    return asyncio.run(run())


def wait_for_redis_ok(http: httpx.Client, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = http.get("/healthz").json()
        if body["redis"] == "ok" or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_the_site_serves_through_a_redis_outage_and_heals_after(server, redis_server):
    player = UserFactory(username="mei_ling")
    UserFactory(username="guessed_at")
    http = httpx.Client(base_url=server, timeout=TIMEOUT)
    pages = httpx.Client(base_url=server, timeout=TIMEOUT)

    # given a server that works with its Redis: cache entries and rate-limit counters live there
    assert http.get("/api/v1/events").status_code == 200
    assert http.get("/healthz").json()["redis"] == "ok"
    assert redis_server.keys("*rl:*")

    # when Redis stops mid-run
    redis_server.stop()

    # then public reads, the home page and both log-ins keep answering
    assert http.get("/api/v1/events").status_code == 200
    assert http.get("/").status_code == 200
    assert http.get("/accounts/login/").status_code == 200
    logged_in = api_login(http, "mei_ling", TEST_PASSWORD)
    assert logged_in.status_code == 200
    access = logged_in.json()["access"]
    assert page_login(pages, "mei_ling", TEST_PASSWORD).status_code == 302
    home = pages.get("/")
    assert home.status_code == 200
    assert '<span class="nav-username">mei_ling</span>' in home.text  # the session, from PostgreSQL

    # and log-in stays protected: the 6th attempt on a guessed-at username is refused
    guesses = [api_login(http, "guessed_at", f"guess-{n}").status_code for n in range(5)]
    assert guesses == [401] * 5
    assert api_login(http, "guessed_at", TEST_PASSWORD).status_code == 429

    # and a wallet top-up either succeeds or answers 503 with nothing half-done
    topup = http.post(
        "/api/v1/wallet/topups",
        json={"amount": "25.00"},
        headers={"Authorization": f"Bearer {access}", "Idempotency-Key": "outage-topup-1"},
    )
    assert topup.status_code in (201, 503)
    topups = list(TopUp.objects.filter(user=player))
    keys = list(IdempotencyKey.objects.filter(user=player))
    if topup.status_code == 201:
        assert len(topups) == 1
        assert topups[0].pk == topup.json()["topup_id"]
        assert topups[0].payment_intent_id and topups[0].status == TopUp.Status.PENDING
        assert [key.finished for key in keys] == [True]
    else:
        assert topup.json()["code"] == "service_unavailable"
        assert topups == [] and keys == []
    assert not LedgerEntry.objects.filter(wallet__owner=player).exists()  # credited only by Stripe's webhook

    # and the health checks tell a degraded but serving process
    health = http.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["redis"] == "down"
    assert health.json()["redis_fallbacks"] > 0
    assert http.get("/readyz").status_code == 200

    # and a socket is told to come back later rather than failed
    refused = socket_session(server)
    assert refused[-1] == ("close", 4503)
    assert {"type": "error", "code": "unavailable"}.items() <= refused[-2].items()

    # when Redis starts again on the same port (empty), with the server untouched
    redis_server.start()

    # then everything works again
    assert wait_for_redis_ok(http)["redis"] == "ok"
    assert http.get("/api/v1/events").status_code == 200
    wallet = http.get("/api/v1/wallet", headers={"Authorization": f"Bearer {access}"})
    assert wallet.status_code == 200
    assert redis_server.keys(f"*wallet:{player.pk}")  # cache writes land in Redis again
    assert api_login(http, "nobody_here", "wrong").status_code == 401
    assert redis_server.keys("*rl:login_user:*")  # and rate-limit counters
    assert socket_session(server)[-2:] == [{"type": "hello", "user_id": None}, {"type": "pong"}]
    assert pages.get("/").status_code == 200
