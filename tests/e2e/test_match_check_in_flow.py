"""Match check-in in real browsers: the organizer plans the first round on the manage page (a start
in ten minutes, best of 3, check-in 30 minutes before), both players check in from the match page,
and only then may they report; the reported best-of-3 score completes the match."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import elsewhere, give_session, log_in, new_context, screenshot
from tests.factories import EventFactory, UserFactory
from tournaments.brackets.services.start import event_start
from tournaments.models import Event, Match
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_both_players_check_in_to_their_match_then_report(asgi_server, browser_context, browser_page):
    server = asgi_server
    organizer = UserFactory(username="organizer_lim", display_name="Lim the Organizer")
    players = [UserFactory(username="farah", display_name="Farah F"), UserFactory(username="dan", display_name="Dan")]
    event = EventFactory(
        name="Kuching Tekken Night",
        organizer=organizer,
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        max_participants=8,
    )

    def register_and_start():
        for player in players:
            registration_join(event_id=event.pk, user=player)
        event_start(event_id=event.pk, actor=organizer)

    elsewhere(register_and_start)
    final = Match.objects.select_related("entry_a__registration__user", "entry_b__registration__user").get(
        event=event, key="W1-1"
    )

    # when the organizer plans round one on the manage page: in ten minutes, best of 3, check-in 30 minutes before
    page = browser_page
    log_in(page, server, organizer, f"/events/{event.pk}/manage/")
    plan = page.locator('[data-round="winners-1"]')
    starts = (timezone.now() + timedelta(minutes=10)).astimezone(ZoneInfo("Asia/Kuala_Lumpur"))
    plan.get_by_label("Starts at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    plan.get_by_label("Best of").select_option("3")
    plan.get_by_label("Check-in (minutes before)").fill("30")
    plan.get_by_label("Deadline (minutes after)").fill("10")
    plan.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("status")).to_contain_text("Plan saved for Winners, round 1.")
    screenshot(page, "match-schedule-manage")

    def page_of(player):
        context = new_context(browser_context)
        give_session(context, server, player)
        return context.new_page()

    side_a, side_b = page_of(final.entry_a.registration.user), page_of(final.entry_b.registration.user)
    url = f"{server}/events/matches/{final.pk}/"

    # then side a sees the start, that nobody checked in, and no report form until both have
    side_a.goto(url)
    schedule = side_a.locator("#match-schedule")
    expect(schedule).to_contain_text("Starts")
    expect(schedule.locator('[data-side="a"]')).to_contain_text("Not checked in")
    expect(side_a.locator("#report-form")).to_have_count(0)
    expect(schedule).to_contain_text("Scores can be reported once both sides have checked in.")

    # when side a checks in
    side_a.get_by_role("button", name="Check in to this match").click()
    expect(side_a.get_by_role("status")).to_contain_text("You're checked in to W1-1.")
    expect(side_a.locator('#match-schedule [data-side="a"]')).to_contain_text("Checked in")
    expect(side_a.locator("#report-form")).to_have_count(0)
    screenshot(side_a, "match-check-in")

    # and side b checks in: both may now report
    side_b.goto(url)
    expect(side_b.locator('#match-schedule [data-side="a"]')).to_contain_text("Checked in")
    side_b.get_by_role("button", name="Check in to this match").click()
    expect(side_b.get_by_role("status")).to_contain_text("You're checked in to W1-1.")
    expect(side_b.get_by_role("button", name="Check in to this match")).to_have_count(0)

    for side_page in (side_a, side_b):
        side_page.goto(url)
        form = side_page.locator("#report-form")
        form.get_by_label(final.entry_a.name, exact=True).fill("2")
        form.get_by_label(final.entry_b.name, exact=True).fill("1")
        form.get_by_role("button", name="Report score").click()

    # then the best-of-3 result completes the match and the event
    expect(side_b.get_by_role("status")).to_contain_text("The result is in")
    final.refresh_from_db()
    assert (final.status, final.best_of, final.score_a, final.score_b) == ("completed", 3, 2, 1)
    assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED
