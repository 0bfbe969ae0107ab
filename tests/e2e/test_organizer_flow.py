"""The organizer's tools in real browsers against a real ASGI server (daphne, Redis channel layer).

An organizer moves a published event's start from its edit page (the fee shown locked, players
having joined) and each player finds exactly one notice; an announcement from the manage page
reaches every entrant and arrives pinned in the event's chat room, live for a player who has it
open; results entered from the manage page's match list (a report, then a decision on a dispute)
advance the bracket. Screenshots of the pages (desktop 1280, mobile 390) land in test-artifacts/.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from driftwood.core.times import malaysia_time
from driftwood.notifications.models import Notification
from tests.e2e.helpers import elsewhere, give_session, log_in, new_context, screenshots
from tests.factories import EventFactory, UserFactory
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Event, Match
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.browser


def event_with_players(count: int, **fields) -> tuple[Event, list]:
    organizer = UserFactory(username="organizer_ong", display_name="Ong the Organizer")
    starts = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    event = EventFactory(
        **{
            "name": "Petaling Jaya Tekken Cup",
            "organizer": organizer,
            "entry_fee": Decimal("0.00"),
            "max_participants": 8,
            "check_in_minutes": 0,
            "starts_at": starts,
            "registration_closes_at": starts - timedelta(hours=2),
        }
        | fields
    )
    players = [UserFactory(username=f"player_{number}", display_name=f"Player {number}") for number in range(count)]

    def join():
        for player in players:
            registration_join(event_id=event.pk, user=player)

    elsewhere(join)
    return event, players


@pytest.mark.django_db(transaction=True)
def test_the_organizer_moves_the_start_and_each_player_gets_one_notice(asgi_server, browser_context, browser_page):
    # given a published event with two players in, starting in three days at a whole minute
    event, players = event_with_players(2, entry_fee=Decimal("0.00"))
    old_start = event.starts_at
    new_start = old_start + timedelta(hours=1, minutes=30)
    page = browser_page

    # when the organizer opens "Edit event" from the event page
    log_in(page, asgi_server, event.organizer, f"/events/{event.pk}/")
    page.get_by_role("link", name="Edit event").click()
    expect(page.get_by_role("heading", name="Edit event")).to_be_visible()

    # then the entry fee is locked, saying why, and the start is open
    expect(page.get_by_label("Entry fee (RM)")).to_be_disabled()
    expect(page.get_by_text("Locked: players have joined.").first).to_be_visible()
    screenshots(browser_context, asgi_server, event.organizer, f"/events/{event.pk}/edit/", "organizer-edit")

    # when they move the start an hour and a half later and save
    page.get_by_label("Starts").fill(new_start.astimezone(timezone.get_default_timezone()).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Stream link").fill("https://www.twitch.tv/pjtekken")
    page.get_by_role("button", name="Save changes").click()

    # then the event page says the players were told and shows the new start
    expect(page.get_by_role("status")).to_contain_text("Everyone entered is notified of the new times.")
    local_start = new_start.astimezone(timezone.get_default_timezone())
    expect(page.locator("time").first).to_have_attribute("datetime", local_start.isoformat())
    expect(page.get_by_role("link", name="Watch the stream")).to_have_attribute(
        "href", "https://www.twitch.tv/pjtekken"
    )
    screenshots(browser_context, asgi_server, players[0], f"/events/{event.pk}/", "organizer-event-edited")

    # and each player finds exactly one notice, in Malaysia time
    for player in players:
        context = new_context(browser_context)
        give_session(context, asgi_server, player)
        inbox = context.new_page()
        inbox.goto(f"{asgi_server}/notifications/")
        notice = inbox.locator(".notification").filter(has_text=f"New start time: {event.name}")
        expect(notice).to_have_count(1)
        expect(notice).to_contain_text(f"Starts {malaysia_time(new_start)} (was {malaysia_time(old_start)}).")
        context.close()
    assert sorted(
        Notification.objects.filter(kind="event_updated", data__event_id=event.pk).values_list("user_id", flat=True)
    ) == sorted(player.pk for player in players)


@pytest.mark.django_db(transaction=True)
def test_an_announcement_reaches_every_entrant_and_is_pinned_in_the_room(asgi_server, browser_context, browser_page):
    # given three players in an event, one of them with the event's chat room open
    event, players = event_with_players(3)
    reader_context = new_context(browser_context)
    give_session(reader_context, asgi_server, players[0])
    room = reader_context.new_page()
    room.goto(f"{asgi_server}/chat/event_{event.pk}/")
    expect(room.locator("[data-connection]")).to_have_attribute("data-state", "live")
    expect(room.locator("[data-pinned]")).to_have_count(0)

    # when the organizer posts an announcement from the manage page
    page = browser_page
    log_in(page, asgi_server, event.organizer, f"/events/{event.pk}/manage/")
    form = page.locator("#announcement-form")
    form.get_by_label("Title").fill("Venue change")
    form.get_by_label("Message").fill("We moved to Hall B.\nSame time, same games.")
    form.get_by_role("button", name="Send announcement").click()

    # then the organizer is told it went out, and it is listed on the manage page
    expect(page.get_by_role("status")).to_contain_text("Announcement sent: every entrant is notified")
    expect(page.locator("#announcements .announcement")).to_contain_text("Venue change")
    screenshots(
        browser_context, asgi_server, event.organizer, f"/events/{event.pk}/manage/", "organizer-manage-announcement"
    )

    # and the open room receives it live; reloaded, the room shows it pinned above the messages
    expect(room.locator("[data-messages]")).to_contain_text("We moved to Hall B.")
    expect(room.locator("[data-messages] .is-pinned")).to_contain_text("Announcement")
    expect(room.locator("[data-pinned]")).to_contain_text("Venue change")
    room.reload()
    expect(room.locator("[data-pinned]")).to_contain_text("Venue change")
    expect(room.locator("[data-pinned]")).to_contain_text("Same time, same games.")
    screenshots(browser_context, asgi_server, players[0], f"/chat/event_{event.pk}/", "organizer-chat-pinned")
    reader_context.close()

    # and every entrant has exactly one notification; the event page shows the announcement
    rows = Notification.objects.filter(kind="event_announcement", data__event_id=event.pk)
    assert sorted(rows.values_list("user_id", flat=True)) == sorted(player.pk for player in players)
    visitor = new_context(browser_context).new_page()
    visitor.goto(f"{asgi_server}/events/{event.pk}/")
    expect(visitor.get_by_role("region", name="Announcements")).to_contain_text("We moved to Hall B.")
    visitor.context.close()
    screenshots(browser_context, asgi_server, players[1], f"/events/{event.pk}/", "organizer-event-announcement")


@pytest.mark.django_db(transaction=True)
def test_results_entered_from_the_match_list_advance_the_bracket(asgi_server, browser_context, browser_page):
    # given a started four-player event whose W1-2 is disputed (the two sides reported different scores)
    event, _players = event_with_players(4, max_participants=4)

    def start_and_dispute():
        event_start(event_id=event.pk, actor=event.organizer)
        second = Match.objects.select_related("entry_a__registration", "entry_b__registration").get(
            event=event, key="W1-2"
        )
        match_report(match_id=second.pk, actor=second.entry_a.registration.user, score_a=2, score_b=0)
        match_report(match_id=second.pk, actor=second.entry_b.registration.user, score_a=0, score_b=2)

    elsewhere(start_and_dispute)
    first = Match.objects.select_related("entry_a__registration__user", "entry_b__registration__user").get(
        event=event, key="W1-1"
    )
    second = Match.objects.select_related("entry_a__registration__user", "entry_b__registration__user").get(
        event=event, key="W1-2"
    )

    # when the organizer enters W1-1's result from the manage page's ready list
    page = browser_page
    log_in(page, asgi_server, event.organizer, f"/events/{event.pk}/manage/")
    matches = page.get_by_role("region", name="Matches")
    expect(matches.get_by_role("link", name=re.compile("Ready to play"))).to_contain_text("1")
    expect(matches.get_by_role("link", name=re.compile("Disputed"))).to_contain_text("1")
    screenshots(
        browser_context, asgi_server, event.organizer, f"/events/{event.pk}/manage/", "organizer-manage-matches"
    )
    row = page.locator('[data-match="W1-1"]')
    row.get_by_label(first.entry_a.name, exact=True).fill("1")
    row.get_by_label(first.entry_b.name, exact=True).fill("0")
    row.get_by_role("button", name="Save result").click()

    # then it is decided and gone from the ready list
    expect(page.get_by_role("status")).to_contain_text(f"W1-1 is decided: {first.entry_a.name} 1-0")
    expect(page.locator('[data-match="W1-1"]')).to_have_count(0)

    # when they decide the disputed W1-2 from the disputed list, with a reason
    page.get_by_role("link", name=re.compile("Disputed")).click()
    row = page.locator('[data-match="W1-2"]')
    row.get_by_label(second.entry_a.name, exact=True).fill("0")
    row.get_by_label(second.entry_b.name, exact=True).fill("2")
    row.get_by_label("Your decision (optional)").fill("Screenshots show B won.")
    row.get_by_role("button", name="Decide W1-2").click()
    expect(page.get_by_role("status")).to_contain_text("W1-2 is decided")
    expect(page.get_by_text("No disputes to decide.")).to_be_visible()

    # then the final is set between the two winners, on the bracket page too
    page.goto(f"{asgi_server}/events/{event.pk}/bracket/")
    final = page.locator('[data-match-key="W2-1"]')
    expect(final).to_contain_text(first.entry_a.name)
    expect(final).to_contain_text(second.entry_b.name)
    expect(final).to_have_attribute("data-match-status", "ready")
