"""The database itself refuses what the services never write: an endpoint with no events, a second
delivery of one event to one endpoint, a pending delivery with no due time, a sent one with no time."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def endpoint() -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        owner=UserFactory(), url="https://93.184.215.14/hook", secret="token", event_types=["match.ready"]
    )


def refused(**fields) -> bool:
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(**fields)
    except IntegrityError:
        return True
    return False


def test_an_endpoint_needs_at_least_one_event_type():
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookEndpoint.objects.create(owner=UserFactory(), url="https://93.184.215.14/", secret="t", event_types=[])


def test_one_event_is_owed_to_an_endpoint_once_and_states_carry_their_times():
    target = endpoint()
    now = timezone.now()
    owed = {"endpoint": target, "event_type": "match.ready", "payload": {}}
    WebhookDelivery.objects.create(event_id="evt_1", next_attempt_at=now, **owed)

    assert refused(event_id="evt_1", next_attempt_at=now, **owed)
    assert refused(event_id="evt_2", next_attempt_at=None, **owed)
    assert refused(event_id="evt_3", status="sent", sent_at=None, **owed)
    assert not refused(event_id="evt_1", next_attempt_at=now, **{**owed, "endpoint": endpoint()})
