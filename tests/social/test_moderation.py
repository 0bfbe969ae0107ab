"""Moderation: dismiss, warn, suspend and ban, what each does to the player's ways in, and the
report queue in Django admin."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from driftwood.accounts.models import User
from driftwood.asgi import application
from driftwood.celery import app as celery_app
from driftwood.core.times import malaysia_time
from driftwood.core.websocket import CLOSE_ACCOUNT_DISABLED
from driftwood.notifications.models import Notification
from social import selectors
from social.exceptions import AlreadyBanned, ReportClosed, SelfAction
from social.models import Follow, Friendship, Report, Sanction, Star, UserSession
from social.moderation import report_dismiss, report_warn, suspensions_lift, user_ban, user_suspend
from social.services import follow_toggle, friend_request_accept, friend_request_send, report_create
from tests.conftest import bearer_client
from tests.factories import TEST_PASSWORD, EventFactory, UserFactory

# Bans act when they commit (sessions, sockets, cache versions), so these tests commit for real.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage", "commit_hooks_run")]
# Sockets served in other threads, or racing threads, must see committed rows.
REAL_COMMITS = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = (b"origin", b"http://127.0.0.1")
TIMEOUT = 5
QUEUE_URL = "/admin/social/report/"


@pytest.fixture
def moderator():
    return UserFactory(username="mod_aisyah", is_staff=True, is_superuser=True)


@pytest.fixture
def troll():
    return UserFactory(username="troll_kai")


def reported(target, *, by=None, reason: str = "harassment") -> Report:
    return report_create(reporter=by or UserFactory(), target_id=target.pk, reason=reason, description="Flamed chat")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def friends(a, b) -> None:
    friendship = friend_request_send(requester=a, target_id=b.pk).friendship
    friend_request_accept(user=b, friendship_id=friendship.pk)


# --- Ban


def test_a_ban_deactivates_the_account_and_records_who_and_why(moderator, troll):
    # given two open reports about the player
    first, second = reported(troll), reported(troll, reason="spam")

    # when a moderator bans them from the first one
    sanction = user_ban(user=troll, staff=moderator, reason="Repeated slurs in match chat", report=first)

    # then the account is off and the ban is on record, with who and why
    troll.refresh_from_db()
    assert not troll.is_active
    assert (sanction.kind, sanction.user_id, sanction.staff_id, sanction.report_id, sanction.until) == (
        "ban",
        troll.pk,
        moderator.pk,
        first.pk,
        None,
    )
    assert sanction.reason == "Repeated slurs in match chat"
    # and both reports are settled by it
    for report in (first, second):
        report.refresh_from_db()
        assert (report.status, report.handled_by_id) == ("actioned", moderator.pk)
        assert report.resolution_note == "Banned: Repeated slurs in match chat"
        assert report.handled_at is not None


def test_a_ban_ends_every_session_of_the_player_and_no_one_elses(moderator, troll):
    # given the player logged in on two browsers, and someone else logged in too
    laptop, phone = logged_in(troll), logged_in(troll)
    bystander = logged_in(UserFactory())
    assert UserSession.objects.filter(user=troll).count() == 2
    assert laptop.get("/friends/").status_code == 200

    # when they are banned
    user_ban(user=troll, staff=moderator, reason="Cheating")

    # then their sessions are gone, from the database and the index
    assert not UserSession.objects.filter(user=troll).exists()
    assert Session.objects.count() == 1
    # and their next page load is logged out, on both browsers
    for browser in (laptop, phone):
        response = browser.get("/friends/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    # and the bystander is still logged in
    assert bystander.get("/friends/").status_code == 200


def test_a_banned_players_tokens_fail_on_their_next_request(moderator, troll):
    # given the app holds an access and a refresh token
    app = bearer_client(troll)
    refresh = str(RefreshToken.for_user(troll))
    assert app.get("/api/v1/me").status_code == 200

    # when they are banned
    user_ban(user=troll, staff=moderator, reason="Account sharing")

    # then the access token is refused, and no new one can be had
    response = app.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert APIClient().post("/api/v1/auth/refresh", {"refresh": refresh}, format="json").status_code == 401


@async_to_sync
async def close_code_after(path: str, action, *, headers=None) -> int | None:
    """Open a socket, run `action` on the database, and return the close code it caused (None: still open)."""
    communicator = WebsocketCommunicator(application, path, headers=[SAME_ORIGIN, *(headers or [])])
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    if "health" in path:
        assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "hello"
    await database_sync_to_async(action)()
    if await communicator.receive_nothing(timeout=1):
        await communicator.disconnect()
        return None
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close"
    return output["code"]


@REAL_COMMITS
def test_a_ban_closes_the_players_open_websockets(moderator, troll):
    # given the player's app connected with a token
    token = RefreshToken.for_user(troll).access_token

    # when they are banned while it is open, then the server closes it
    code = close_code_after(f"/ws/health?token={token}", lambda: user_ban(user=troll, staff=moderator, reason="Bot"))

    assert code == CLOSE_ACCOUNT_DISABLED


@REAL_COMMITS
def test_a_ban_closes_an_event_page_socket_opened_with_the_session_cookie(moderator, troll):
    # given the player's browser listening to an event page
    event = EventFactory()
    cookie = (b"cookie", f"sessionid={logged_in(troll).cookies['sessionid'].value}".encode())

    # when they are banned, then that socket is closed too
    code = close_code_after(
        f"/ws/events/{event.pk}/", lambda: user_ban(user=troll, staff=moderator, reason="Bot"), headers=[cookie]
    )

    assert code == CLOSE_ACCOUNT_DISABLED


@REAL_COMMITS
def test_other_players_sockets_stay_open(moderator, troll):
    bystander_token = RefreshToken.for_user(UserFactory()).access_token

    code = close_code_after(
        f"/ws/health?token={bystander_token}", lambda: user_ban(user=troll, staff=moderator, reason="Bot")
    )

    assert code is None


def test_a_banned_player_leaves_search_friend_lists_and_everyones_counts(moderator, troll):
    # given a friend, a follower and someone they follow, whose counts are cached
    friend, follower, idol = UserFactory(), UserFactory(), UserFactory()
    friends(friend, troll)
    follow_toggle(follower=follower, target_id=troll.pk)
    follow_toggle(follower=troll, target_id=idol.pk)
    assert selectors.social_counts(user_id=friend.pk)["friend_count"] == 1
    assert selectors.social_counts(user_id=follower.pk)["following_count"] == 1
    assert selectors.social_counts(user_id=idol.pk)["follower_count"] == 1
    assert list(selectors.player_search(query="troll", viewer_id=friend.pk)) == [troll]

    # when the player is banned
    user_ban(user=troll, staff=moderator, reason="Harassment")

    # then nobody's counts include them any more (the cache is never stale)
    assert selectors.social_counts(user_id=friend.pk)["friend_count"] == 0
    assert selectors.social_counts(user_id=follower.pk)["following_count"] == 0
    assert selectors.social_counts(user_id=idol.pk)["follower_count"] == 0
    # and no list or search shows them
    assert not selectors.friends_of(user_id=friend.pk, viewer_id=friend.pk).exists()
    assert not selectors.followers_of(user_id=idol.pk, viewer_id=idol.pk).exists()
    assert not selectors.player_search(query="troll", viewer_id=friend.pk).exists()
    assert selectors.user_profile(viewer_id=friend.pk, user_id=troll.pk) is None
    # and their profile page is gone
    assert logged_in(friend).get(f"/players/{troll.pk}/").status_code == 404


def test_a_ban_is_refused_twice_and_on_oneself(moderator, troll):
    user_ban(user=troll, staff=moderator, reason="Cheating")

    with pytest.raises(AlreadyBanned):
        user_ban(user=troll, staff=moderator, reason="Again")
    with pytest.raises(AlreadyBanned):
        user_suspend(user=troll, days=3, staff=moderator, reason="Shorter")
    with pytest.raises(SelfAction):
        user_ban(user=moderator, staff=moderator, reason="Oops")
    assert Sanction.objects.filter(user=troll).count() == 1
    assert User.objects.get(pk=moderator.pk).is_active


def test_a_player_let_back_in_by_hand_can_be_banned_again(moderator, troll):
    # given a banned player whom staff reactivated in the user admin
    first = user_ban(user=troll, staff=moderator, reason="Cheating")
    User.objects.filter(pk=troll.pk).update(is_active=True)

    # when they are banned again, it takes, and the earlier ban is marked as no longer holding
    second = user_ban(user=troll, staff=moderator, reason="Cheating again")

    troll.refresh_from_db()
    assert not troll.is_active
    first.refresh_from_db()
    assert first.lifted_at is not None
    assert Sanction.objects.get(pk=second.pk).lifted_at is None


@REAL_COMMITS
def test_two_moderators_banning_at_once_make_one_ban(moderator, troll):
    # given two moderators pressing "ban" at the same moment
    other = UserFactory(is_staff=True)
    barrier = threading.Barrier(2)

    def ban(staff):
        try:
            barrier.wait()
            user_ban(user=User.objects.get(pk=troll.pk), staff=staff, reason="Cheating")
            return "banned"
        except AlreadyBanned:
            return "already_banned"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(ban, [moderator, other]))

    # then exactly one ban is recorded
    assert outcomes == ["already_banned", "banned"]
    assert Sanction.objects.filter(user=troll, kind="ban").count() == 1


# --- Suspension


def test_a_suspended_player_cannot_log_in_on_pages_or_the_api_until_it_is_lifted(moderator, troll):
    # given a suspension of 3 days
    before = timezone.now()
    sanction = user_suspend(user=troll, days=3, staff=moderator, reason="Toxic in voice chat")

    # then it ends in 3 days, and the player cannot log in anywhere
    assert before + timedelta(days=3) <= sanction.until <= timezone.now() + timedelta(days=3)
    login = {"username": troll.username, "password": TEST_PASSWORD}
    page = Client().post("/accounts/login/", login)  # the form again, with the reason and the end
    until = malaysia_time(sanction.until)
    assert f"Your account is suspended until {until}. Reason: Toxic in voice chat" in page.text
    api = APIClient().post("/api/v1/auth/login", login, format="json")
    assert api.status_code == 403
    assert api.json() == {
        "message": f"Your account is suspended until {until}. Reason: Toxic in voice chat",
        "code": "account_suspended",
        "path": "/api/v1/auth/login",
        "suspended_until": sanction.until.isoformat().replace("+00:00", "Z"),
        "reason": "Toxic in voice chat",
    }
    wrong = APIClient().post("/api/v1/auth/login", {**login, "password": "not-it"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")

    # when the lifting runs before the end, nothing changes
    assert suspensions_lift() == 0
    troll.refresh_from_db()
    assert not troll.is_active

    # when it runs after the end
    assert suspensions_lift(now=sanction.until + timedelta(seconds=1)) == 1

    # then the player is back, and the suspension is marked lifted
    troll.refresh_from_db()
    assert troll.is_active
    sanction.refresh_from_db()
    assert sanction.lifted_at == sanction.until + timedelta(seconds=1)
    response = Client().post("/accounts/login/", login)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert APIClient().post("/api/v1/auth/login", login, format="json").status_code == 200


def test_the_longest_suspension_holds_and_a_ban_is_never_lifted(moderator, troll):
    # given two suspensions, 1 and 5 days
    short = user_suspend(user=troll, days=1, staff=moderator, reason="First")
    long = user_suspend(user=troll, days=5, staff=moderator, reason="Second")

    # when the first has ended, the second still holds
    assert suspensions_lift(now=short.until + timedelta(minutes=1)) == 0
    troll.refresh_from_db()
    assert not troll.is_active

    # and a ban on top means the end of the second changes nothing
    user_ban(user=troll, staff=moderator, reason="Third strike")
    assert suspensions_lift(now=long.until + timedelta(minutes=1)) == 0
    troll.refresh_from_db()
    assert not troll.is_active


def test_lifting_counts_the_player_back_in(moderator, troll):
    # given a follower whose cached count dropped when the player was suspended
    follower = UserFactory()
    follow_toggle(follower=follower, target_id=troll.pk)
    sanction = user_suspend(user=troll, days=1, staff=moderator, reason="Cool off")
    assert selectors.social_counts(user_id=follower.pk)["following_count"] == 0

    # when the suspension is lifted, then the count includes them again
    suspensions_lift(now=sanction.until)
    assert selectors.social_counts(user_id=follower.pk)["following_count"] == 1


def test_the_lift_suspensions_command_and_its_beat_entry(moderator, troll):
    sanction = user_suspend(user=troll, days=2, staff=moderator, reason="Cool off")
    Sanction.objects.filter(pk=sanction.pk).update(until=timezone.now() - timedelta(seconds=1))
    out = StringIO()

    call_command("lift_suspensions", stdout=out)

    assert "Lifted the suspension of 1 player." in out.getvalue()
    troll.refresh_from_db()
    assert troll.is_active
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "social.tasks.suspensions_lift" in tasks


def test_a_suspension_lasts_one_to_365_days(moderator, troll):
    for days in (0, 366):
        with pytest.raises(ValueError):
            user_suspend(user=troll, days=days, staff=moderator, reason="Out of range")
    assert not Sanction.objects.exists()


# --- Warn and dismiss


def test_a_warning_notifies_the_player_with_the_reason(moderator, troll):
    report = reported(troll)

    sanction = report_warn(report=report, staff=moderator, reason="Keep the chat friendly.")

    assert (sanction.kind, sanction.staff_id, sanction.report_id) == ("warn", moderator.pk, report.pk)
    notification = Notification.objects.get(user=troll, kind="moderation_warning")
    assert "Keep the chat friendly." in notification.body
    report.refresh_from_db()
    assert (report.status, report.handled_by_id, report.resolution_note) == (
        "actioned",
        moderator.pk,
        "Warned: Keep the chat friendly.",
    )
    troll.refresh_from_db()
    assert troll.is_active


def test_a_dismissal_is_recorded_and_a_handled_report_cannot_be_handled_again(moderator, troll):
    report = reported(troll)

    report_dismiss(report=report, staff=moderator, note="Banter between friends")

    report.refresh_from_db()
    assert (report.status, report.handled_by_id, report.resolution_note) == (
        "dismissed",
        moderator.pk,
        "Banter between friends",
    )
    with pytest.raises(ReportClosed):
        report_dismiss(report=report, staff=moderator, note="Again")
    with pytest.raises(ReportClosed):
        report_warn(report=report, staff=moderator, reason="Too late")
    assert not Sanction.objects.exists()


# --- The session index


def test_logging_in_indexes_the_session_and_logging_out_drops_it(troll):
    browser = Client()

    browser.post("/accounts/login/", {"username": troll.username, "password": TEST_PASSWORD})

    session_key = browser.cookies["sessionid"].value
    assert list(UserSession.objects.values_list("session_id", "user_id")) == [(session_key, troll.pk)]

    browser.post("/accounts/logout/")

    assert not UserSession.objects.exists()


def test_logging_in_over_another_players_session_indexes_the_new_one(troll):
    # given a browser where someone else is logged in
    browser = Client()
    other = UserFactory()
    browser.post("/accounts/login/", {"username": other.username, "password": TEST_PASSWORD})

    # when the player logs in on it without logging out
    browser.force_login(troll)

    # then only the player's session is indexed, under its own key
    assert list(UserSession.objects.values_list("session_id", "user_id")) == [
        (browser.cookies["sessionid"].value, troll.pk)
    ]


# --- Admin


def admin_client(user) -> Client:
    return logged_in(user)


def test_the_queue_filters_searches_and_shows_each_players_record(moderator, troll):
    # given a reporter with history, and a player reported before and warned once
    reporter = UserFactory(username="reporter_siti")
    warned = report_create(reporter=UserFactory(), target_id=troll.pk, reason="spam")
    report_warn(report=warned, staff=moderator, reason="No spam")
    report = report_create(reporter=reporter, target_id=troll.pk, reason="cheating", description="Wallhack")
    report_create(reporter=reporter, target_id=UserFactory(username="someone_else").pk, reason="spam")
    staff = admin_client(moderator)

    # when the moderator filters the queue on pending cheating reports about the player
    page = staff.get(QUEUE_URL, {"status": "pending", "reason": "cheating", "q": "troll_kai"}).content.decode()

    # then only that report is listed, with both players' records
    assert f'href="/admin/social/report/{report.pk}/change/' in page
    assert f'href="/admin/social/report/{warned.pk}/change/' not in page
    assert "2 reports received · 0 made" in page  # troll_kai
    assert "Warning" in page
    assert "0 reports received · 2 made" in page  # reporter_siti

    # and the report's own page shows the same history
    detail = staff.get(f"{QUEUE_URL}{report.pk}/change/").content.decode()
    assert "2 reports received · 0 made" in detail
    assert "Wallhack" in detail


def test_a_players_record_counts_one_report_in_the_singular(moderator, troll):
    # given one report about the player, by a reporter who made just that one
    reporter = UserFactory(username="reporter_once")
    report = reported(troll, by=reporter)

    page = admin_client(moderator).get(f"{QUEUE_URL}{report.pk}/change/").content.decode()

    assert "1 report received · 0 made" in page  # troll_kai
    assert "0 reports received · 1 made" in page  # reporter_once
    assert "1 reports received" not in page


def test_the_queue_costs_the_same_queries_for_2_and_20_reports(moderator):
    staff = admin_client(moderator)

    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(QUEUE_URL).status_code == 200
        return len(queries)

    for _ in range(2):
        reported(UserFactory())
    few = queries_for_queue()
    for _ in range(18):
        reported(UserFactory())
    assert queries_for_queue() == few


def action(staff: Client, name: str, reports: list[Report], **confirmation) -> str:
    """Choose an admin action for the reports, then (if given) confirm it; returns the last page."""
    data = {"action": name, "_selected_action": [str(report.pk) for report in reports]}
    response = staff.post(QUEUE_URL, data)
    if not confirmation:
        return response.content.decode()
    response = staff.post(QUEUE_URL, {**data, "confirm": "yes", **confirmation}, follow=True)
    return response.content.decode()


def test_banning_from_the_queue_asks_for_the_reason_first(moderator, troll):
    report = reported(troll)
    staff = admin_client(moderator)

    # when the moderator chooses "ban", nothing happens yet: a confirmation page asks why
    page = action(staff, "ban_selected", [report])
    assert "Ban troll_kai?" in page
    assert 'name="reason"' in page
    troll.refresh_from_db()
    assert troll.is_active

    # when they confirm without a reason, they are asked again
    page = action(staff, "ban_selected", [report], reason="  ")
    assert "This field is required." in page
    assert not Sanction.objects.exists()

    # when they give one, the player is banned with it
    page = action(staff, "ban_selected", [report], reason="Aimbot confirmed by replay")
    assert "Banned troll_kai: logged out everywhere." in page
    troll.refresh_from_db()
    assert not troll.is_active
    assert Sanction.objects.get(user=troll).reason == "Aimbot confirmed by replay"


def test_suspending_from_the_queue_takes_the_days_and_one_decision_per_player(moderator, troll):
    two = [reported(troll), reported(troll)]
    staff = admin_client(moderator)

    page = action(staff, "suspend_selected", two, days="7", reason="Cool off")

    assert "Suspended troll_kai for 7 days: logged out everywhere." in page
    sanction = Sanction.objects.get(user=troll)
    assert (sanction.kind, sanction.report_id) == ("suspend", two[0].pk)
    assert timedelta(days=6, hours=23) < sanction.until - timezone.now() <= timedelta(days=7)
    assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}


def test_dismissing_and_warning_from_the_queue(moderator, troll):
    first, second = reported(troll), reported(UserFactory(username="other_player"))
    staff = admin_client(moderator)

    page = action(staff, "dismiss_selected", [first], reason="Not a rule break")
    assert f"Report #{first.pk} dismissed." in page
    page = action(staff, "warn_selected", [first, second], reason="Mind your language")

    # the dismissed report is reported as handled; the other is warned
    assert f"Report #{first.pk}: This report has already been handled." in page
    assert f"Warned other_player (report #{second.pk})." in page
    assert Notification.objects.filter(kind="moderation_warning", user__username="other_player").exists()
    first.refresh_from_db()
    assert first.status == "dismissed"


def test_staff_without_moderation_permissions_cannot_act(troll):
    # given a staff member who may only view reports
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_report"))
    report = reported(troll)
    staff = admin_client(viewer)

    # then the queue shows no actions, and posting one does nothing
    page = staff.get(QUEUE_URL).content.decode()
    assert "ban_selected" not in page
    action(staff, "ban_selected", [report], reason="Sneaky")
    troll.refresh_from_db()
    assert troll.is_active


def test_sanctions_friendships_and_follows_are_read_only_and_stars_are_not_shown(moderator, troll):
    staff = admin_client(moderator)
    sanction = user_suspend(user=troll, days=1, staff=moderator, reason="Cool off")
    friends(moderator, UserFactory())
    follow_toggle(follower=moderator, target_id=UserFactory().pk)

    assert "Cool off" in staff.get("/admin/social/sanction/").content.decode()
    assert staff.get("/admin/social/sanction/add/").status_code == 403
    change = staff.get(f"/admin/social/sanction/{sanction.pk}/change/").content.decode()
    assert 'name="reason"' not in change  # shown, not editable
    assert staff.post(f"/admin/social/sanction/{sanction.pk}/delete/", {"post": "yes"}).status_code == 403
    for model in ("friendship", "follow"):
        assert staff.get(f"/admin/social/{model}/").status_code == 200
        assert staff.get(f"/admin/social/{model}/add/").status_code == 403
    assert Friendship.objects.count() == 1 and Follow.objects.count() == 1
    assert Star not in admin.site._registry
    assert staff.get("/admin/social/star/").status_code == 404


def test_the_player_hears_of_each_sanction_in_the_app_and_by_e_mail(moderator, troll, eager_mail):
    from django.core import mail

    # when the player is warned, suspended, the suspension ends, then banned
    report = report_create(reporter=UserFactory(), target_id=troll.pk, reason="spam")
    report_warn(report=report, staff=moderator, reason="No spam, please")
    suspension = user_suspend(user=troll, days=2, staff=moderator, reason="Spam again")
    suspensions_lift(now=suspension.until + timedelta(minutes=1))
    user_ban(user=troll, staff=moderator, reason="Third time")

    # then each step is one notification and one e-mail, in plain words, times in Malaysia time
    notes = list(Notification.objects.filter(user=troll).order_by("pk").values_list("kind", "title", "body"))
    assert [(kind, title) for kind, title, _ in notes] == [
        ("moderation_warning", "A warning from Driftwood's moderators"),
        ("account_suspended", "Your Driftwood account is suspended"),
        ("account_restored", "Your Driftwood account is open again"),
        ("account_suspended", "Your Driftwood account is banned"),
    ]
    assert f"until {malaysia_time(suspension.until)}. Reason: Spam again" in notes[1][2]
    to_player = [(message.to, message.subject) for message in mail.outbox if message.to == [troll.email]]
    assert to_player == [([troll.email], title) for _, title, _ in notes]
    assert "Reason: Third time" in mail.outbox[-1].body


SANCTIONS_URL = "/admin/social/sanction/"


def let_back_in(staff: Client, name: str, sanctions: list[Sanction], reason: str | None) -> str:
    data = {"action": name, "_selected_action": [str(sanction.pk) for sanction in sanctions]}
    if reason is None:
        return staff.post(SANCTIONS_URL, data).text
    return staff.post(SANCTIONS_URL, {**data, "confirm": "yes", "reason": reason}, follow=True).text


def test_staff_lift_a_suspension_early_from_admin_and_it_is_recorded(moderator, troll, eager_mail):
    from django.core import mail

    suspension = user_suspend(user=troll, days=7, staff=moderator, reason="Cool off")
    staff = admin_client(moderator)

    # the action asks for the reason first
    asked = let_back_in(staff, "lift_selected", [suspension], None)
    assert "Lifting ends each selected player's suspension now" in asked
    page = let_back_in(staff, "lift_selected", [suspension], "Appeal accepted")

    assert "Let troll_kai back in (suspension lifted)." in page
    troll.refresh_from_db()
    assert troll.is_active
    assert list(Sanction.objects.filter(user=troll).order_by("pk").values_list("kind", "staff", "reason")) == [
        ("suspend", moderator.pk, "Cool off"),
        ("lift", moderator.pk, "Appeal accepted"),
    ]
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None
    assert mail.outbox[-1].subject == "Your Driftwood account is open again"
    login = {"username": "troll_kai", "password": TEST_PASSWORD}
    assert APIClient().post("/api/v1/auth/login", login).status_code == 200


def test_a_ban_is_not_lifted_as_a_suspension_but_unbanned(moderator, troll):
    suspension = user_suspend(user=troll, days=7, staff=moderator, reason="Cool off")
    ban = user_ban(user=troll, staff=moderator, reason="Cheating")
    staff = admin_client(moderator)

    refused = let_back_in(staff, "lift_selected", [suspension], "Appeal")
    assert "Player troll_kai stays out: The player is also banned: unban instead." in refused
    troll.refresh_from_db()
    assert not troll.is_active

    unbanned = let_back_in(staff, "unban_selected", [ban], "Second chance")
    assert "Let troll_kai back in (unbanned)." in unbanned
    troll.refresh_from_db()
    assert troll.is_active
    assert not Sanction.objects.filter(user=troll, kind__in=["suspend", "ban"], lifted_at__isnull=True).exists()
    # and an active player has nothing to unban
    again = let_back_in(staff, "unban_selected", [ban], "Twice")
    assert "Player troll_kai stays out: Nothing to lift: the player is not held out that way." in again
    assert Sanction.objects.filter(user=troll, kind="unban").count() == 1
