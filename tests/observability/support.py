"""Helpers of the observability tests: log lines as the JSON handler writes them, and /metrics
read back as samples."""

import io
import json
import logging
from contextlib import contextmanager

from prometheus_client.parser import text_string_to_metric_families

from driftwood.observability.logs import ContextFilter, JsonFormatter

METRICS_TOKEN = "test-metrics-token-0123456789"


@contextmanager
def json_log_lines():
    """Every log line written meanwhile, through the production handler's filter and formatter,
    parsed back from JSON (a list filled as lines come)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of a Prometheus text page."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def families(text: str) -> set[str]:
    return {family.name for family in text_string_to_metric_families(text)}


def value(page: dict, name: str, **labels) -> float | None:
    return page.get((name, frozenset(labels.items())))


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200, response.content
    return response.content.decode()
