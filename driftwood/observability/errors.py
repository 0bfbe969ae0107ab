"""Error reports to Sentry, only when SENTRY_DSN is set (otherwise nothing is sent anywhere).

Django and Celery integrations; no personal data by default (`send_default_pii=False`, request
bodies never sent); and every event is scrubbed before it leaves the process:
- by key, at any depth (sentry-sdk's EventScrubber, then `scrub_event` again): its default list (passwords, tokens,
  secrets, Authorization, cookies, sessions, CSRF) plus Driftwood's own names (bank account
  numbers, client secrets, JWTs, signing secrets, encryption keys);
- by value, in messages, exception texts, breadcrumbs, request data and local variables: runs of
  8 or more digits (bank account and card numbers), bearer tokens and JWTs.
"""

import functools
import re
import sys

FILTERED = "[Filtered]"
DRIFTWOOD_DENYLIST = [
    "account_number",
    "bank_account_number",
    "bank_account_number_encrypted",
    "account_holder_name",
    "card_number",
    "client_secret",
    "access",
    "refresh",
    "jwt",
    "signing_secret",
    "secret_key",
    "webhook_secret",
    "field_encryption_keys",
    "http_authorization",
    "http_cookie",
    "cookies",
    "new_password1",
    "new_password2",
    "old_password",
    "password1",
    "password2",
]
SECRET_VALUES = re.compile(
    r"\b\d(?: ?\d){7,}\b"  # bank account and card numbers (card numbers also in groups of four)
    r"|\bBearer\s+\S+"  # Authorization header values
    r"|\beyJ[\w-]+\.[\w-]+\.[\w-]*"  # JWTs
    r"|\b(?:sk|rk|whsec|pi_\w+_secret)_\w+"  # Stripe keys and client secrets
)
# The parts of an event that carry text from the application; ids and timestamps stay as they are.
TEXT_PARTS = ("message", "logentry", "exception", "threads", "breadcrumbs", "extra", "request", "tags", "user")


# sentry-sdk is imported only where it is used: without SENTRY_DSN no process loads it (~0.15 s of
# CPU at every start of a web, WebSocket or Celery process, and of every manage.py command).


@functools.cache
def _denylist() -> frozenset[str]:
    from sentry_sdk.scrubber import DEFAULT_DENYLIST

    return frozenset(name.lower() for name in DEFAULT_DENYLIST + DRIFTWOOD_DENYLIST)


def _scrubbed(value, key=None):
    if isinstance(key, str) and key.lower() in _denylist():
        return FILTERED
    if isinstance(value, str):
        return SECRET_VALUES.sub(FILTERED, value)
    if isinstance(value, dict):
        return {name: _scrubbed(item, name) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """sentry-sdk's `before_send`: what may identify a bank account or grant access is replaced,
    by key (DENYLIST, at any depth) and by value (SECRET_VALUES). It runs on the serialized event,
    after the EventScrubber, so it writes plain strings."""
    for part in TEXT_PARTS:
        if part in event:
            event[part] = _scrubbed(event[part])
    return event


def sentry_options(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> dict:
    """The arguments of `sentry_sdk.init` (the tests build a client from them)."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    return {
        "dsn": dsn,
        "environment": environment or None,
        "release": release or None,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "max_request_body_size": "never",
        "event_scrubber": EventScrubber(denylist=DEFAULT_DENYLIST + DRIFTWOOD_DENYLIST, recursive=True),
        "before_send": scrub_event,
        "before_send_transaction": scrub_event,
        "traces_sample_rate": traces_sample_rate,
    }


def sentry_init(env) -> bool:
    """Called by the settings: turns Sentry on when SENTRY_DSN is set; True when it did."""
    dsn = env.str("SENTRY_DSN", default="")
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        **sentry_options(
            dsn=dsn,
            environment=env.str("SENTRY_ENVIRONMENT", default=""),
            release=env.str("SENTRY_RELEASE", default=""),
            traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        )
    )
    return True


def tag_request(request_id: str) -> None:
    """Tags the events of the running request or task with its request id (when Sentry is on)."""
    sentry_sdk = sys.modules.get("sentry_sdk")  # not loaded: no client, nothing to tag
    if sentry_sdk is not None and sentry_sdk.get_client().is_active():
        sentry_sdk.get_isolation_scope().set_tag("request_id", request_id)
