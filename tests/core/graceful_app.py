"""Driftwood's WSGI application plus one test route that holds its request open, for the graceful
shutdown test (tests/core/test_graceful_shutdown.py), which drives it over a control socket:

    the request connects to GRACEFUL_CONTROL_PORT and says "started";
    once its worker has received SIGTERM, it says "stopping";
    it answers 200 "finished" once the test says "release".
"""

import os
import socket
import threading

from driftwood.wsgi import application as driftwood_application

HOLD_PATH = "/_test/hold"
# Set in the worker process by the SIGTERM handler that graceful_gunicorn_conf.py installs.
STOPPING = threading.Event()


def _hold() -> None:
    with socket.create_connection(("127.0.0.1", int(os.environ["GRACEFUL_CONTROL_PORT"])), timeout=60) as control:
        control.sendall(b"started\n")
        if STOPPING.wait(timeout=60):
            control.sendall(b"stopping\n")
        while b"release" not in control.recv(64):
            pass


def application(environ, start_response):
    if environ.get("PATH_INFO") != HOLD_PATH:
        return driftwood_application(environ, start_response)
    _hold()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]
