"""The list's hand-written fast path renders exactly what DRF would from the declared fields."""

from datetime import UTC

import pytest
from django.utils import timezone
from rest_framework import serializers

from tests.factories import EventFactory
from tournaments import selectors
from tournaments.api.events import EventSerializer

pytestmark = pytest.mark.django_db


def test_fast_representation_matches_the_declared_fields():
    EventFactory(prize_distribution=[70, 30])
    event = selectors.event_list(user=None).get()
    serializer = EventSerializer()

    with timezone.override(UTC):
        fast = serializer.to_representation(event)
        generic = serializers.Serializer.to_representation(serializer, event)

    assert fast == generic
    assert list(fast) == list(serializer.fields)
