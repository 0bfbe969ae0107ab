"""Real Celery worker processes for tests, started as a deploy starts them.

    worker = Worker(tmp_path, "first", STRIPE_API_BASE=...)   # celery -A driftwood worker -Q high
    worker.wait_for(lambda: ..., "what we wait for")          # polls; fails with the worker's log
    worker.process.terminate()                                # SIGTERM: Celery's warm shutdown
    worker.kill()                                             # SIGKILL to its process group
    worker.stop()                                             # in `finally`: kills it if still running

Production's pool (prefork) with one child, on REDIS_URL's broker and the test database; its own
process group, so `kill()` takes the pool's children with it as a container's end would.
"""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests import services

CELERY = str(Path(sys.executable).parent / "celery")


class Worker:
    def __init__(self, tmp_path: Path, name: str, *, app: str = "driftwood", queues: str = "high", **env: str) -> None:
        self.log_path = tmp_path / f"{name}.log"
        command = [CELERY, "-A", app, "worker", "-Q", queues, "--concurrency", "1", "-l", "info"]
        command += ["-n", f"{name}-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=services.BASE_DIR,
                env=services.child_env(**{"LOG_FORMAT": "text", **env}),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, read, what: str, timeout: float = 30.0):
        """Poll `read()` until it is truthy, while the worker runs; fail with its log if it never is."""
        value = services.eventually(
            read, until=lambda value: bool(value) or self.process.poll() is not None, timeout=timeout
        )
        if not value:
            pytest.fail(f"{what}: not after {timeout}s (worker exit {self.process.poll()}); log:\n{self.log()}")
        return value

    def kill(self) -> None:
        """SIGKILL to the whole group, as `docker stop` does after stop_grace_period."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill()
