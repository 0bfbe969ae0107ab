"""Logs, metrics and error reports (read by driftwood/settings.py; see driftwood/observability/)."""

from driftwood.observability.errors import sentry_init
from driftwood.observability.logs import logging_config


def observability_settings(env, *, debug: bool) -> dict:
    return {
        # JSON lines in production, plain text for development (`make run` sets DJANGO_DEBUG).
        "LOGGING": logging_config(
            log_format=env.str("LOG_FORMAT", default="text" if debug else "json"),
            level=env.str("LOG_LEVEL", default="INFO"),
        ),
        # Bearer token of /metrics; unset: served only with DEBUG on (driftwood/observability/views.py).
        "METRICS_TOKEN": env.str("METRICS_TOKEN", default=""),
        # Scrape-time figures are reused this long per process, and their queries stop after the timeout.
        "METRICS_CACHE_SECONDS": env.float("METRICS_CACHE_SECONDS", default=10.0),
        "METRICS_DB_TIMEOUT_MS": env.int("METRICS_DB_TIMEOUT_MS", default=2000),
        # Sentry only with SENTRY_DSN (then also SENTRY_ENVIRONMENT, SENTRY_RELEASE, SENTRY_TRACES_SAMPLE_RATE).
        "SENTRY_ENABLED": sentry_init(env),
    }
