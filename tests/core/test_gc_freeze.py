"""Serving processes freeze their start-up objects out of the garbage collector
(driftwood/core/gc_freeze.py): the WebSocket server once the ASGI app is loaded, gunicorn in the
arbiter before it forks its workers (preload_app), so that no full collection scans them again."""

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from driftwood.core.serve import websocket_server
from tests.core.gc_probe_app import PROBE_PATH
from tests.services import BASE_DIR, child_env, free_port, stop, wait_for_port

pytestmark = pytest.mark.django_db
BIN_DIR = Path(sys.executable).parent
# A loaded Driftwood holds well over 100,000 objects that live as long as the process.
STARTUP_OBJECTS = 50_000


def frozen_objects(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{PROBE_PATH}", timeout=30) as response:
        return int(response.read())


def serving(command: list[str], port: int):
    server = subprocess.Popen(command, cwd=BASE_DIR, env=child_env(WEB_WORKERS="1"), stderr=subprocess.DEVNULL)
    wait_for_port(port, server)
    return server


def test_a_gunicorn_worker_starts_with_the_preloaded_app_frozen():
    # given gunicorn with production's settings, the app loaded in the arbiter
    port = free_port()
    config = ["--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    server = serving([str(BIN_DIR / "gunicorn"), *config, "tests.core.gc_probe_app:wsgi_application"], port)
    try:
        # when its worker is asked, then the start-up objects are out of the collector's reach
        assert frozen_objects(port) > STARTUP_OBJECTS
    finally:
        stop(server)


@pytest.mark.parametrize("server", ["websocket server", "daphne"])
def test_the_asgi_servers_freeze_the_loaded_app(server):
    # given production's WebSocket server (uvicorn), or make run's daphne, with the app loaded
    port, app = free_port(), "tests.core.gc_probe_app:asgi_application"
    if server == "daphne":
        command = [str(BIN_DIR / "daphne"), "-b", "127.0.0.1", "-p", str(port), app]
    else:
        command = websocket_server("127.0.0.1", port, app)
    server = serving(command, port)
    try:
        # then its start-up objects are frozen
        assert frozen_objects(port) > STARTUP_OBJECTS
    finally:
        stop(server)
