"""The acceptance test: a request id appears in the response header, the request's log line and
the log line of the task it queued, which a real Celery worker process runs from Redis."""

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests import services
from tests.observability.support import json_log_lines


def _start_worker(mail_dir: Path, log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "driftwood",
                "worker",
                "-Q",
                "high",
                "--pool",
                "solo",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=services.BASE_DIR,
            env=services.child_env(LOG_FORMAT="json", LOG_LEVEL="INFO", EMAIL_URL=f"filemail:///{mail_dir}"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _task_line(log_path: Path, worker: subprocess.Popen, task: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in log_path.read_text().splitlines():
            line = json.loads(raw) if raw.startswith("{") else {}
            if line.get("event") == "task" and line.get("task") == task:
                return line
        if worker.poll() is not None:
            pytest.fail(f"worker exited with {worker.returncode}:\n{log_path.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"no task line after {timeout}s; worker log:\n{log_path.read_text()}")


@pytest.mark.redis
@pytest.mark.django_db
@pytest.mark.urls("tests.observability.urls")
def test_the_request_id_reaches_the_log_line_of_the_task_the_request_queued(client, user, tmp_path):
    services.require_redis()
    client.force_login(user)
    subject = f"Observability {uuid.uuid4().hex}"

    # when a signed-in player's request queues an e-mail task
    with json_log_lines() as lines:
        response = client.get("/test/queue-email", {"subject": subject})

    # then its id is in the response and in the request's log line
    assert response.status_code == 202
    request_id = response["X-Request-ID"]
    [request_line] = [line for line in lines if line["logger"] == "driftwood.requests"]
    assert request_line["request_id"] == request_id
    assert request_line["user_id"] == user.pk

    # when a real worker takes the task from Redis
    worker = _start_worker(tmp_path / "mail", tmp_path / "worker.log")
    try:
        line = _task_line(tmp_path / "worker.log", worker, "driftwood.notifications.tasks.send_email")
    finally:
        services.stop(worker)

    # then the worker's one JSON line for it carries the same request id and the player's id
    assert line["request_id"] == request_id
    assert line["user_id"] == user.pk
    assert (line["state"], line["queue"]) == ("success", "high")
    assert line["duration_ms"] >= 0
    # and the e-mail went out
    assert any(subject in path.read_text() for path in (tmp_path / "mail").glob("*.log"))
