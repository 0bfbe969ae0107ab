"""A deploy stops the old web processes with SIGTERM: gunicorn (deploy/gunicorn.conf.py) stops taking
connections and finishes the requests in flight before it exits."""

import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from tests.services import BASE_DIR, child_env, free_port, stop, wait_for_port

pytestmark = pytest.mark.django_db
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def probe(port: int) -> int:
    command = [sys.executable, "-m", "driftwood.core.probe"]
    return subprocess.run(command, cwd=BASE_DIR, env=child_env(PROBE_PORT=str(port)), timeout=30).returncode


def read_line(connection: socket.socket) -> bytes:
    line = b""
    while not line.endswith(b"\n"):
        chunk = connection.recv(1)
        assert chunk, "the held request hung up"
        line += chunk
    return line.strip()


def test_sigterm_lets_the_request_in_flight_finish(tmp_path):
    # given gunicorn serving Driftwood with production's settings, one worker
    control = socket.create_server(("127.0.0.1", 0))
    control.settimeout(60)
    port = free_port()
    env = child_env(WEB_WORKERS="1", GRACEFUL_CONTROL_PORT=str(control.getsockname()[1]))
    command = [GUNICORN, "--config", "tests/core/graceful_gunicorn_conf.py", "--bind", f"127.0.0.1:{port}"]
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen([*command, "tests.core.graceful_app:application"], cwd=BASE_DIR, env=env, stderr=log)
    try:
        wait_for_port(port, server)
        assert probe(port) == 0  # the container health check: /readyz answers 200

        # and a request in flight
        answer = {}

        def held_request():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_test/hold", timeout=90) as response:
                answer["status"], answer["body"] = response.status, response.read()

        client = threading.Thread(target=held_request)
        client.start()
        request, _ = control.accept()
        request.settimeout(60)
        assert read_line(request) == b"started"

        # when the server is told to stop, and its worker has got the signal
        server.terminate()
        assert read_line(request) == b"stopping"
        assert server.poll() is None

        # then the request in flight still completes, and the server exits cleanly after it
        request.sendall(b"release")
        client.join(timeout=60)
        assert answer == {"status": 200, "body": b"finished"}
        assert server.wait(timeout=60) == 0
        assert probe(port) == 1
    finally:
        stop(server)
        control.close()
        log.close()
    assert b"Handling signal: term" in (tmp_path / "gunicorn.log").read_bytes()
