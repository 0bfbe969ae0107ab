"""A real Celery worker process consumes the `high` queue from Redis and sends e-mail."""

import json
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult

from driftwood.celery import app
from driftwood.notifications.tasks import send_email
from tests import services


def _neighbouring_db(redis_url: str) -> str:
    """The same Redis server, another database: the test fixtures flush REDIS_URL's own."""
    parts = urlsplit(redis_url)
    db = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


def _start_worker(broker_url: str, mail_dir: Path, log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "driftwood",
                "worker",
                "-Q",
                "high,default,low",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "-l",
                "info",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=services.BASE_DIR,
            env=services.child_env(
                REDIS_URL=broker_url,
                CELERY_BROKER_URL=broker_url,
                CELERY_RESULT_BACKEND=broker_url,
                EMAIL_URL=f"filemail:///{mail_dir}",
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_until_ready(result: AsyncResult, worker: subprocess.Popen, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not result.ready():
        if worker.poll() is not None:
            pytest.fail(f"worker exited with {worker.returncode}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"task still {result.state} after {timeout}s; worker log:\n{log_path.read_text()}")
        time.sleep(0.2)


def _queued_task_ids(broker_url: str, queue: str) -> set[str]:
    """Ids of the task messages waiting in a queue (kombu keeps a Redis list per queue)."""
    client = redis.Redis.from_url(broker_url)
    return {json.loads(raw)["headers"]["id"] for raw in client.lrange(queue, 0, -1)}


@pytest.mark.redis
@pytest.mark.django_db
def test_worker_sends_queued_email(tmp_path):
    # given a Redis database of the test's own as the broker
    broker_url = _neighbouring_db(services.require_redis())
    mail_dir = tmp_path / "mail"
    log_path = tmp_path / "worker.log"
    subject = f"Your match is ready {uuid.uuid4().hex}"

    # when this process queues the e-mail task on that broker
    with app.connection_for_write(broker_url) as connection:
        sent = send_email.apply_async(
            kwargs={"to": ["player1@example.com"], "subject": subject, "body": "Lobby opens now."},
            producer=connection.Producer(),
        )

    # then it waits in the high queue
    assert sent.id in _queued_task_ids(broker_url, "high")

    # when a real worker starts, with a file-based mail backend
    worker = _start_worker(broker_url, mail_dir, log_path)
    result = AsyncResult(sent.id, app=app, backend=RedisBackend(app=app, url=broker_url))
    try:
        _wait_until_ready(result, worker, log_path)

        # then it runs the task and reports one message sent
        assert result.get(timeout=5) == 1
        assert f"Task driftwood.notifications.tasks.send_email[{sent.id}] succeeded" in log_path.read_text()
    finally:
        services.stop(worker)
        result.forget()

    # and the message is in the worker's mail directory
    messages = [message_from_bytes(path.read_bytes()) for path in mail_dir.glob("*.log")]
    ours = [message for message in messages if message["Subject"] == subject]
    assert len(ours) == 1
    assert ours[0]["To"] == "player1@example.com"
    assert "Lobby opens now." in ours[0].get_payload()
