"""The event's write path has one field list (`EVENT_WRITE_FIELDS`): the service, the page form,
the API's write serializer and admin all hold exactly those fields."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.utils import timezone

from tests.factories import GameFactory, UserFactory
from tournaments.api.events import EventDetailSerializer, EventWriteSerializer
from tournaments.brackets.ffa.forms import FFA_EVENT_FIELDS
from tournaments.forms import EventForm
from tournaments.models import Event
from tournaments.services.events import (
    EVENT_REQUIRED_FIELDS,
    EVENT_WRITE_FIELDS,
    event_create,
    event_update,
    event_write_defaults,
)


def test_every_write_field_is_a_column_of_the_event():
    columns = {field.name for field in Event._meta.concrete_fields}

    assert len(set(EVENT_WRITE_FIELDS)) == len(EVENT_WRITE_FIELDS)
    assert set(EVENT_WRITE_FIELDS) <= columns
    assert set(EVENT_REQUIRED_FIELDS) <= set(EVENT_WRITE_FIELDS)


def test_the_page_form_has_exactly_the_write_fields():
    # and the free-for-all settings, which are not the event's columns (saved by `ffa_settings_save`)
    assert set(EventForm.base_fields) == set(EVENT_WRITE_FIELDS) | set(FFA_EVENT_FIELDS)
    assert not set(FFA_EVENT_FIELDS) & {field.name for field in Event._meta.concrete_fields}
    assert {name for name, field in EventForm.base_fields.items() if field.required} >= set(EVENT_REQUIRED_FIELDS)


def test_the_api_write_serializer_has_exactly_the_write_fields():
    fields = EventWriteSerializer().fields

    assert set(fields) == set(EVENT_WRITE_FIELDS)
    assert {name for name, field in fields.items() if field.required} == set(EVENT_REQUIRED_FIELDS)


def test_the_api_reads_back_every_write_field():
    assert set(EVENT_WRITE_FIELDS) <= set(EventDetailSerializer().fields)


def test_admin_shows_every_write_field():
    assert set(EVENT_WRITE_FIELDS) <= set(admin.site._registry[Event].fields)


def test_defaults_are_the_models_and_the_prize_split_is_never_shared():
    defaults = event_write_defaults()

    assert defaults["max_participants"] == 16 and defaults["entry_fee"] == Decimal("0.00")
    assert "swiss_rounds" not in defaults and "name" not in defaults
    defaults["prize_distribution"].append(100)
    assert event_write_defaults()["prize_distribution"] == []


@pytest.mark.django_db
def test_the_services_refuse_a_field_outside_the_list():
    organizer, game = UserFactory(), GameFactory()
    starts_at = timezone.now() + timedelta(days=7)
    draft = {"organizer": organizer, "game": game, "name": "Cup", "starts_at": starts_at}
    event = event_create(**draft, registration_closes_at=starts_at)

    with pytest.raises(TypeError, match="status"):
        event_create(**draft, registration_closes_at=starts_at, status="draft")
    with pytest.raises(TypeError, match="slug"):
        event_update(event_id=event.pk, actor=organizer, slug="other")
    assert (event.max_participants, event.best_of, event.seeding) == (16, 1, Event.Seeding.REGISTRATION)
