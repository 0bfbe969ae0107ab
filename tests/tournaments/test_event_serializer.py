"""The list's hand-written fast path renders exactly what DRF would from the declared fields."""

from datetime import UTC

import pytest
from django.utils import timezone
from rest_framework import serializers

from tests.factories import EventFactory
from tournaments import row_selectors, selectors
from tournaments.api.events import EventSerializer, event_row

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


def test_list_rows_render_what_the_serializer_renders():
    # given events with and without counts, fees and prizes
    EventFactory(prize_distribution=[70, 30])
    EventFactory(prize_distribution=[100])

    # when the API's list rows (plain values) and the models of the same events are rendered
    with timezone.override(UTC):
        rows = [event_row(row) for row in row_selectors.event_list_rows(user=None)]
        models = [EventSerializer().to_representation(event) for event in selectors.event_list(user=None)]

    # then both are the same, field for field and in order
    assert rows == models
    assert [list(row) for row in rows] == [list(EventSerializer().fields)] * 2
