"""deploy/prometheus and deploy/grafana: the alerts and the dashboard read series /metrics really
has (a renamed series would leave an alert silent for ever), and the rules pass their unit tests
under promtool (Debian's `prometheus` package; .ci/run installs it)."""

import re
import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import services
from tests.observability.support import METRICS_TOKEN, scrape
from wallet.reconciliation import wallet_reconcile_and_alert

PROMETHEUS = services.BASE_DIR / "deploy" / "prometheus"
READERS = [
    PROMETHEUS / "alerts.yml",
    PROMETHEUS / "alerts_test.yml",
    services.BASE_DIR / "deploy" / "grafana" / "driftwood-dashboard.json",
]
# The sample names each kind of family writes (the parser names a counter's family without `_total`).
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created")}


def sample_names(page: str) -> set[str]:
    return {
        family.name + suffix
        for family in text_string_to_metric_families(page)
        for suffix in SUFFIXES.get(family.type, ("",))
    }


@pytest.mark.django_db
def test_every_series_the_alerts_and_the_dashboard_read_is_on_the_metrics_page(client, settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.METRICS_CACHE_SECONDS = 0
    wallet_reconcile_and_alert()  # the reconcile series describe the last run; before one there is none
    on_the_page = sample_names(scrape(client))

    for path in READERS:
        read = set(re.findall(r"\bdriftwood_[a-z0-9_]+", path.read_text()))
        assert read, path
        assert read <= on_the_page, f"{path.name} reads series /metrics does not have: {sorted(read - on_the_page)}"


def promtool(*args: str) -> subprocess.CompletedProcess:
    binary = shutil.which("promtool")
    services.require(binary is not None, "promtool is not installed (apt-get install prometheus)")
    return subprocess.run([binary, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)


def test_the_alert_rules_are_valid_and_pass_their_unit_tests():
    for args in (
        ("check", "rules", "alerts.yml"),
        ("test", "rules", "alerts_test.yml"),
        ("check", "config", "--syntax-only", "prometheus.yml"),
    ):
        run = promtool(*args)
        assert run.returncode == 0, f"promtool {' '.join(args)}:\n{run.stdout}{run.stderr}"
