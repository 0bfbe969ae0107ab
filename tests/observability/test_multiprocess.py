"""Several processes, one /metrics: what each writes into PROMETHEUS_MULTIPROC_DIR is added up,
counters outlive their process, and a stopped process's open sockets stop counting."""

import subprocess
import sys

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests import services

RECORD = """
import sys
from driftwood.observability import metrics

metrics.celery_tasks.labels("wallet.tasks.wallet_reconcile", "failure").inc()
metrics.websocket_connections.labels("chat").inc()
print("recorded", flush=True)
sys.stdin.read()  # stays alive, its socket open, until the test closes stdin
"""


def _process(directory) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", RECORD],
        cwd=services.BASE_DIR,
        env={**services.child_env(), "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "recorded"
    return process


def _sample(directory, name: str, **labels) -> float | None:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry.get_sample_value(name, labels)


def test_series_of_several_processes_add_up_and_a_stopped_one_leaves_its_counters(tmp_path):
    first, second = _process(tmp_path), _process(tmp_path)

    tasks = _sample(tmp_path, "driftwood_celery_tasks_total", task="wallet.tasks.wallet_reconcile", state="failure")
    assert tasks == 2
    assert _sample(tmp_path, "driftwood_websocket_connections", route="chat") == 2

    first.communicate("", timeout=30)  # exits normally

    assert _sample(tmp_path, "driftwood_celery_tasks_total", task="wallet.tasks.wallet_reconcile", state="failure") == 2
    assert _sample(tmp_path, "driftwood_websocket_connections", route="chat") == 1
    second.communicate("", timeout=30)
    assert _sample(tmp_path, "driftwood_websocket_connections", route="chat") is None  # no live process, no sample
