"""A captain builds a team by invitation, in real browsers against a real ASGI server."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, new_context
from tests.factories import UserFactory
from tournaments.models import TeamMember
from tournaments.services.teams import team_create

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_captain_invites_and_the_invitee_accepts_from_the_notification(asgi_server, browser_context, browser_page):
    captain = UserFactory(username="nadia", display_name="Nadia")
    siti = UserFactory(username="siti", display_name="Siti the Sniper")
    team = team_create(captain=captain, name="Nadia Squad")
    page = browser_page

    # given the captain on her team's page, she invites siti by username
    log_in(page, asgi_server, captain, f"/events/teams/{team.pk}/")
    page.get_by_label("Username").fill("siti")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invited Siti the Sniper (@siti): they join when they accept.")
    expect(page.get_by_text("Invited, not answered yet")).to_be_visible()
    assert not TeamMember.objects.filter(team=team, user=siti).exists()

    # when siti, in her own browser, opens the notification and accepts
    sitis_context = new_context(browser_context)
    sitis = sitis_context.new_page()
    log_in(sitis, asgi_server, siti, "/notifications/")
    sitis.get_by_role("link", name="Nadia invites you to Nadia Squad").click()
    expect(sitis.get_by_role("heading", name="You are invited to Nadia Squad")).to_be_visible()
    sitis.get_by_role("button", name="Accept the invitation to Nadia Squad").click()

    # then she is on the roster
    expect(sitis.get_by_role("status")).to_contain_text("You joined Nadia Squad.")
    expect(sitis.get_by_role("list").get_by_text("@siti")).to_be_visible()
    assert TeamMember.objects.filter(team=team, user=siti).exists()
