"""docker-compose.yml keeps what README "Deploys" promises: replicas are ready by /readyz before the
proxy sends them anything, and each process is given longer to stop than it takes to stop well
(Docker's default, 10 s, then SIGKILL, would cut off requests and tasks)."""

import re
import runpy

import yaml

from driftwood.celery import app
from tests.services import BASE_DIR

SERVICES = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]
PROBE = ["CMD", "python", "-m", "driftwood.core.probe"]


def seconds(duration: str) -> int:
    """A compose duration ("40s", "1m30s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)([hms])", duration)
    assert parts and "".join(f"{n}{u}" for n, u in parts) == duration, duration
    return sum(int(n) * units[u] for n, u in parts)


def test_web_and_ws_replicas_are_ready_by_the_probe_before_the_proxy_uses_them():
    for name in ("web", "ws"):
        assert SERVICES[name]["healthcheck"]["test"] == PROBE, name
        assert SERVICES["proxy"]["depends_on"][name] == {"condition": "service_healthy"}, name


def test_web_is_given_longer_to_stop_than_gunicorn_gives_its_requests():
    gunicorn = runpy.run_path(str(BASE_DIR / "deploy" / "gunicorn.conf.py"))

    assert seconds(SERVICES["web"]["stop_grace_period"]) > gunicorn["graceful_timeout"]


def test_every_queue_has_a_worker_given_a_minute_to_finish_its_tasks():
    workers = {name: service for name, service in SERVICES.items() if "worker" in service.get("command", [])}
    consumed = set()
    for name, service in workers.items():
        command = service["command"]
        consumed.update(command[command.index("-Q") + 1].split(","))
        assert seconds(service["stop_grace_period"]) >= 60, name

    assert consumed == {queue.name for queue in app.conf.task_queues}
