"""Sending a delivery to its receiver: what the `webhook_deliver` task and the retry sweep run.

An attempt first claims the delivery (a conditional UPDATE: pending, due, endpoint active), which
moves `next_attempt_at` past the attempt's longest possible run, so a second worker or the sweep
cannot send it at the same time and an attempt whose worker died is retried once that passes.
Then the request, with no database transaction open; then the outcome, in one transaction:
- 2xx: delivered (`sent`, once: the update is conditional on the attempt still being current);
- a timeout, a connection error, 408, 429 or 5xx: retried after 30 s, 1 min, 2 min... (capped),
  until WEBHOOK_MAX_ATTEMPTS failures, then `failed`;
- any other answer (3xx, 4xx), or a URL that now points somewhere refused: `failed` at once.
A receiver may see an event more than once (a lost answer, a replay): the `id` tells it so.
"""

import functools
import json
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.services.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    secret_reveal,
    signature_header,
)
from integrations.services.targets import TargetNotFound, UnsafeTarget, target_check

Outcome = WebhookAttempt.Outcome
PENDING = WebhookDelivery.Status.PENDING
USER_AGENT = "Driftwood-Webhooks/1.0"
# 4xx answers that mean "not now" rather than "no".
_NOT_NOW = frozenset({408, 429})


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Receivers' certificates checked against certifi's authorities and the endpoint's host name,
    as httpx does by default. One per process, shared by every delivery (a context is safe to share
    between threads): building one loads the authorities' file, 19 ms of CPU per delivery before."""
    return httpx.create_ssl_context(trust_env=False)


@dataclass(frozen=True)
class Answer:
    outcome: str
    code: int | None = None
    error: str = ""


def retry_delay(failures: int) -> timedelta:
    """30 s after the first failure, doubling after each, never more than the cap."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(failures - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_CAP_SECONDS))


def _attempt_lease() -> timedelta:
    """How long an attempt may run (connect, send, wait for the answer), with room to record it."""
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 60)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON body: the same bytes on every attempt (keys sorted: jsonb keeps no order)."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=PENDING, next_attempt_at__lte=now, endpoint__active=True
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + _attempt_lease(), updated_at=now)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(delivery: WebhookDelivery) -> Answer:
    endpoint = delivery.endpoint
    try:
        target = target_check(endpoint.url)
    except TargetNotFound as exc:
        return Answer(Outcome.RETRY, error=str(exc))
    except UnsafeTarget as exc:
        return Answer(Outcome.FAILED, error=str(exc))
    body = body_of(delivery)
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(secret=secret_reveal(endpoint), body=body),
        EVENT_ID_HEADER: delivery.event_id,
        EVENT_TYPE_HEADER: delivery.event_type,
    }
    try:
        # No proxy from the environment: the request goes to the address just checked. The answer's
        # body is never read (a receiver cannot make us download anything).
        with (
            httpx.Client(
                verify=tls_context(),
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                follow_redirects=False,
                trust_env=False,
            ) as client,
            client.stream(
                "POST", target.url, content=body, headers=headers, extensions={"sni_hostname": target.host}
            ) as response,
        ):
            code = response.status_code
    except httpx.TimeoutException:
        return Answer(Outcome.RETRY, error="Timed out.")
    except httpx.HTTPError as exc:
        return Answer(Outcome.RETRY, error=f"Connection failed: {type(exc).__name__}: {exc}"[:500])
    if 200 <= code < 300:
        return Answer(Outcome.SENT, code)
    if code >= 500 or code in _NOT_NOW:
        return Answer(Outcome.RETRY, code, f"HTTP {code}")
    return Answer(Outcome.FAILED, code, f"HTTP {code}")


def _record(delivery: WebhookDelivery, answer: Answer, *, started: datetime, duration_ms: int) -> WebhookDelivery:
    """The attempt's line in the log, and the delivery's new state unless a replay or another attempt
    took it over meanwhile (the update is conditional on this attempt being the latest)."""
    now = timezone.now()
    failures = delivery.failures + (answer.outcome != Outcome.SENT)
    outcome, error = answer.outcome, answer.error
    if outcome == Outcome.RETRY and failures >= settings.WEBHOOK_MAX_ATTEMPTS:
        outcome, error = Outcome.FAILED, f"{error} Gave up after {failures} failed attempts."
    changes = {
        "failures": failures,
        "last_response_code": answer.code,
        "last_error": error[:500],
        "updated_at": now,
        "next_attempt_at": now + retry_delay(failures) if outcome == Outcome.RETRY else None,
    }
    if outcome == Outcome.SENT:
        changes.update(status=WebhookDelivery.Status.SENT, sent_at=now)
    elif outcome == Outcome.FAILED:
        changes.update(status=WebhookDelivery.Status.FAILED)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=duration_ms,
            response_code=answer.code,
            error=error[:500],
            outcome=outcome,
        )
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=PENDING, attempts=delivery.attempts, failures=delivery.failures
        ).update(**changes)
    delivery.refresh_from_db()
    return delivery


def webhook_delivery_send(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """One attempt at a pending, due delivery; None when it was not (sent, failed, paused, not due
    yet, or another attempt has it)."""
    if connection.in_atomic_block:
        raise RuntimeError("A webhook is never sent inside a database transaction: send it after commit.")
    delivery = _claim(delivery_id, now or timezone.now())
    if delivery is None:
        return None
    started, clock = timezone.now(), time.monotonic()
    answer = _post(delivery)
    return _record(delivery, answer, started=started, duration_ms=int((time.monotonic() - clock) * 1000))


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries of active endpoints whose attempt is due, the longest waiting first."""
    return list(
        WebhookDelivery.objects.filter(status=PENDING, next_attempt_at__lte=now or timezone.now())
        .filter(endpoint__active=True)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
