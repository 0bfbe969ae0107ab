"""A player's first visit, in a real browser against a real ASGI server."""

import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import expect

from driftwood.accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "kopi-o-kosong-2024"


@pytest.mark.django_db(transaction=True)
def test_sign_up_log_out_log_in_and_edit_the_display_name(asgi_server, browser_page):
    page = browser_page
    nav = page.get_by_role("navigation", name="Main")

    # given a visitor on the home page
    page.goto(f"{asgi_server}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ringgit")

    # when they sign up
    page.get_by_role("link", name="Create your free account").click()
    page.get_by_label("Username").fill("siti_nur")
    page.get_by_label("Email").fill("siti@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # then they are home, logged in, and can dismiss the welcome
    expect(page).to_have_url(f"{asgi_server}/")
    welcome = page.get_by_role("status").get_by_text("Welcome to Driftwood, siti_nur!")
    expect(welcome).to_be_visible()
    page.get_by_role("button", name="Dismiss message").click()
    expect(welcome).to_have_count(0)
    expect(nav.get_by_role("link", name="siti_nur")).to_be_visible()

    # when they log out
    nav.get_by_role("button", name="Log out").click()

    # then the navigation offers log-in again
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")
    expect(nav.get_by_role("link", name="siti_nur")).to_have_count(0)

    # when they log in
    nav.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("siti_nur")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    # then their username is in the navigation
    expect(page).to_have_url(f"{asgi_server}/")
    expect(nav.get_by_role("link", name="siti_nur")).to_be_visible()

    # when they change their display name on the profile page
    nav.get_by_role("link", name="siti_nur").click()
    page.get_by_label("Display name").fill("Siti the Sniper")
    page.get_by_role("button", name="Save profile").click()

    # then it is saved and shown
    expect(page.get_by_role("status")).to_contain_text("Profile saved.")
    expect(page.get_by_label("Display name")).to_have_value("Siti the Sniper")
    expect(page.get_by_role("heading", level=1)).to_have_text("Siti the Sniper")
    assert User.objects.get(username="siti_nur").display_name == "Siti the Sniper"


@pytest.mark.django_db(transaction=True)
def test_wrong_password_keeps_the_visitor_on_the_login_page(asgi_server, browser_page):
    page = browser_page

    page.goto(f"{asgi_server}/accounts/login/")
    page.get_by_label("Username").fill("nobody_here")
    page.get_by_label("Password").fill("not-a-real-password")
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_have_text("Invalid username or password.")
    expect(page).to_have_url(f"{asgi_server}/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_phone_menu_button_reveals_the_navigation(asgi_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{asgi_server}/")
    menu = page.get_by_role("button", name="Menu")
    signup = page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up")

    expect(signup).to_be_hidden()
    menu.click()

    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(signup).to_be_visible()
    page.keyboard.press("Escape")
    expect(signup).to_be_hidden()
    expect(menu).to_be_focused()


@pytest.fixture
def mailing_server(e2e_servers, stable_content_types, tmp_path_factory):
    """A server whose e-mails are written to files (read back as the outbox), sent at once."""
    outbox = tmp_path_factory.getbasetemp() / "e2e-outbox"
    # django-environ reads the path after `filemail://`, leading slash included only if doubled
    url = e2e_servers.url(EMAIL_URL=f"filemail:///{outbox}", CELERY_TASK_ALWAYS_EAGER="true")
    for written in outbox.glob("*"):
        written.unlink()
    return url, outbox


def reset_path_in_outbox(outbox) -> str:
    mails = "".join(path.read_text() for path in sorted(outbox.glob("*")))
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/[\w-]+/[\w-]+/)", mails).group(1)


@pytest.mark.django_db(transaction=True)
def test_forgot_password_mail_link_new_password_and_log_in(mailing_server, browser_page):
    server, outbox = mailing_server
    UserFactory(username="siti_nur", email="siti@example.com")
    page = browser_page

    # given a player who forgot their password, on the log-in page
    page.goto(f"{server}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()

    # when they ask for a link
    page.get_by_label("E-mail").fill("siti@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    # and open it from their e-mail, and choose a new password
    page.goto(f"{server}{reset_path_in_outbox(outbox)}")
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password saved")

    # then they log in with it
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("siti_nur")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="siti_nur")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_suspended_player_sees_the_reason_and_the_end_date(asgi_server, browser_page):
    from driftwood.core.times import malaysia_time
    from social.moderation import user_suspend

    # hashed as the server hashes (the tests' own hasher is a fast one the server does not know)
    hasher = PBKDF2PasswordHasher()
    player = UserFactory(username="troll_kai")
    player.password = hasher.encode(TEST_PASSWORD, hasher.salt())
    player.save(update_fields=["password"])
    suspension = user_suspend(user=player, days=3, staff=UserFactory(is_staff=True), reason="Toxic in voice chat")
    page = browser_page

    # when they log in with the right password
    page.goto(f"{asgi_server}/accounts/login/")
    page.get_by_label("Username").fill("troll_kai")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    # then they stay out, and read until when and why
    expect(page.get_by_role("alert")).to_have_text(
        f"Your account is suspended until {malaysia_time(suspension.until)}. Reason: Toxic in voice chat"
    )
    expect(page).to_have_url(f"{asgi_server}/accounts/login/")
