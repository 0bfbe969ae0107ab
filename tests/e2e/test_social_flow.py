"""Two players and a moderator in real browsers against a real ASGI server.

Ana asks Ben to be friends from his profile; Ben sees the notification badge, accepts on his
friends page, and both see each other as friends. Ana follows Ben and his follower count
goes up. Ana reports Ben from his profile; the report is in the admin queue, a moderator
bans Ben there, and Ben's next page load finds him logged out.
"""

import pytest
from playwright.sync_api import expect

from driftwood.accounts.models import User
from social.models import Friendship, Report, Sanction
from tests.e2e.helpers import log_in, new_context
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def new_page(browser_context):
    """A page in a browser session of its own (its own cookies), like a second player's device."""
    context = new_context(browser_context)
    return context, context.new_page()


@pytest.mark.django_db(transaction=True)
def test_friends_follow_report_and_ban(asgi_server, browser_context, browser_page):
    # given two players and a moderator
    ana = UserFactory(username="ana_valo", display_name="Ana the Anchor")
    ben = UserFactory(username="ben_tekken", display_name="Ben Bananas")
    mod_aisyah = UserFactory(username="mod_aisyah", is_staff=True, is_superuser=True)
    ben_context, bens = new_page(browser_context)
    mod_context, moderator = new_page(browser_context)
    anas = browser_page
    ben_profile = f"/players/{ben.pk}/"

    # when Ana opens Ben's profile and asks him to be friends
    log_in(anas, asgi_server, ana, ben_profile)
    expect(anas.get_by_role("heading", level=1)).to_have_text("Ben Bananas")
    anas.get_by_role("button", name="Add friend").click()

    # then she is told, and the profile offers to cancel the request
    expect(anas.get_by_role("status")).to_contain_text("Friend request sent to Ben Bananas.")
    expect(anas.get_by_role("button", name="Cancel request")).to_be_visible()

    # when Ben logs in, the notification badge shows the request
    log_in(bens, asgi_server, ben, "/")
    bens_nav = bens.get_by_role("navigation", name="Main")
    expect(bens_nav.locator(".nav-badge")).to_contain_text("1")

    # and he accepts it on his friends page
    bens_nav.get_by_role("link", name="Friends").click()
    requests = bens.get_by_role("region", name="Friend requests")
    expect(requests).to_contain_text("Ana the Anchor")
    requests.get_by_role("button", name="Accept Ana the Anchor").click()

    # then both see each other as friends
    expect(bens.get_by_role("status")).to_contain_text("Friend request accepted.")
    expect(bens.get_by_role("list", name="Friends")).to_contain_text("Ana the Anchor")
    expect(bens.get_by_role("region", name="Friend requests")).to_contain_text("No requests waiting for you.")
    anas.get_by_role("navigation", name="Main").get_by_role("link", name="Friends").click()
    expect(anas.get_by_role("list", name="Friends")).to_contain_text("Ben Bananas")

    # when Ana follows Ben from his profile
    anas.goto(f"{asgi_server}{ben_profile}")
    expect(anas.get_by_text("Friend", exact=True)).to_be_visible()
    followers = anas.locator('[data-count="followers"]')
    expect(followers).to_have_text("0")
    anas.get_by_role("button", name="Follow", exact=True).click()

    # then his follower count goes up
    expect(anas.get_by_role("status")).to_contain_text("You now follow Ben Bananas.")
    expect(followers).to_have_text("1")
    expect(anas.get_by_role("button", name="Unfollow")).to_be_visible()

    # when Ana reports Ben through the profile's dialog
    anas.get_by_role("button", name="Report").click()
    dialog = anas.get_by_role("dialog", name="Report Ben Bananas")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Cheating").check()
    dialog.get_by_label("What happened?").fill("Aimbot in the Kopitiam Cup final.")
    dialog.get_by_role("button", name="Submit report").click()
    expect(anas.get_by_role("status")).to_contain_text("Report about Ben Bananas submitted for review.")

    # then the report waits in the admin queue
    log_in(moderator, asgi_server, mod_aisyah, "/admin/social/report/?status=pending")
    row = moderator.get_by_role("row").filter(has_text="ben_tekken")
    expect(row).to_contain_text("Cheating")
    expect(row).to_contain_text("ana_valo")

    # when the moderator bans Ben from it, giving the reason on the confirmation page
    row.get_by_role("checkbox").check()
    moderator.get_by_role("combobox", name="Action").select_option(label="Ban the reported players")
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.get_by_role("heading", name="Ban ben_tekken?")).to_be_visible()
    moderator.get_by_label("Reason").fill("Aimbot confirmed from the final's replay.")
    moderator.get_by_role("button", name="Yes, ban").click()
    expect(moderator.locator(".messagelist")).to_contain_text("Banned ben_tekken: logged out everywhere.")

    # then Ben's next page load finds him logged out
    bens.reload()
    expect(bens).to_have_url(f"{asgi_server}/accounts/login/?next=/friends/")
    bens_nav = bens.get_by_role("navigation", name="Main")
    expect(bens_nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(bens_nav.get_by_role("button", name="Log out")).to_have_count(0)

    ben_context.close()
    mod_context.close()
    assert Friendship.objects.get().status == "accepted"
    assert not User.objects.get(pk=ben.pk).is_active
    assert Report.objects.get(reported=ben).status == "actioned"
    assert Sanction.objects.get(user=ben).staff.username == "mod_aisyah"
    assert User.objects.get(pk=ana.pk).is_active
