"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 in a thread of the test process.

It records every request (headers and raw body) and answers with the status codes it was told to
give, in order, then 200. `hold()` makes the next answer wait until `release()` (a receiver slower
than the sender's timeout, without sleeping anywhere).
"""

import hashlib
import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass

from tests.local_http import LocalHttpServer, QuietHandler


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def event_id(self) -> str:
        return self.headers["driftwood-event-id"]

    @property
    def event_type(self) -> str:
        return self.headers["driftwood-event-type"]


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._answers: deque[int] = deque()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 - http.server's names
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    status = receiver._answers.popleft() if receiver._answers else 200
                receiver._released.wait(timeout=30)
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = LocalHttpServer(Handler)

    @property
    def url(self) -> str:
        return f"{self.server.url}/hooks/driftwood"

    def answer(self, *statuses: int) -> None:
        """The next requests get these statuses, in order (then 200 again)."""
        with self._lock:
            self._answers.extend(statuses)

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self.server.close()


def readme_verify(secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    """The receiver's check exactly as the README shows it (kept apart from the platform's code)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])
