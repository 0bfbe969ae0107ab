"""The player's dashboard in a real browser against a real ASGI server: it shows the next match and
its report button leads to a reported score; its check-in button checks the player in; the
deadline counts down. Screenshots at 1280 and 390 px land in test-artifacts/ to be looked at.

The server keeps a 24-hour dispute window here (the other browser tests' server has none), so a
prize won an hour ago shows as held, as it does in production.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chat import presence
from social.services import friend_request_accept, friend_request_send
from tests.core.dashboard_support import DAY, check_in_open, finish, joined, prize_event, started
from tests.e2e.conftest import MOBILE
from tests.e2e.helpers import elsewhere, give_session, log_in, new_context, screenshot
from tests.factories import UserFactory, funded_wallet
from tournaments.brackets.services.matches import match_report
from tournaments.models import Entry, Event, Match, MatchReport
from tournaments.services.results import event_results_pay
from tournaments.services.teams import team_create, team_invite

pytestmark = pytest.mark.browser


def a_busy_player(player) -> dict:
    """Everything the dashboard shows: a live event (its final against Aiman), an event whose
    check-in is open, a prize held and one paid, a wallet, a friend online and two invitations."""
    found = {}

    def build():
        funded_wallet(player, "250.00")
        aiman = UserFactory(username="aiman", display_name="Aiman the Ace")
        found["live"] = started(player, name="Sunway Street Fighter Night", opponents=[aiman])
        found["check_in"] = check_in_open(player, name="Cyberjaya Clash", starts_in=timedelta(minutes=45))
        held = prize_event(name="Penang Prize Night")
        joined(held, player, UserFactory())
        finish(held, [1, 2], ago=timedelta(hours=1))
        paid = prize_event(name="Kuching Kite Cup", prize_pool="5000.00", distribution=[70, 30])
        joined(paid, player, UserFactory())
        finish(paid, [1, 2], ago=2 * DAY)
        event_results_pay(event_id=paid.pk)
        friend = UserFactory(username="ravi", display_name="Ravi Rush")
        request = friend_request_send(requester=friend, target_id=player.pk).friendship
        friend_request_accept(user=player, friendship_id=request.pk)
        presence.connection_opened(user_id=friend.pk, connection_id="ravi-phone")
        captain = UserFactory(username="nadia", display_name="Nadia")
        team = team_create(captain=captain, name="Harimau Esports")
        team_invite(team_id=team.pk, actor=captain, user=player)
        asker = UserFactory(username="mei_ling", display_name="Mei Ling")
        friend_request_send(requester=asker, target_id=player.pk)

    elsewhere(build)
    return found


@pytest.fixture
def windowed_server(e2e_servers, stable_content_types):
    """A server with production's 24-hour dispute window."""
    return e2e_servers.url(RESULTS_DISPUTE_WINDOW_HOURS="24")


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_checks_in_and_leads_to_reporting_the_next_match(windowed_server, browser_context, browser_page):
    server = windowed_server
    siti = UserFactory(username="siti", display_name="Siti the Sniper")
    rows = a_busy_player(siti)
    live = rows["live"]
    first = Match.objects.select_related("entry_b__registration__user").get(event=live, key="W1-1")
    opponent = first.entry_b.registration.user

    # given Siti logged in, on the home page
    page = browser_page
    log_in(page, server, siti, "/")

    # then her next match is W1-1 against her opponent, with a button to report its score
    next_match = page.get_by_role("region", name="Next match")
    expect(next_match).to_contain_text("Sunway Street Fighter Night")
    expect(next_match).to_contain_text("W1-1")
    expect(next_match.locator("[data-opponent]")).to_have_text(opponent.public_name)
    expect(next_match).to_contain_text("Ready since")

    # and the open check-in counts down to the start
    check_ins = page.get_by_role("region", name="Check in now")
    expect(check_ins).to_contain_text("Cyberjaya Clash")
    expect(check_ins.locator("[data-countdown]")).to_contain_text("(in 4")
    expect(page.get_by_role("region", name="Prizes")).to_contain_text("RM 3,500.00")
    expect(page.get_by_role("region", name="Prizes")).to_contain_text("RM 60.00")
    expect(page.get_by_role("region", name="Friends online")).to_contain_text("Ravi Rush")
    expect(page.get_by_role("region", name="Invitations")).to_contain_text("Harimau Esports")
    expect(page.get_by_role("region", name="Invitations")).to_contain_text("Mei Ling")
    expect(page.get_by_role("region", name="Wallet")).to_contain_text(
        "RM 3,750.00"
    )  # 250.00 of funds and the 3,500.00 prize
    screenshot(page, "dashboard-desktop")

    mobile_context = new_context(browser_context, MOBILE, is_mobile=True, has_touch=True)
    give_session(mobile_context, server, siti)
    mobile = mobile_context.new_page()
    mobile.goto(f"{server}/")
    expect(mobile.get_by_role("region", name="Next match")).to_contain_text("W1-1")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    screenshot(mobile, "dashboard-mobile")
    mobile_context.close()

    # when she checks in from the dashboard
    check_ins.get_by_role("button", name="Check in to Cyberjaya Clash").click()

    # then she is back on the dashboard, checked in
    expect(page.get_by_role("status")).to_contain_text("You're checked in.")
    expect(page).to_have_url(f"{server}/")
    expect(page.get_by_role("region", name="Check in now")).to_have_count(0)
    expect(page.locator(f'[data-event-id="{rows["check_in"].pk}"]')).to_contain_text("Checked in")
    assert Entry.objects.get(event=rows["check_in"], registration__user=siti).checked_in_at is not None

    # when she follows "Report score" and reports a 2-0 win
    page.get_by_role("region", name="Next match").get_by_role("link", name="Report score").click()
    expect(page).to_have_url(f"{server}/events/matches/{first.pk}/#report-form")
    form = page.locator("#report-form")
    form.get_by_label("Siti the Sniper", exact=True).fill("2")
    form.get_by_label(opponent.public_name, exact=True).fill("0")
    form.get_by_role("button", name="Report score").click()

    # then the score is reported, waiting for the other side
    expect(page.get_by_role("status")).to_contain_text("Score reported.")
    assert MatchReport.objects.filter(match=first, reported_by=siti, score_a=2, score_b=0).exists()

    # and once her opponent confirms it, the dashboard has no match waiting (the event is over)
    elsewhere(lambda: match_report(match_id=first.pk, actor=opponent, score_a=2, score_b=0))
    page.goto(f"{server}/")
    expect(page.get_by_role("region", name="Next match")).to_contain_text("No match waiting for you.")
    live.refresh_from_db()
    assert live.status == Event.Status.COMPLETED
