"""A worker registers every task the beat schedules or the routes name, wherever its module lives."""

import json
import subprocess
import sys

from driftwood.celery import app
from tests import services

# What `celery -A driftwood worker` does before it consumes: set Django up, import the task modules.
WORKER_BOOT = """
import json
import django
django.setup()
from driftwood.celery import app
app.loader.import_default_modules()
print(json.dumps(sorted(app.tasks)))
"""


def test_a_booting_worker_registers_every_scheduled_and_routed_task():
    # given the task names the beat sends and the routes name
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    routed = {name for name in app.conf.task_routes if "*" not in name}

    # when a fresh process boots the way a worker does
    boot = subprocess.run(
        [sys.executable, "-c", WORKER_BOOT],
        cwd=services.BASE_DIR,
        env=services.child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then each of them is registered, the tasks notifications queue included
    assert boot.returncode == 0, boot.stderr
    registered = set(json.loads(boot.stdout.splitlines()[-1]))
    assert (scheduled | routed) - registered == set()
    assert {"tournaments.tasks.activity_log"} <= registered
