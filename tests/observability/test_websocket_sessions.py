"""WebSocket sessions carry a request id into their log lines, and are counted on /metrics."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from prometheus_client import REGISTRY

from driftwood.asgi import application
from tests.observability.support import json_log_lines

pytestmark = pytest.mark.django_db(transaction=True)


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@async_to_sync
async def _ping_health(headers=()) -> list[dict]:
    communicator = WebsocketCommunicator(application, "/ws/health", headers=list(headers))
    communicator.scope["client"] = ["127.0.0.1", 50000]  # as daphne gives the socket's peer
    connected, _ = await communicator.connect()
    assert connected
    frames = [await communicator.receive_json_from()]
    await communicator.send_json_to({"type": "ping"})
    frames.append(await communicator.receive_json_from())
    await communicator.disconnect()
    return frames


def test_a_session_logs_its_opening_and_closing_under_one_request_id():
    with json_log_lines() as lines:
        frames = _ping_health()

    assert [frame["type"] for frame in frames] == ["hello", "pong"]
    opened = next(line for line in lines if line.get("event") == "websocket_open")
    closed = next(line for line in lines if line.get("event") == "websocket_close")
    assert opened["request_id"] == closed["request_id"]
    assert len(opened["request_id"]) == 32
    assert (opened["route"], closed["route"]) == ("health", "health")
    assert closed["duration_ms"] >= 0


def test_a_trusted_proxys_request_id_names_the_session(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    with json_log_lines() as lines:
        _ping_health(headers=[(b"x-request-id", b"a1b2c3d4e5f60718293a4b5c6d7e8f90")])

    opened = next(line for line in lines if line.get("event") == "websocket_open")
    assert opened["request_id"] == "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def test_sessions_and_frames_are_counted():
    opened = _sample("driftwood_websocket_connections_opened_total", route="health")
    frames_in = _sample("driftwood_websocket_messages_total", route="health", direction="in")
    frames_out = _sample("driftwood_websocket_messages_total", route="health", direction="out")
    open_now = _sample("driftwood_websocket_connections", route="health")

    _ping_health()

    assert _sample("driftwood_websocket_connections_opened_total", route="health") == opened + 1
    assert _sample("driftwood_websocket_messages_total", route="health", direction="in") == frames_in + 1
    assert _sample("driftwood_websocket_messages_total", route="health", direction="out") == frames_out + 2
    assert _sample("driftwood_websocket_connections", route="health") == open_now  # closed again


def test_a_client_cannot_name_its_session(settings):
    settings.TRUSTED_PROXIES = []

    with json_log_lines() as lines:
        _ping_health(headers=[(b"x-request-id", b"a1b2c3d4e5f60718293a4b5c6d7e8f90")])

    opened = next(line for line in lines if line.get("event") == "websocket_open")
    assert opened["request_id"] != "a1b2c3d4e5f60718293a4b5c6d7e8f90"
