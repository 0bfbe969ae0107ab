"""The social pages (friends, search, profiles, followers, reports) through Django's test client."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.contrib.humanize.templatetags import humanize
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from social.exceptions import FriendshipNotFound, NotPending, NotRequester
from social.models import Follow, Friendship, Report, Star
from social.services import (
    follow_toggle,
    friend_request_accept,
    friend_request_cancel,
    friend_request_reject,
    friend_request_send,
    star_toggle,
)
from tests.factories import EventFactory, UserFactory
from tournaments.services.registrations import registration_join

# Counts and relationships are cached and refreshed when writes commit, so these tests commit for real.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage", "commit_hooks_run")]
# Sockets served in other threads, or racing threads, must see committed rows.
REAL_COMMITS = pytest.mark.django_db(transaction=True)

FRIENDS_URL = "/friends/"
SEARCH_URL = "/players/"


@pytest.fixture
def ana():
    return UserFactory(username="ana_valo", display_name="Ana the Anchor")


@pytest.fixture
def ben():
    return UserFactory(username="ben_tekken", display_name="Ben Bananas")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def profile_url(user) -> str:
    return f"/players/{user.pk}/"


def text(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def befriend(a, b) -> Friendship:
    friendship = friend_request_send(requester=a, target_id=b.pk).friendship
    return friend_request_accept(user=b, friendship_id=friendship.pk)


# --- Access


@pytest.mark.parametrize("path", [FRIENDS_URL, SEARCH_URL, "/players/{id}/", "/players/{id}/followers/"])
def test_pages_ask_visitors_to_log_in(client, ana, path):
    response = client.get(path.format(id=ana.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_buttons_need_the_csrf_token(ana, ben):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ana)

    response = browser.post(f"/players/{ben.pk}/friend/")

    assert response.status_code == 403
    assert not Friendship.objects.exists()


def test_unknown_and_banned_players_have_no_profile(ana, ben):
    ben.is_active = False
    ben.save(update_fields=["is_active"])
    browser = client_for(ana)

    assert browser.get(profile_url(ben)).status_code == 404
    assert browser.get("/players/999999/").status_code == 404
    assert browser.get(f"/players/{ben.pk}/followers/").status_code == 404


# --- Profile and friend requests


def test_profile_shows_the_name_counts_and_recent_events(ana, ben):
    # given a player with a friend, a follower and an event
    befriend(ben, UserFactory())
    follow_toggle(follower=UserFactory(), target_id=ben.pk)
    event = EventFactory(name="Kopitiam Tekken Cup", entry_fee=0)
    registration_join(event_id=event.pk, user=ben)
    EventFactory(name="Secret Draft Cup", organizer=ben, status="draft")

    page = text(client_for(ana).get(profile_url(ben)))

    assert "Ben Bananas" in page and "@ben_tekken" in page
    assert '<strong data-count="friends">1</strong> friend' in page
    assert '<strong data-count="followers">1</strong> follower' in page
    assert '<strong data-count="following">0</strong> following' in page
    assert "Kopitiam Tekken Cup" in page
    assert "Secret Draft Cup" not in page  # drafts are their organizer's business


def test_a_friend_request_from_the_profile_then_cancelled(ana, ben):
    browser = client_for(ana)
    assert ">Add friend</button>" in text(browser.get(profile_url(ben)))

    # when Ana asks Ben to be friends
    response = browser.post(f"/players/{ben.pk}/friend/", follow=True)

    # then the request is pending and the profile offers to cancel it
    assert shown_messages(response) == ["Friend request sent to Ben Bananas."]
    friendship = Friendship.objects.get(requester=ana, addressee=ben, status="pending")
    page = text(response)
    assert "Friend request sent." in page and ">Cancel request</button>" in page

    # when she cancels it
    response = browser.post(f"/friends/requests/{friendship.pk}/cancel/", {"next": profile_url(ben)}, follow=True)

    # then it is gone and she can ask again
    assert shown_messages(response) == ["Friend request cancelled."]
    assert not Friendship.objects.exists()
    assert ">Add friend</button>" in text(response)


def test_the_recipient_accepts_on_the_friends_page_and_both_are_friends(ana, ben):
    friendship = friend_request_send(requester=ana, target_id=ben.pk).friendship
    bens = client_for(ben)

    # given Ben sees the request on his friends page and on Ana's profile
    page = text(bens.get(FRIENDS_URL))
    assert "Ana the Anchor" in page and f"/friends/requests/{friendship.pk}/accept/" in page
    assert "Ana the Anchor wants to be your friend." in text(bens.get(profile_url(ana)))

    # when he accepts
    response = bens.post(f"/friends/requests/{friendship.pk}/accept/", {"next": FRIENDS_URL}, follow=True)

    # then both have each other on their friends lists
    assert shown_messages(response) == ["Friend request accepted."]
    friends_list = text(response).split('aria-label="Friends"')[1]
    assert "Ana the Anchor" in friends_list
    assert "Ben Bananas" in text(client_for(ana).get(FRIENDS_URL)).split('aria-label="Friends"')[1]
    assert "1 friend ·" in text(response)


def test_declining_and_unfriending(ana, ben):
    carl = UserFactory(display_name="Carl")
    declined = friend_request_send(requester=carl, target_id=ana.pk).friendship
    befriend(ana, ben)
    browser = client_for(ana)

    response = browser.post(f"/friends/requests/{declined.pk}/reject/", follow=True)
    assert shown_messages(response) == ["Friend request declined."]
    response = browser.post(f"/players/{ben.pk}/unfriend/", {"next": FRIENDS_URL}, follow=True)

    assert shown_messages(response) == ["You and Ben Bananas are no longer friends."]
    assert Friendship.objects.get(pk=declined.pk).status == "rejected"
    assert not Friendship.objects.filter(status="accepted").exists()
    assert "No friends yet." in text(response)


def test_only_the_requester_cancels_and_only_while_pending(ana, ben):
    friendship = friend_request_send(requester=ana, target_id=ben.pk).friendship

    # the recipient cannot cancel (the page says so; the request stays)
    response = client_for(ben).post(f"/friends/requests/{friendship.pk}/cancel/", follow=True)
    assert shown_messages(response) == ["Only the player who sent this request can cancel it."]
    with pytest.raises(NotRequester):
        friend_request_cancel(user=ben, friendship_id=friendship.pk)

    # an answered request cannot be withdrawn
    friend_request_reject(user=ben, friendship_id=friendship.pk)
    with pytest.raises(NotPending):
        friend_request_cancel(user=ana, friendship_id=friendship.pk)
    assert Friendship.objects.get(pk=friendship.pk).status == "rejected"


@REAL_COMMITS
def test_a_cancel_racing_an_accept_leaves_one_outcome(ana, ben):
    def run(barrier, answer, **kwargs) -> str:
        try:
            barrier.wait()
            answer(**kwargs)
            return "done"
        except (FriendshipNotFound, NotPending):
            return "refused"
        finally:
            connections.close_all()

    for _ in range(10):
        # given Ana withdrawing her request while Ben accepts it, at the same moment
        friendship_id = friend_request_send(requester=ana, target_id=ben.pk).friendship.pk
        barrier = threading.Barrier(2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            cancel = pool.submit(run, barrier, friend_request_cancel, user=ana, friendship_id=friendship_id)
            accept = pool.submit(run, barrier, friend_request_accept, user=ben, friendship_id=friendship_id)
            cancelled, accepted = cancel.result(), accept.result()

        # then exactly one of them took effect, and the row agrees
        assert sorted([cancelled, accepted]) == ["done", "refused"]
        row = Friendship.objects.filter(pk=friendship_id).first()
        assert (row.status if row else "gone") == ("accepted" if accepted == "done" else "gone")
        Friendship.objects.all().delete()


def test_a_request_to_a_player_who_asked_you_makes_you_friends(ana, ben):
    friend_request_send(requester=ben, target_id=ana.pk)

    response = client_for(ana).post(f"/players/{ben.pk}/friend/", follow=True)

    assert shown_messages(response) == ["You and Ben Bananas are now friends."]
    assert ">Unfriend</button>" in text(response)


def test_next_must_stay_on_the_site(ana, ben):
    response = client_for(ana).post(f"/players/{ben.pk}/friend/", {"next": "https://evil.example/"})

    assert response["Location"] == profile_url(ben)


# --- Follow and star


def test_follow_changes_the_follower_count_and_a_repeat_click_does_not_undo_it(ana, ben):
    browser = client_for(ana)

    for _ in range(2):  # a double click posts twice
        response = browser.post(f"/players/{ben.pk}/follow/", {"follow": "1"}, follow=True)

    assert shown_messages(response) == ["You now follow Ben Bananas."]
    assert '<strong data-count="followers">1</strong> follower' in text(response)
    assert ">Unfollow</button>" in text(response)
    assert Follow.objects.filter(follower=ana, followed=ben).count() == 1

    response = browser.post(f"/players/{ben.pk}/follow/", {"follow": "0"}, follow=True)

    assert '<strong data-count="followers">0</strong> followers' in text(response)
    assert not Follow.objects.exists()


def test_followers_and_following_pages(ana, ben):
    follow_toggle(follower=ana, target_id=ben.pk)
    befriend(ana, ben)
    banned = UserFactory(display_name="Banned Bob", is_active=True)
    follow_toggle(follower=banned, target_id=ben.pk)
    banned.is_active = False
    banned.save(update_fields=["is_active"])
    browser = client_for(ben)

    followers = text(browser.get(f"/players/{ben.pk}/followers/"))
    following = text(client_for(ben).get(f"/players/{ana.pk}/following/"))

    assert "Followers of Ben Bananas" in followers
    assert "Ana the Anchor" in followers and ">Friend</span>" in followers
    assert "Banned Bob" not in followers
    assert "Followed by Ana the Anchor" in following and "Ben Bananas" in following
    assert ">You</span>" in following


def test_a_star_is_seen_only_by_the_player_who_gave_it(ana, ben):
    browser = client_for(ana)

    response = browser.post(f"/players/{ben.pk}/star/", {"star": "1"}, follow=True)

    assert shown_messages(response) == ["Ben Bananas is in your starred players. Only you can see your stars."]
    assert 'aria-pressed="true"' in text(response)
    assert Star.objects.filter(user=ana, starred=ben).exists()
    # Ben sees nothing of it: not on Ana's profile, not on his own, not in any list
    for path in (profile_url(ana), profile_url(ben), f"/players/{ben.pk}/followers/", FRIENDS_URL):
        page = text(client_for(ben).get(path))
        assert 'aria-pressed="true"' not in page and "in your starred players" not in page

    response = browser.post(f"/players/{ben.pk}/star/", {"star": "0"}, follow=True)
    assert 'aria-pressed="false"' in text(response)
    assert not Star.objects.exists()


def test_a_player_never_stars_themselves(ana):
    star_toggle(user=ana, target_id=UserFactory().pk)

    page = text(client_for(ana).get(profile_url(ana)))

    assert "This is how other players see you." in page
    assert "aria-pressed" not in page and ">Report</a>" not in page


# --- Reports


def test_the_profile_offers_a_report_dialog_and_the_page_fallback(ana, ben):
    browser = client_for(ana)

    page = text(browser.get(profile_url(ben)))
    fallback = text(browser.get(f"/players/{ben.pk}/report/"))

    for html in (page, fallback):
        assert f'action="/players/{ben.pk}/report/"' in html
        for reason in ("spam", "harassment", "cheating", "inappropriate_content", "impersonation", "other"):
            assert f'value="{reason}"' in html
    assert '<dialog class="dialog" id="report-dialog"' in page


def test_a_report_is_filed_once_a_day(ana, ben):
    browser = client_for(ana)
    data = {"reason": "cheating", "description": "Wallhack in round 3"}

    response = browser.post(f"/players/{ben.pk}/report/", data, follow=True)

    assert shown_messages(response) == ["Report about Ben Bananas submitted for review. Thank you."]
    report = Report.objects.get()
    assert (report.reporter, report.reported, report.reason, report.status) == (ana, ben, "cheating", "pending")

    response = browser.post(f"/players/{ben.pk}/report/", data, follow=True)

    assert shown_messages(response) == [
        "You already reported this player in the last 24 hours. You can report them again in 24 hours."
    ]
    assert Report.objects.count() == 1


def test_a_report_needs_a_known_reason_and_a_short_description(ana, ben):
    browser = client_for(ana)

    response = browser.post(f"/players/{ben.pk}/report/", {"reason": "rude", "description": "x" * 2001})

    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    assert "at most 2000 characters" in text(response)
    assert not Report.objects.exists()


def test_players_cannot_report_themselves(ana):
    response = client_for(ana).post(f"/players/{ana.pk}/report/", {"reason": "spam"}, follow=True)

    assert shown_messages(response) == ["You cannot report yourself."]
    assert not Report.objects.exists()


# --- Search and the friends list


def test_search_finds_players_by_name_with_their_relationship_and_hides_banned_ones(ana, ben):
    befriend(ana, ben)
    UserFactory(username="benny_boy", display_name="Benny")
    UserFactory(username="ben_banned", is_active=False)
    browser = client_for(ana)

    page = text(browser.get(SEARCH_URL, {"q": "BEN"}))

    assert "Players matching “BEN”" in page
    assert "Ben Bananas" in page and ">Friend</span>" in page
    assert "Benny" in page
    assert "ben_banned" not in page
    assert "Players matching" not in text(browser.get(SEARCH_URL))


def test_friends_search_and_pages(ana):
    for number in range(25):
        befriend(ana, UserFactory(username=f"mate_{number:02}", display_name=f"Mate {number:02}"))
    befriend(ana, UserFactory(username="zara", display_name="Zara"))
    browser = client_for(ana)

    first = text(browser.get(FRIENDS_URL))
    second = text(browser.get(FRIENDS_URL, {"page": 2}))
    found = text(browser.get(FRIENDS_URL, {"q": "zar"}))

    assert "Mate 00" in first and "Mate 19" in first and "Mate 20" not in first and 'rel="next"' in first
    assert "Mate 20" in second and "Zara" in second and 'rel="next"' not in second
    assert "Zara" in found and "Mate 00" not in found
    assert "26 friends" in first


def friends_page_queries(user) -> int:
    browser = client_for(user)
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(FRIENDS_URL).status_code == 200
    return len(queries)


def test_the_friends_page_query_count_does_not_grow_with_friends_or_requests():
    # given one player with 5 friends and 2 requests each way, another with 50 and 20
    few, many = UserFactory(), UserFactory()
    for user, friends, requests in ((few, 5, 2), (many, 50, 20)):
        for _ in range(friends):
            befriend(user, UserFactory())
        for _ in range(requests):
            friend_request_send(requester=UserFactory(), target_id=user.pk)
            friend_request_send(requester=user, target_id=UserFactory().pk)

    # then their friends pages cost the same number of queries
    assert friends_page_queries(few) == friends_page_queries(many)


def test_the_message_button_shows_for_friends_and_players_who_accept_anyone(ana, ben):
    page_for_ana = client_for(ana)
    assert "Message</button>" not in text(page_for_ana.get(profile_url(ben)))

    ben.allow_messages_from_anyone = True
    ben.save()
    assert "Message</button>" in text(page_for_ana.get(profile_url(ben)))
    assert "Message</button>" not in text(client_for(ana).get(profile_url(ana)))

    response = page_for_ana.post(f"/chat/dm/{ben.pk}/")
    low, high = sorted((ana.pk, ben.pk))
    assert response.status_code == 302 and response["Location"] == f"/chat/dm_{low}_{high}/"


def test_buttons_share_the_api_budget(ana, ben, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "user": "1/m"}
    browser = client_for(ana)

    browser.post(f"/players/{ben.pk}/follow/", {"follow": "1"})
    response = browser.post(f"/players/{ben.pk}/star/", {"star": "1"}, follow=True)

    assert any("Too many requests" in message for message in shown_messages(response))
    assert Follow.objects.filter(follower=ana, followed=ben).exists()
    assert not Star.objects.filter(user=ana).exists()


def test_the_friends_page_says_how_long_ago_in_words(ana, ben, monkeypatch):
    # given a friend request to Ben sent at the page's "now", and one sent an hour before (the clock
    # naturaltime reads is fixed: on a busy machine a real second may pass before the page renders)
    moment = timezone.now().replace(microsecond=0)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment if tz is not None else moment.replace(tzinfo=None)

    monkeypatch.setattr(humanize, "datetime", Frozen)
    friend_request_send(requester=ana, target_id=ben.pk)
    older = UserFactory(display_name="Older Asker")
    friend_request_send(requester=older, target_id=ben.pk)
    Friendship.objects.filter(requester=ana).update(created_at=moment)
    Friendship.objects.filter(requester=older).update(created_at=moment - timedelta(hours=1, minutes=1))

    page = text(client_for(ben).get(FRIENDS_URL))

    # then "now" and "an hour ago", never "0 minutes ago"
    assert ">now</time>" in page
    assert ">an hour ago</time>" in page
    assert "minutes ago" not in page
