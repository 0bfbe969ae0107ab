"""Turning happenings into deliveries: what other apps call where something worth a webhook happened.

`webhooks_emit_on_commit` runs after the caller's transaction commits (a rolled-back happening is
never announced, and the caller's locks are not held while we write): one query for the owner's
subscribed endpoints, then, when any subscribes, one INSERT of every delivery row, then one task
per row. The INSERT skips rows already there (unique per endpoint and event id), so a happening
emitted twice is delivered once.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from driftwood.core import redis_outage
from driftwood.core.compiled import CompiledQuery
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.tasks import webhook_deliver

logger = logging.getLogger("driftwood.integrations")
API_VERSION = "v1"


@dataclass(frozen=True)
class Happening:
    """`key` names the happening itself (e.g. "match.ready:12:1"): the same key is the same event id.
    `data` builds the payload's `data` (it may query: it runs after commit, only if someone listens)."""

    event_type: str
    key: str
    data: Callable[[], dict]
    created: datetime = field(default_factory=timezone.now)

    def __post_init__(self) -> None:
        if self.event_type not in WebhookEvent.values:
            raise ValueError(f"unknown webhook event type {self.event_type!r}")

    @property
    def event_id(self) -> str:
        return "evt_" + hashlib.sha256(self.key.encode()).hexdigest()[:32]


def envelope(happening: Happening, data: dict) -> dict:
    created = happening.created.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {
        "id": happening.event_id,
        "type": happening.event_type,
        "created": created,
        "api_version": API_VERSION,
        "data": data,
    }


def webhooks_emit_on_commit(*, owner_id: int, happenings: Iterable[Happening]) -> None:
    happenings = list(happenings)
    if happenings:
        # robust: the caller's work is committed; a webhook problem is logged, never raised into it.
        transaction.on_commit(partial(webhooks_emit, owner_id=owner_id, happenings=happenings), robust=True)


# Asked after every happening's commit (each score report, most often for an organizer with no
# endpoint): fixed SQL after the first call, not a queryset compiled again each time.
_ACTIVE_ENDPOINTS = CompiledQuery(
    lambda owner_id: (
        WebhookEndpoint.objects.filter(owner_id=owner_id, active=True).only("pk", "event_types").order_by("pk")
    ),
    "owner_id",
)


def webhooks_emit(*, owner_id: int, happenings: list[Happening]) -> list[int]:
    """Write the deliveries of these happenings for the owner's subscribed endpoints and queue them;
    returns the new deliveries' ids."""
    subscribed = [(endpoint.pk, endpoint.event_types) for endpoint in _ACTIVE_ENDPOINTS.all(owner_id=owner_id)]
    rows = []
    for happening in happenings:
        endpoint_ids = [pk for pk, event_types in subscribed if happening.event_type in event_types]
        if endpoint_ids:
            with timezone.override(UTC):  # times as the API writes them: UTC, "Z"
                payload = json.dumps(envelope(happening, happening.data()), cls=DjangoJSONEncoder)
            rows.extend((endpoint_id, happening, payload) for endpoint_id in endpoint_ids)
    if not rows:
        return []
    delivery_ids = _insert(rows)
    for delivery_id in delivery_ids:
        redis_outage.enqueue(webhook_deliver, delivery_id=delivery_id)
    return delivery_ids


def _insert(rows: list[tuple[int, Happening, str]]) -> list[int]:
    """One INSERT for every row; those already delivered or owed (same endpoint and event id) are skipped."""
    now = timezone.now()
    table = WebhookDelivery._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s::jsonb, %s, 0, 0, '', %s, %s, %s)"] * len(rows))
    params = []
    for endpoint_id, happening, payload in rows:
        params += [endpoint_id, happening.event_id, happening.event_type, payload, WebhookDelivery.Status.PENDING]
        params += [now, now, now]
    sql = (
        f"INSERT INTO {table} (endpoint_id, event_id, event_type, payload, status, attempts, failures, last_error, "
        f"next_attempt_at, created_at, updated_at) VALUES {values} "
        "ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
