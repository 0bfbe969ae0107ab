"""`make serve`'s topology (driftwood/core/serve.py) under a short mixed load: gunicorn for HTTP,
uvicorn for WebSockets, a Celery worker per queue and beat, all real processes on free ports,
against this test's database and Redis. Nothing is lost and the books reconcile."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from io import StringIO

import aiohttp
import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from rest_framework_simplejwt.tokens import AccessToken

from chat.models import ChatMessage
from driftwood.celery import app as celery_app
from driftwood.core.serve import CELERY_QUEUES
from tests import services
from tests.factories import EventFactory, UserFactory, funded_wallet, players_joined
from tests.observability.support import METRICS_TOKEN, samples
from tests.wallet.bank_support import ready_to_withdraw
from wallet.models import Withdrawal
from wallet.services.balances import wallet_get_or_create

PLAYERS, SENDERS, MESSAGES_EACH, HTTP_REQUESTS = 50, 5, 4, 200


@pytest.fixture
def served(fake_bank_server):
    """The topology on free ports; yields (http base URL, ws base URL)."""
    services.require_redis()
    port, ws_port = services.free_port(), services.free_port()
    env = services.child_env(
        PORT=str(port),
        WS_PORT=str(ws_port),
        WEB_WORKERS="2",
        WEB_THREADS="4",
        DJANGO_DEBUG="false",
        BANK_API_URL=fake_bank_server.url,
        BANK_API_KEY=fake_bank_server.api_key,
        WITHDRAWAL_PAYOUT_RETRY_BASE_SECONDS="1",
        LOG_LEVEL="WARNING",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "driftwood.core.serve"], cwd=services.BASE_DIR, env=env, start_new_session=True
    )
    try:
        services.wait_for_port(port, process, timeout=60)
        services.wait_for_port(ws_port, process, timeout=60)
        workers_ready(process)
        yield f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{ws_port}"
    finally:
        process.send_signal(signal.SIGTERM)  # serve stops its children, then exits
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    assert process.returncode == 0


def workers_ready(process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Every Celery worker of the topology answers a ping, as a deploy waits for readiness: the load
    starts once they have booted. (Started during their boot, four Celery processes importing Django
    beside two other test workers on two cores, the socket server's first group join once took more
    than its 5 s limit and closed the socket as if Redis were down.)"""
    expected = {f"{queue}@{socket.gethostname()}" for queue in CELERY_QUEUES}

    def answered() -> set[str]:
        return {name for reply in celery_app.control.ping(timeout=1.0) for name in reply}

    seen = services.eventually(
        answered, until=lambda names: expected <= names or process.poll() is not None, timeout=timeout
    )
    assert expected <= seen, f"workers answering: {sorted(seen)}, expected {sorted(expected)}"


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {AccessToken.for_user(user)}"}


async def joined_socket(session, ws_base: str, room_id: str, user, **headers):
    socket = await session.ws_connect(f"{ws_base}/ws/chat/{room_id}?token={AccessToken.for_user(user)}", **headers)
    await socket.send_json({"type": "probe"})  # its error reply marks the end of the join
    while (await socket.receive_json(timeout=10))["type"] != "error":
        pass
    return socket


async def messages_received(socket, expected: int) -> list[int]:
    ids = []
    while len(ids) < expected:
        frame = await socket.receive_json(timeout=15)
        if frame["type"] == "message":
            ids.append(frame["id"])
    return ids


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # the served processes read what the test commits
def test_the_served_topology_takes_a_mixed_load_and_loses_nothing(served, fake_bank_server):
    http_base, ws_base = served
    # given an event with 50 players in its room, a player about to join it, and one about to withdraw
    event = EventFactory(max_participants=64, entry_fee=Decimal("5.00"))
    players = players_joined(event, PLAYERS)
    joiner, withdrawer, staff = UserFactory(), UserFactory(), UserFactory(is_staff=True)
    funded_wallet(joiner, "20.00")
    ready_to_withdraw(withdrawer, "100.00")
    # the bank pays, then answers 503: the payout is settled later by the worker's retry
    fake_bank_server.mode("pay_then_503", reset=True)
    room_id = f"event_{event.pk}"

    @async_to_sync
    async def load():
        async with aiohttp.ClientSession() as session:
            # the first socket comes from a page served by gunicorn (its origin is the HTTP port)
            sockets = [await joined_socket(session, ws_base, room_id, players[0], origin=http_base)]
            for wave in range(1, PLAYERS, 10):  # as pages reconnect: spread out, not all in one instant
                batch = players[wave : wave + 10]
                sockets += await asyncio.gather(*(joined_socket(session, ws_base, room_id, p) for p in batch))

            async def get(path: str, user) -> int:
                async with session.get(f"{http_base}{path}", headers=bearer(user)) as response:
                    await response.read()
                    return response.status

            async def http_load() -> list[int]:
                paths = ["/healthz", "/api/v1/events", f"/api/v1/events/{event.pk}", "/api/v1/wallet"]
                limit = asyncio.Semaphore(16)

                async def one(index: int) -> int:
                    async with limit:
                        return await get(paths[index % len(paths)], players[index % PLAYERS])

                return await asyncio.gather(*(one(index) for index in range(HTTP_REQUESTS)))

            async def chat() -> None:
                for round_ in range(MESSAGES_EACH):
                    for sender in sockets[:SENDERS]:
                        await sender.send_json({"type": "message", "message": f"gg {round_}"})

            async def post(path: str, user, body: dict) -> tuple[int, dict]:
                async with session.post(f"{http_base}{path}", json=body, headers=bearer(user)) as response:
                    return response.status, await response.json()

            expected = SENDERS * MESSAGES_EACH
            received, statuses, _, join, withdrawal = await asyncio.gather(
                asyncio.gather(*(messages_received(socket, expected) for socket in sockets)),
                http_load(),
                chat(),
                post(f"/api/v1/events/{event.pk}/join", joiner, {"payment_method": "wallet"}),
                post("/api/v1/wallet/withdrawal", withdrawer, {"amount": "50.00"}),
            )
            approval = await post(f"/api/v1/admin/withdrawals/{withdrawal[1]['withdrawal_id']}/approve", staff, {})
            for socket in sockets:
                await socket.close()
            return received, statuses, join, withdrawal, approval

    received, statuses, join, withdrawal, approval = load()

    # then every request was answered, and every socket got every saved message once
    assert statuses == [200] * HTTP_REQUESTS
    saved = list(ChatMessage.objects.filter(room__room_id=room_id).order_by("pk").values_list("pk", flat=True))
    assert len(saved) == SENDERS * MESSAGES_EACH
    assert all(sorted(ids) == saved for ids in received)
    # the paid join took the fee once
    assert join[0] == 201, join
    assert wallet_get_or_create(user=joiner).usable_balance == Decimal("15.00")
    # the withdrawal, left processing by the bank's 503, is completed by the worker's retry
    assert withdrawal[0] == 201, withdrawal
    assert approval == (200, {"id": withdrawal[1]["withdrawal_id"], "status": "processing"})
    deadline = time.monotonic() + 30
    while (status := Withdrawal.objects.get(pk=withdrawal[1]["withdrawal_id"]).status) == "processing":
        assert time.monotonic() < deadline, "the worker never settled the payout"
        time.sleep(0.2)
    assert status == "completed"
    assert len(fake_bank_server.payouts()) == 1
    # and the books reconcile
    problems = StringIO()
    call_command("wallet_reconcile", stdout=StringIO(), stderr=problems)
    assert problems.getvalue() == ""
    # and one scrape of the web port adds up every process: both gunicorn workers, daphne, the workers
    page = scraped(http_base)
    assert total(page, "driftwood_http_request_duration_seconds_count", route="/api/v1/events", status="200") == 50
    assert total(page, "driftwood_websocket_connections_opened_total", route="chat") == PLAYERS
    frames_in = total(page, "driftwood_websocket_messages_total", route="chat", direction="in")
    assert frames_in == PLAYERS + SENDERS * MESSAGES_EACH  # a probe per socket, then the messages
    assert total(page, "driftwood_celery_tasks_total", state="success") >= 1
    assert total(page, "driftwood_withdrawals", status="completed") == 1
    assert {labels["queue"] for labels in labelled(page, "driftwood_celery_queue_length")} == {"high", "default", "low"}
    deadline = time.monotonic() + 10  # the closed sockets leave the live gauge as daphne sees them go
    while total(scraped(http_base), "driftwood_websocket_connections", route="chat") != 0:
        assert time.monotonic() < deadline, "closed sockets still counted as open"
        time.sleep(0.2)


def scraped(http_base: str) -> dict:
    request = urllib.request.Request(f"{http_base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return samples(response.read().decode())


def labelled(page: dict, name: str) -> list[dict]:
    return [dict(labels) for sample, labels in page if sample == name]


def total(page: dict, name: str, **labels) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(value for (sample, found), value in page.items() if sample == name and wanted <= found)


@pytest.mark.django_db
def test_pages_open_their_sockets_where_websocket_origin_says(client, settings):
    settings.WEBSOCKET_ORIGIN = "ws://127.0.0.1:8001"

    response = client.get("/")

    assert b'data-websocket-origin="ws://127.0.0.1:8001"' in response.content
    connect_src = next(part for part in response["Content-Security-Policy"].split(";") if "connect-src" in part)
    assert "ws://127.0.0.1:8001" in connect_src.split()


@pytest.mark.django_db
def test_by_default_pages_open_their_sockets_on_their_own_origin(client):
    response = client.get("/")

    assert b'data-websocket-origin=""' in response.content
    connect_src = next(part for part in response["Content-Security-Policy"].split(";") if "connect-src" in part)
    assert "ws://testserver" in connect_src.split()
