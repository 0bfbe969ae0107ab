"""A two-stage event in a real browser: a spectator watches the group tables fill in, then the
playoff appear under them without a reload when the last group match completes."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import elsewhere, new_context
from tests.factories import EventFactory, UserFactory
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Event, Match
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.browser

PLAYERS = ["Siti", "Aiman", "Jun Wei", "Kavitha", "Hafiz", "Mei Ling", "Arjun", "Nurul"]


@pytest.mark.django_db(transaction=True)
def test_the_bracket_page_shows_the_groups_then_the_playoff_live(asgi_server, browser_context):
    server = asgi_server
    # given 8 players in two round robin groups, the top 2 of each into a single elimination playoff
    event = EventFactory(
        name="Penang Two-Stage Cup",
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        max_participants=8,
        format=Event.Format.ROUND_ROBIN,
        groups=2,
        playoff_format="single_elimination",
        playoff_advance=2,
    )

    def register_and_start():
        for index, name in enumerate(PLAYERS):
            registration_join(event_id=event.pk, user=UserFactory(username=f"stage{index}", display_name=name))
        event_start(event_id=event.pk, actor=event.organizer)

    elsewhere(register_and_start)

    # when a spectator opens the bracket page
    context = new_context(browser_context)
    spectator = context.new_page()
    spectator.goto(f"{server}/events/{event.pk}/bracket/")
    expect(spectator.locator("[data-connection]")).to_have_attribute("data-state", "live")
    spectator.evaluate("window.__sameDocument = true")

    # then stage 1 shows both group tables and stage 2 says the playoff comes after them
    groups = spectator.get_by_role("region", name="Stage 1: group stage")
    expect(groups.get_by_role("heading", name="Group 1", exact=True)).to_be_visible()
    expect(groups.get_by_role("heading", name="Group 2", exact=True)).to_be_visible()
    expect(groups).to_contain_text("The top 2 of each group go through to the playoff.")
    playoff = spectator.get_by_role("region", name="Stage 2: playoff (Single elimination)")
    expect(playoff).to_contain_text("The playoff is drawn as soon as every group match is played")
    expect(playoff.locator("[data-match-key]")).to_have_count(0)

    # when every group match is played (the better seed wins)
    def play_groups():
        for match in Match.objects.filter(event=event, stage__number=1).select_related("entry_a", "entry_b"):
            a_wins = match.entry_a.seed < match.entry_b.seed
            match_report(match_id=match.pk, actor=event.organizer, score_a=int(a_wins), score_b=int(not a_wins))

    elsewhere(play_groups)

    # then, without a reload, the playoff is drawn under the tables: group winners against runners-up
    expect(playoff.locator("[data-match-key]")).to_have_count(3)
    semifinal = playoff.locator('[data-match-key="W1-1"]')
    expect(semifinal).to_contain_text("Siti")
    expect(semifinal).to_contain_text("Jun Wei")
    expect(playoff.locator('[data-match-key="W2-1"]')).to_contain_text("Winner of W1-1")
    expect(groups.locator("tr.bk-advances")).to_have_count(4)
    box_groups, box_playoff = groups.bounding_box(), playoff.bounding_box()
    assert box_groups["y"] + box_groups["height"] <= box_playoff["y"]
    assert spectator.evaluate("window.__sameDocument") is True
    context.close()
