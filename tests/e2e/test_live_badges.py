"""The bell, the notifications list and the Chat menu badge change live, in real browsers against a
real ASGI server: what another player does shows up without a reload."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, new_context, screenshots
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def second_browser(browser_context):
    return new_context(browser_context).new_page()


@pytest.mark.django_db(transaction=True)
def test_the_bell_and_the_list_update_live_and_reading_elsewhere_clears_the_badge(
    asgi_server, browser_context, browser_page
):
    ana = UserFactory(username="ana", display_name="Ana")
    ben = UserFactory(username="ben", display_name="Ben")
    page = browser_page
    bell = page.locator("#nav-notifications")

    # given ana on her notifications page with nothing unread, its socket connected
    log_in(page, asgi_server, ana, "/notifications/")
    expect(page.get_by_text("You're all caught up.")).to_be_visible()
    expect(bell.locator(".nav-badge")).to_have_count(0)
    expect(bell).to_have_attribute("data-live", "true")

    # when ben, in his own browser, asks to be her friend
    bens = second_browser(browser_context)
    log_in(bens, asgi_server, ben, f"/players/{ana.pk}/")
    bens.get_by_role("button", name="Add friend").click()
    expect(bens.get_by_role("status")).to_be_visible()

    # then, without a reload, ana's bell counts it and the list shows it at the top
    expect(bell.locator(".nav-badge")).to_have_text("1 unread")
    # (on a phone the menu hides the bell: its button shows a dot meanwhile)
    expect(page.locator(".nav-toggle")).to_have_class(re.compile(r"\bhas-unread\b"))
    expect(page.locator(".notification-list li").first).to_contain_text("Ben wants to be friends")
    expect(page.locator("#notifications-summary")).to_have_text("1 unread")

    # and when she reads everything in another tab, this tab's badge clears
    other_tab = page.context.new_page()
    other_tab.goto(f"{asgi_server}/notifications/")
    other_tab.get_by_role("button", name="Mark all as read").click()
    expect(bell.locator(".nav-badge")).to_have_count(0)
    expect(page.locator("#notifications-summary")).to_have_text("You're all caught up.")
    expect(page.locator(".nav-toggle")).not_to_have_class(re.compile(r"\bhas-unread\b"))


@pytest.mark.django_db(transaction=True)
def test_the_chat_menu_badge_counts_a_new_message_live(asgi_server, e2e_servers, browser_context, browser_page):
    # a server that runs tasks in-process (there is no worker here): the push task tells the badge
    server = e2e_servers.url(CELERY_TASK_ALWAYS_EAGER="true")
    ana = UserFactory(username="ana", display_name="Ana", allow_messages_from_anyone=True)
    ben = UserFactory(username="ben", display_name="Ben")
    page = browser_page
    chat_link = page.locator("#nav-chat")

    # given ana on the events page (not in chat)
    log_in(page, server, ana, "/events/")
    expect(chat_link.locator(".nav-badge")).to_have_count(0)
    expect(page.locator("#nav-notifications")).to_have_attribute("data-live", "true")

    # when ben writes to her
    bens = second_browser(browser_context)
    log_in(bens, server, ben, f"/players/{ana.pk}/")
    bens.get_by_role("button", name="Message").click()
    expect(bens.locator("[data-connection]")).to_have_attribute("data-state", "live")
    bens.get_by_role("textbox", name="Message").fill("gg, rematch tonight?")
    bens.get_by_role("button", name="Send").click()
    expect(bens.locator("[data-messages]")).to_contain_text("gg, rematch tonight?")

    # then her Chat menu shows one room with unread messages, live; and the inbox lists it
    expect(chat_link.locator(".nav-badge")).to_have_text("1 rooms with unread messages")
    chat_link.click()
    expect(page.get_by_text("gg, rematch tonight?")).to_be_visible()
    screenshots(browser_context, server, ana, "/chat/", "chat-inbox")
    page.get_by_role("link", name=re.compile("Ben")).first.click()
    expect(page.locator("[data-messages]")).to_contain_text("gg, rematch tonight?")
    screenshots(browser_context, server, ana, page.url.removeprefix(server), "chat-room")
