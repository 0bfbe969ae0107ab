"""What the tournament pages say (#17): the event's status badge versus the page's connection
indicator, seeding, the Swiss tie-break column, losers rounds from 1, the event list's filters and
the admin's plural for entries."""

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client

from tests.factories import EventFactory, UserFactory
from tournaments.brackets.services.start import event_start
from tournaments.models import Entry, Event, Match
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

Status = Event.Status


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def badge_of(page: str) -> str:
    """The text of the event's status badge (the first `badge status status-...` of the page)."""
    found = re.search(r'<span class="badge status status-[a-z_]+"[^>]*>(.*?)</span>\s*\n', page, flags=re.S)
    assert found, "no status badge"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def started_event(count: int, **fields) -> Event:
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=max(count, 2), **fields)
    for player in UserFactory.create_batch(count):
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    return event


# --- The status badge says "Live" only for an event being played


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (Status.REGISTRATION_OPEN, "Open"),
        (Status.REGISTRATION_CLOSED, "Registration closed"),
        (Status.COMPLETED, "Completed"),
        (Status.CANCELLED, "Cancelled"),
    ],
)
def test_an_event_not_being_played_has_its_own_word_on_the_badge(client, status, word):
    event = EventFactory(status=status)

    page = page_of(client.get(f"/events/{event.pk}/"))

    assert badge_of(page) == word
    assert "status-live-dot" not in page
    assert ">Live<" not in page


def test_the_organizers_draft_says_draft(client):
    event = EventFactory(status=Status.DRAFT, published_at=None)
    client.force_login(event.organizer)

    assert badge_of(page_of(client.get(f"/events/{event.pk}/"))) == "Draft"


def test_an_event_being_played_says_live_on_its_page_its_bracket_and_the_list(client):
    event = started_event(4)
    assert event.status == Status.ONGOING

    detail = page_of(client.get(f"/events/{event.pk}/"))
    bracket = page_of(client.get(f"/events/{event.pk}/bracket/"))
    listed = page_of(client.get("/events/", {"status": "ongoing"}))

    for page in (detail, bracket, listed):
        assert badge_of(page) == "Live"
        assert '<span class="status-live-dot" aria-hidden="true"></span>Live</span>' in page


def test_the_socket_state_is_a_separate_labelled_indicator_not_the_event_status(client):
    # given an event that is open, not being played
    event = EventFactory()

    for path in (f"/events/{event.pk}/", f"/events/{event.pk}/bracket/"):
        page = page_of(client.get(path))

        # then the page carries the connection indicator, in words, starting as "Connecting…"
        indicator = re.search(
            r'<span class="connection needs-js" data-connection data-state="connecting"[^>]*>.*?</span></span>', page
        )
        assert indicator, path
        assert "<span data-connection-label>Connecting…</span>" in indicator.group(0)
        # and no badge reading "Live" that only means the socket is up
        assert "data-live-indicator" not in page
        assert "live-badge" not in page


# --- Seeding


def test_seeding_messages_say_how_the_seeds_were_chosen(client):
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0)
    for player in UserFactory.create_batch(3):
        registration_join(event_id=event.pk, user=player)
    organizer = Client()
    organizer.force_login(event.organizer)

    manage = page_of(organizer.get(f"/events/{event.pk}/manage/"))
    assert "Not confirmed yet: seeded in registration order." in manage

    entries = organizer.get(f"/events/{event.pk}/manage/").context["entries"]
    seeds = {f"seed_{entry.pk}": str(3 - index) for index, entry in enumerate(entries)}
    by_hand = organizer.post(f"/events/{event.pk}/seeding/", {"method": "manual", **seeds}, follow=True)
    at_random = organizer.post(f"/events/{event.pk}/seeding/", {"method": "random"}, follow=True)

    assert [str(message) for message in by_hand.context["messages"]] == [
        "Seeded by the organizer. Check the order, then confirm it."
    ]
    assert [str(message) for message in at_random.context["messages"]] == [
        "Seeded at random. Check the order, then confirm it."
    ]
    assert "Not confirmed yet: seeded at random." in page_of(at_random)
    assert "Seeded by manual" not in page_of(by_hand)


# --- Standings and losers rounds


def test_swiss_standings_explain_the_buchholz_column(client):
    event = started_event(4, format=Event.Format.SWISS)

    page = page_of(client.get(f"/events/{event.pk}/bracket/"))

    assert (
        '<abbr title="Buchholz: the sum of your opponents\' points, the tie-break after head-to-head">Bch</abbr>'
        in page
    )
    legend = re.search(r'<p class="bk-legend help">(.*?)</p>', page, flags=re.S).group(1)
    assert "Buchholz: the sum of your opponents' points" in legend
    assert "Ties on points go to head-to-head, then Buchholz, then the better seed." in legend


def test_losers_rounds_are_numbered_from_one_when_byes_empty_the_first(client):
    # given a double elimination of five: byes leave the stored losers round 1 without a match
    event = started_event(5, format=Event.Format.DOUBLE_ELIMINATION)
    assert not Match.objects.filter(event=event, bracket=Match.Bracket.LOSERS, round=1).exists()

    response = client.get(f"/events/{event.pk}/bracket/")

    losers = response.context["bracket"].sections[1]
    assert [column.title for column in losers.columns] == ["Losers round 1", "Losers round 2", "Losers final"]
    assert "Losers round 3" not in page_of(response)
    # and the match page says the round the bracket shows
    first_losers_match = Match.objects.get(event=event, key="L2-1")
    match_page = page_of(client.get(f"/events/matches/{first_losers_match.pk}/"))
    assert "Losers bracket · round 1" in match_page


# --- The event list


def test_upcoming_lists_events_not_started_and_live_now_lists_the_ones_being_played(client):
    EventFactory(name="Open cup", status=Status.REGISTRATION_OPEN)
    EventFactory(name="Checking in cup", status=Status.REGISTRATION_CLOSED)
    EventFactory(name="Being played cup", status=Status.ONGOING)
    EventFactory(name="Done cup", status=Status.COMPLETED)

    upcoming = page_of(client.get("/events/"))
    live = page_of(client.get("/events/", {"status": "ongoing"}))

    assert "Open cup" in upcoming
    assert "Checking in cup" in upcoming
    assert "Being played cup" not in upcoming
    assert "Done cup" not in upcoming
    assert "Being played cup" in live
    assert "Open cup" not in live
    assert '<option value="" selected>Upcoming</option>' in upcoming
    assert '<option value="ongoing">Live now</option>' in upcoming


# --- Admin


def test_the_admin_calls_bracket_entries_entries(admin_client):
    assert Entry._meta.verbose_name_plural == "entries"
    assert admin.site.is_registered(Entry)

    page = page_of(admin_client.get("/admin/tournaments/"))

    assert "Entries" in page
    assert "Entrys" not in page
