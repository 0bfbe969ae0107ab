"""A redis-server of the test's own, on a free port, that the test may stop and start again.

Never the machine's shared Redis (REDIS_URL): only this one is ever stopped. It keeps its data in
memory only (`--save "" --appendonly no`); `stop(keep_data=True)` writes a snapshot first, so that
it comes back with its data, as a production Redis with persistence does.
"""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from tests import services


def require_redis_server() -> str:
    """The redis-server binary; skipped without it on a developer machine, a failure in CI."""
    binary = shutil.which("redis-server")
    services.require(binary is not None, "redis-server is not installed (Debian package redis-server)")
    return binary


class RedisServer:
    def __init__(self):
        self.binary = require_redis_server()
        self.port = services.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = Path(tempfile.mkdtemp(prefix="driftwood-redis-"))
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self, *, keep_data: bool = False) -> None:
        if self.process is None:
            return
        if keep_data:
            self.client().save()
        else:
            (self.directory / "dump.rdb").unlink(missing_ok=True)
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def keys(self, pattern: str = "*") -> list[str]:
        return sorted(key.decode() for key in self.client().keys(pattern))
