"""Entries and seeding through the API: the organizer's view of who plays, and in what order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory
from tournaments.models import Entry, Match
from tournaments.services.registrations import registration_join


@pytest.fixture
def event(db):
    event = EventFactory(
        entry_fee=Decimal("0.00"),
        check_in_minutes=60,
        starts_at=timezone.now() + timedelta(minutes=30),
        registration_closes_at=timezone.now() + timedelta(minutes=10),
    )
    for _ in range(4):
        registration_join(event_id=event.pk, user=UserFactory())
    return event


def test_entries_follow_registrations_and_show_check_in(event):
    player = event.registrations.first().user
    api = bearer_client(player)
    listed = api.get(f"/api/v1/events/{event.pk}/entries").json()["results"]
    assert len(listed) == 4 and all(entry["checked_in_at"] is None for entry in listed)

    assert api.post(f"/api/v1/events/{event.pk}/check-in").status_code == 200
    mine = [
        entry
        for entry in api.get(f"/api/v1/events/{event.pk}/entries").json()["results"]
        if entry["user_id"] == player.pk
    ]
    assert mine[0]["checked_in_at"] is not None and mine[0]["status"] == "active"


def test_organizer_seeds_by_hand_confirms_and_starts_with_that_order(event):
    organizer = bearer_client(event.organizer)
    for registration in event.registrations.all():
        bearer_client(registration.user).post(f"/api/v1/events/{event.pk}/check-in")
    entries = organizer.get(f"/api/v1/events/{event.pk}/entries").json()["results"]
    wanted = [entry["id"] for entry in reversed(entries)]

    bad = organizer.post(f"/api/v1/events/{event.pk}/seeding", {"method": "manual", "order": wanted[:3]}, format="json")
    assert bad.status_code == 400 and "order" in bad.json()["errors"]
    stranger = bearer_client(UserFactory()).post(
        f"/api/v1/events/{event.pk}/seeding", {"method": "random"}, format="json"
    )
    assert stranger.status_code == 403

    seeded = organizer.post(f"/api/v1/events/{event.pk}/seeding", {"method": "manual", "order": wanted}, format="json")
    assert seeded.status_code == 200
    assert [entry["id"] for entry in seeded.json()] == wanted
    assert organizer.post(f"/api/v1/events/{event.pk}/seeding/confirm").status_code == 200

    started = organizer.post(f"/api/v1/events/{event.pk}/start")
    assert started.status_code == 200 and started.json()["matches"] == 3
    first = Match.objects.get(event=event, key="W1-1")
    # Seed 1 (the organizer's first pick) meets seed 4 (the last).
    assert (first.entry_a_id, first.entry_b_id) == (wanted[0], wanted[3])
    assert Entry.objects.get(pk=wanted[0]).seed == 1

    # With no result yet the bracket can still be reseeded (and is regenerated).
    again = organizer.post(f"/api/v1/events/{event.pk}/seeding", {"method": "registration"}, format="json")
    assert again.status_code == 200
    organizer.post(
        f"/api/v1/matches/{Match.objects.get(event=event, key='W1-1').pk}/report", {"score_a": 1, "score_b": 0}
    )
    locked = organizer.post(f"/api/v1/events/{event.pk}/seeding", {"method": "random"}, format="json")
    assert (locked.status_code, locked.json()["code"]) == (409, "seeding_locked")
