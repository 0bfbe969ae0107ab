"""A deploy stops the WebSocket server with SIGTERM: what its open sockets see, and coming back.

The server is the one `make serve` runs (`services.start_websocket_server`, from
driftwood/core/serve.py: uvicorn since issue #15), so this follows a change of server. uvicorn
sends 1012 ("service restart"); daphne sent no close frame on SIGTERM (Twisted's reactor closed
every TCP connection at once: 1006, "closed abnormally"). Either way the pages' reconnect
(static/js/shared/live-socket.js) treats the close as a drop and retries after its jittered delay
(tests/e2e/test_socket_restart.py).
"""

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests import services

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_SECONDS = 10
# The close code a client gets when the server is told to stop, by server.
CLOSE_CODE_ON_SIGTERM = {"daphne": 1006, "uvicorn": 1012}


def server_name(port: int) -> str:
    command = services.websocket_server("127.0.0.1", port).command
    return next(name for name in CLOSE_CODE_ON_SIGTERM if any(name in Path(part).name for part in command))


async def open_sockets(base: str, count: int):
    session = aiohttp.ClientSession()
    sockets = []
    for _ in range(count):
        socket = await session.ws_connect(
            base.replace("http://", "ws://") + "/ws/health", timeout=aiohttp.ClientWSTimeout(ws_close=WAIT_SECONDS)
        )
        assert (await socket.receive_json(timeout=WAIT_SECONDS))["type"] == "hello"
        sockets.append(socket)
    return session, sockets


async def ends(socket) -> tuple[aiohttp.WSMsgType, int | None]:
    message = await socket.receive(timeout=WAIT_SECONDS)
    return message.type, socket.close_code


def open_sockets_counted(directory: Path) -> float | None:
    """driftwood_websocket_connections{route="health"} as /metrics adds it up from `directory`."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry.get_sample_value("driftwood_websocket_connections", {"route": "health"})


def test_sigterm_ends_every_open_socket_at_once_and_a_restart_takes_them_back(tmp_path):
    # given the WebSocket server with two pages' sockets open
    server, base = services.start_websocket_server(PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    port = int(base.rsplit(":", 1)[1])
    expected = CLOSE_CODE_ON_SIGTERM[server_name(port)]

    async def scenario():
        session, sockets = await open_sockets(base, 2)
        assert open_sockets_counted(tmp_path) == 2
        try:
            # when the deploy tells the server to stop
            started = time.monotonic()
            server.terminate()

            # then every socket ends at once, with the server's close code, and the server stops cleanly
            ended = await asyncio.gather(*(ends(socket) for socket in sockets))
            assert time.monotonic() - started < WAIT_SECONDS
            return ended
        finally:
            await session.close()

    try:
        ended = asyncio.run(scenario())
        server.wait(timeout=30)
        assert services.websocket_server_stopped_cleanly(server), services.server_log(server)
    finally:
        services.stop(server)
    assert {code for _type, code in ended} == {expected}
    assert {kind for kind, _code in ended} <= {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED}
    # and its open sockets no longer count on /metrics: each close counted down (uvicorn), or its exit
    # handler dropped the process's gauges (daphne; uvicorn re-raises SIGTERM, so no exit handler runs)
    assert open_sockets_counted(tmp_path) in (None, 0.0)

    # when the next release's server starts on the same port, the pages' next try gets through
    restarted, _ = services.start_websocket_server(port)

    async def reconnect():
        session, _sockets = await open_sockets(base, 1)
        await session.close()

    try:
        asyncio.run(reconnect())
    finally:
        services.stop(restarted)
