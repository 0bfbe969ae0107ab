"""The contract's "Social graph" section and GET /users/{id}, one rule per test, through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from social.models import Follow, Friendship, Report, Star
from social.services import follow_toggle, friend_request_accept, friend_request_send, star_toggle
from tests.conftest import bearer_client
from tests.factories import UserFactory

# Cached profile reads are refreshed when a write commits: commit_hooks_run runs those refreshes.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_hooks_run")]

API = "/api/v1"
PROFILE_KEYS = {
    "id",
    "username",
    "display_name",
    "friend_count",
    "follower_count",
    "following_count",
    "relationship",
    "following",
}
REASONS = [choice for choice, _label in Report.Reason.choices]
DAY = 24 * 60 * 60


@pytest.fixture
def ana():
    return UserFactory(username="ana", display_name="Ana Rahman")


@pytest.fixture
def ben():
    return UserFactory(username="ben", display_name="Ben Tan")


@pytest.fixture
def carl():
    return UserFactory(username="carl", display_name="Carl Lee")


@pytest.fixture
def as_ana(ana):
    return bearer_client(ana)


@pytest.fixture
def as_ben(ben):
    return bearer_client(ben)


@pytest.fixture
def as_carl(carl):
    return bearer_client(carl)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["path"] == response.wsgi_request.path
    assert body["message"]
    return body


def befriend(first, second) -> Friendship:
    sent = friend_request_send(requester=first, target_id=second.pk)
    return friend_request_accept(user=second, friendship_id=sent.friendship.pk)


def pending(requester, addressee) -> Friendship:
    return friend_request_send(requester=requester, target_id=addressee.pk).friendship


def banned(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def profile(client, user) -> dict:
    response = client.get(f"{API}/users/{user.pk}")
    assert response.status_code == 200, response.content
    return response.json()


def friend_names(client, user, **params) -> list[str]:
    response = client.get(f"{API}/users/{user.pk}/friends", params)
    assert response.status_code == 200, response.content
    return [friend["username"] for friend in response.json()["results"]]


# --- authentication


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/users/{id}"),
        ("post", "/friends/request"),
        ("get", "/friends/requests"),
        ("post", "/friends/{id}/accept"),
        ("post", "/friends/{id}/reject"),
        ("delete", "/friends/{id}"),
        ("get", "/users/{id}/friends"),
        ("post", "/follow/{id}"),
        ("post", "/users/{id}/star"),
        ("post", "/users/{id}/report"),
    ],
)
def test_every_endpoint_needs_credentials(api_client, ana, method, path):
    response = getattr(api_client, method)(API + path.format(id=ana.pk), {}, format="json")

    assert_error(response, 401, "not_authenticated")


def test_the_browser_session_reaches_it_with_csrf(session_client, ben):
    secret = "s3cr3t" * 5 + "ab"  # a 32-character CSRF secret, as the cookie carries it

    without = session_client.post(f"{API}/friends/request", {"target_user_id": ben.pk}, format="json")
    session_client.cookies["csrftoken"] = secret
    with_token = session_client.post(
        f"{API}/friends/request", {"target_user_id": ben.pk}, format="json", HTTP_X_CSRFTOKEN=secret
    )

    assert_error(without, 403, "permission_denied")
    assert with_token.status_code == 201, with_token.content


# --- GET /users/{id}


def test_profile_shows_counts_relationship_and_following(as_ana, ana, ben, carl):
    # given ben has one friend (carl), one follower (ana) and follows carl
    befriend(carl, ben)
    follow_toggle(follower=ana, target_id=ben.pk)
    follow_toggle(follower=ben, target_id=carl.pk)

    body = profile(as_ana, ben)

    assert body == {
        "id": ben.pk,
        "username": "ben",
        "display_name": "Ben Tan",
        "friend_count": 1,
        "follower_count": 1,
        "following_count": 1,
        "relationship": "none",
        "following": True,
    }


def test_own_profile_is_self(as_ana, ana):
    body = profile(as_ana, ana)

    assert (body["relationship"], body["following"]) == ("self", False)


def test_relationship_is_seen_from_the_callers_side(as_ana, as_ben, as_carl, ana, ben, carl):
    pending(ana, ben)
    befriend(ana, carl)

    assert profile(as_ana, ben)["relationship"] == "request_sent"
    assert profile(as_ben, ana)["relationship"] == "request_received"
    assert profile(as_ana, carl)["relationship"] == "friends"
    assert profile(as_carl, ana)["relationship"] == "friends"
    assert profile(as_ben, carl)["relationship"] == "none"


def test_friend_count_is_exact_whoever_asked_and_ignores_pending(as_carl, ana, ben, carl):
    # given ana asked ben, carl asked ana (both accepted), and a pending request from ana to a fourth player
    befriend(ana, ben)
    befriend(carl, ana)
    pending(ana, UserFactory())

    assert profile(as_carl, ana)["friend_count"] == 2


def test_a_rejected_request_is_no_relationship(as_ana, as_ben, ana, ben):
    friendship = pending(ana, ben)
    as_ben.post(f"{API}/friends/{friendship.pk}/reject")

    assert profile(as_ana, ben)["relationship"] == "none"
    assert profile(as_ben, ana)["relationship"] == "none"


def test_unknown_profile_is_404(as_ana):
    assert_error(as_ana.get(f"{API}/users/987654321"), 404, "not_found")


def test_banned_profile_is_404(as_ana, ben):
    banned(ben)

    assert_error(as_ana.get(f"{API}/users/{ben.pk}"), 404, "not_found")


def test_banned_players_are_not_counted(as_ana, ana, ben, carl):
    befriend(ana, ben)
    follow_toggle(follower=ben, target_id=ana.pk)
    follow_toggle(follower=ana, target_id=ben.pk)
    befriend(ana, carl)
    banned(ben)

    body = profile(as_ana, ana)

    assert (body["friend_count"], body["follower_count"], body["following_count"]) == (1, 0, 0)


# --- stars are private


def test_a_star_never_shows_on_the_starred_players_profile(as_ana, as_ben, as_carl, ana, ben):
    # given ana starred ben
    star_toggle(user=ana, target_id=ben.pk)

    # then no profile of ben, seen by anyone, has anything but the contract's fields
    for client in (as_ana, as_ben, as_carl):
        body = profile(client, ben)
        assert set(body) == PROFILE_KEYS
        assert "star" not in str(body)
    assert set(profile(as_ben, ana)) == PROFILE_KEYS


def test_a_star_never_shows_in_friends_lists(as_ben, as_carl, ana, ben, carl):
    befriend(ana, ben)
    befriend(ana, carl)
    star_toggle(user=ana, target_id=ben.pk)
    star_toggle(user=ben, target_id=carl.pk)

    for client in (as_ben, as_carl):
        body = client.get(f"{API}/users/{ana.pk}/friends").json()
        assert [set(friend) for friend in body["results"]] == [{"id", "username", "display_name", "relationship"}] * 2
        assert "star" not in str(body)


def test_stars_appear_in_the_owners_me_only(as_ana, as_ben, ana, ben, carl):
    # given ana starred carl then ben (through the API), and ben starred nobody
    as_ana.post(f"{API}/users/{carl.pk}/star")
    as_ana.post(f"{API}/users/{ben.pk}/star")

    assert as_ana.get(f"{API}/me").json()["starred_user_ids"] == [carl.pk, ben.pk]
    assert as_ben.get(f"{API}/me").json()["starred_user_ids"] == []

    # when ana unstars carl
    as_ana.post(f"{API}/users/{carl.pk}/star")

    assert as_ana.get(f"{API}/me").json()["starred_user_ids"] == [ben.pk]


# --- POST /friends/request


def test_a_request_is_created_pending(as_ana, ana, ben):
    response = as_ana.post(f"{API}/friends/request", {"target_user_id": ben.pk})

    assert response.status_code == 201, response.content
    friendship = Friendship.objects.get()
    body = response.json()
    assert body == {
        "success": True,
        "message": body["message"],
        "friendship": {
            "id": friendship.pk,
            "user_id": ana.pk,
            "friend_id": ben.pk,
            "status": "pending",
            "created_at": body["friendship"]["created_at"],
        },
    }
    assert body["friendship"]["created_at"].endswith("Z")
    assert (friendship.requester, friendship.addressee, friendship.status) == (ana, ben, "pending")


def test_a_second_request_is_already_sent_not_a_duplicate(as_ana, ana, ben):
    first = as_ana.post(f"{API}/friends/request", {"target_user_id": ben.pk}).json()

    response = as_ana.post(f"{API}/friends/request", {"target_user_id": ben.pk})

    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["message"]) == (True, "Request already sent")
    assert body["friendship"] == first["friendship"]
    assert Friendship.objects.count() == 1


def test_asking_someone_who_asked_you_makes_you_friends(as_ben, ana, ben):
    theirs = pending(ana, ben)

    response = as_ben.post(f"{API}/friends/request", {"target_user_id": ana.pk})

    assert response.status_code == 200
    friendship = response.json()["friendship"]
    assert (friendship["id"], friendship["status"]) == (theirs.pk, "accepted")
    assert (friendship["user_id"], friendship["friend_id"]) == (ana.pk, ben.pk)
    assert list(Friendship.objects.values_list("status", flat=True)) == ["accepted"]


def test_a_trailing_slash_keeps_the_post_body(as_ana, ben):
    response = as_ana.post(f"{API}/friends/request/", {"target_user_id": ben.pk})

    assert response.status_code == 201, response.content
    assert response.json()["friendship"]["friend_id"] == ben.pk


def test_asking_a_friend_again_is_409(as_ben, ana, ben):
    befriend(ana, ben)

    assert_error(as_ben.post(f"{API}/friends/request", {"target_user_id": ana.pk}), 409, "already_friends")
    assert Friendship.objects.count() == 1


def test_asking_yourself_is_400(as_ana, ana):
    assert_error(as_ana.post(f"{API}/friends/request", {"target_user_id": ana.pk}), 400, "invalid")
    assert not Friendship.objects.exists()


def test_asking_an_unknown_player_is_404(as_ana):
    assert_error(as_ana.post(f"{API}/friends/request", {"target_user_id": 987654321}), 404, "not_found")


def test_asking_a_banned_player_is_404(as_ana, ben):
    banned(ben)

    assert_error(as_ana.post(f"{API}/friends/request", {"target_user_id": ben.pk}), 404, "not_found")
    assert not Friendship.objects.exists()


@pytest.mark.parametrize("body", [{}, {"target_user_id": "ben"}, {"target_user_id": 0}, {"target_user_id": None}])
def test_a_bad_target_is_400(as_ana, body):
    response = as_ana.post(f"{API}/friends/request", body, format="json")

    assert "target_user_id" in assert_error(response, 400, "invalid")["errors"]


def test_a_rejected_player_may_ask_again(as_ana, as_ben, ana, ben):
    friendship = pending(ana, ben)
    as_ben.post(f"{API}/friends/{friendship.pk}/reject")

    response = as_ana.post(f"{API}/friends/request", {"target_user_id": ben.pk})

    assert response.status_code == 201
    assert response.json()["friendship"]["status"] == "pending"
    assert Friendship.objects.count() == 1


# --- GET /friends/requests


def test_lists_incoming_pending_requests_only_newest_first(as_ana, ana, ben, carl):
    # given two requests to ana, plus ones that must not show: hers to someone, an accepted and a rejected one
    older = pending(ben, ana)
    newer = pending(carl, ana)
    pending(ana, UserFactory())
    befriend(UserFactory(), ana)
    rejected = pending(UserFactory(), ana)
    Friendship.objects.filter(pk=rejected.pk).update(status="rejected")

    response = as_ana.get(f"{API}/friends/requests")

    assert response.status_code == 200
    body = response.json()
    assert (body["page"], body["has_more"]) == (1, False)
    assert [request["id"] for request in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0] == {
        "id": newer.pk,
        "user_id": carl.pk,
        "friend_id": ana.pk,
        "status": "pending",
        "created_at": body["results"][0]["created_at"],
        "requester": {"id": carl.pk, "username": "carl", "display_name": "Carl Lee"},
    }


def test_requests_list_is_paginated(as_ana, ana):
    for _ in range(3):
        pending(UserFactory(), ana)

    first = as_ana.get(f"{API}/friends/requests", {"limit": 2}).json()
    second = as_ana.get(f"{API}/friends/requests", {"limit": 2, "page": 2}).json()

    assert (len(first["results"]), first["has_more"]) == (2, True)
    assert (len(second["results"]), second["has_more"], second["page"]) == (1, False, 2)


def test_requests_from_banned_players_are_hidden(as_ana, ana, ben):
    pending(ben, ana)
    banned(ben)

    assert as_ana.get(f"{API}/friends/requests").json()["results"] == []


# --- POST /friends/{id}/accept | reject


def test_the_recipient_accepts(as_ana, as_ben, ana, ben):
    friendship = pending(ana, ben)

    response = as_ben.post(f"{API}/friends/{friendship.pk}/accept")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": friendship.pk,
        "user_id": ana.pk,
        "friend_id": ben.pk,
        "status": "accepted",
        "created_at": body["created_at"],
    }
    assert profile(as_ana, ben)["relationship"] == "friends"


def test_the_recipient_rejects(as_ben, ana, ben):
    friendship = pending(ana, ben)

    response = as_ben.post(f"{API}/friends/{friendship.pk}/reject")

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert Friendship.objects.get().status == "rejected"


@pytest.mark.parametrize("answer", ["accept", "reject"])
def test_the_requester_cannot_answer_their_own_request(as_ana, ana, ben, answer):
    friendship = pending(ana, ben)

    assert_error(as_ana.post(f"{API}/friends/{friendship.pk}/{answer}"), 403, "permission_denied")
    assert Friendship.objects.get().status == "pending"


@pytest.mark.parametrize("answer", ["accept", "reject"])
def test_a_player_outside_the_request_gets_404(as_carl, ana, ben, answer):
    friendship = pending(ana, ben)

    assert_error(as_carl.post(f"{API}/friends/{friendship.pk}/{answer}"), 404, "not_found")
    assert Friendship.objects.get().status == "pending"


@pytest.mark.parametrize("answer", ["accept", "reject"])
def test_an_unknown_request_is_404(as_ana, answer):
    assert_error(as_ana.post(f"{API}/friends/987654321/{answer}"), 404, "not_found")


@pytest.mark.parametrize(("first", "then"), [("accept", "accept"), ("accept", "reject"), ("reject", "accept")])
def test_an_answered_request_is_409_not_pending(as_ben, ana, ben, first, then):
    friendship = pending(ana, ben)
    as_ben.post(f"{API}/friends/{friendship.pk}/{first}")
    status_before = Friendship.objects.get().status

    assert_error(as_ben.post(f"{API}/friends/{friendship.pk}/{then}"), 409, "not_pending")
    assert Friendship.objects.get().status == status_before


# --- DELETE /friends/{user_id}


def test_unfriending_ends_the_friendship_for_both(as_ana, as_ben, ana, ben):
    befriend(ana, ben)
    profile(as_ben, ana)  # cached before the write

    response = as_ana.delete(f"{API}/friends/{ben.pk}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Friendship.objects.exists()
    seen_by_ben = profile(as_ben, ana)
    assert (seen_by_ben["relationship"], seen_by_ben["friend_count"]) == ("none", 0)


def test_unfriending_a_non_friend_is_404(as_ana, ben):
    assert_error(as_ana.delete(f"{API}/friends/{ben.pk}"), 404, "not_found")


def test_unfriending_with_only_a_pending_request_is_404_and_keeps_it(as_ana, ana, ben):
    pending(ana, ben)

    assert_error(as_ana.delete(f"{API}/friends/{ben.pk}"), 404, "not_found")
    assert Friendship.objects.get().status == "pending"


def test_unfriending_an_unknown_player_is_404(as_ana):
    assert_error(as_ana.delete(f"{API}/friends/987654321"), 404, "not_found")


# --- GET /users/{id}/friends


def test_friends_list_carries_the_callers_relationship_to_each(as_carl, ana, ben, carl):
    # given ana's friends are ben, carl, dina and eli; carl (the caller) is friends with ben and asked dina
    dina, eli = UserFactory(username="dina"), UserFactory(username="eli")
    for friend in (ben, carl, dina, eli):
        befriend(ana, friend)
    befriend(carl, ben)
    pending(carl, dina)
    pending(eli, carl)

    response = as_carl.get(f"{API}/users/{ana.pk}/friends")

    assert response.status_code == 200
    body = response.json()
    assert (body["page"], body["has_more"]) == (1, False)
    assert body["results"] == [
        {"id": ben.pk, "username": "ben", "display_name": "Ben Tan", "relationship": "friends"},
        {"id": carl.pk, "username": "carl", "display_name": "Carl Lee", "relationship": "self"},
        {"id": dina.pk, "username": "dina", "display_name": dina.display_name, "relationship": "request_sent"},
        {"id": eli.pk, "username": "eli", "display_name": eli.display_name, "relationship": "request_received"},
    ]


def test_friends_list_leaves_out_pending_rejected_and_banned(as_ana, ana, ben, carl):
    befriend(ana, ben)
    befriend(carl, ana)
    pending(ana, UserFactory())
    rejected = pending(UserFactory(), ana)
    Friendship.objects.filter(pk=rejected.pk).update(status="rejected")
    banned(carl)

    assert friend_names(as_ana, ana) == ["ben"]


@pytest.mark.parametrize(("search", "expected"), [("AN", ["ana_b", "zed"]), ("lee", ["carl"]), ("", None)])
def test_friends_search_matches_username_or_display_name_ignoring_case(as_ben, ben, carl, search, expected):
    befriend(UserFactory(username="ana_b", display_name="A"), ben)
    befriend(ben, carl)
    befriend(UserFactory(username="zed", display_name="Zed Hassan"), ben)

    names = friend_names(as_ben, ben, search=search)

    assert names == (expected or ["ana_b", "carl", "zed"])


def test_friends_list_is_paginated(as_ana, ana):
    for index in range(5):
        befriend(ana, UserFactory(username=f"friend{index}"))

    first = as_ana.get(f"{API}/users/{ana.pk}/friends", {"limit": 2}).json()
    last = as_ana.get(f"{API}/users/{ana.pk}/friends", {"limit": 2, "page": 3}).json()

    assert ([f["username"] for f in first["results"]], first["has_more"]) == (["friend0", "friend1"], True)
    assert ([f["username"] for f in last["results"]], last["has_more"], last["page"]) == (["friend4"], False, 3)


def test_friends_search_longer_than_a_name_is_400(as_ana, ana):
    response = as_ana.get(f"{API}/users/{ana.pk}/friends", {"search": "x" * 151})

    assert "search" in assert_error(response, 400, "invalid")["errors"]


def test_friends_of_an_unknown_player_is_404(as_ana):
    assert_error(as_ana.get(f"{API}/users/987654321/friends"), 404, "not_found")


def test_friends_of_a_banned_player_is_404(as_ana, ana, ben):
    befriend(ana, ben)
    banned(ben)

    assert_error(as_ana.get(f"{API}/users/{ben.pk}/friends"), 404, "not_found")


# --- POST /follow/{id}


def test_follow_toggles_and_returns_the_follower_count(as_ana, ana, ben, carl):
    follow_toggle(follower=carl, target_id=ben.pk)

    followed = as_ana.post(f"{API}/follow/{ben.pk}")
    unfollowed = as_ana.post(f"{API}/follow/{ben.pk}")

    assert (followed.status_code, followed.json()) == (200, {"following": True, "follower_count": 2})
    assert (unfollowed.status_code, unfollowed.json()) == (200, {"following": False, "follower_count": 1})
    assert list(Follow.objects.values_list("follower", flat=True)) == [carl.pk]


def test_following_yourself_is_400(as_ana, ana):
    assert_error(as_ana.post(f"{API}/follow/{ana.pk}"), 400, "invalid")
    assert not Follow.objects.exists()


def test_following_an_unknown_player_is_404(as_ana):
    assert_error(as_ana.post(f"{API}/follow/987654321"), 404, "not_found")


def test_following_a_banned_player_is_404(as_ana, ben):
    banned(ben)

    assert_error(as_ana.post(f"{API}/follow/{ben.pk}"), 404, "not_found")


# --- POST /users/{id}/star


def test_star_toggles(as_ana, ana, ben):
    starred = as_ana.post(f"{API}/users/{ben.pk}/star")
    assert (starred.status_code, starred.json()) == (200, {"starred": True})
    assert list(Star.objects.values_list("user", "starred")) == [(ana.pk, ben.pk)]

    unstarred = as_ana.post(f"{API}/users/{ben.pk}/star")
    assert (unstarred.status_code, unstarred.json()) == (200, {"starred": False})
    assert not Star.objects.exists()


def test_starring_yourself_is_400(as_ana, ana):
    assert_error(as_ana.post(f"{API}/users/{ana.pk}/star"), 400, "invalid")


def test_starring_an_unknown_player_is_404(as_ana):
    assert_error(as_ana.post(f"{API}/users/987654321/star"), 404, "not_found")


# --- POST /users/{id}/report


def test_a_report_is_created_pending(as_ana, ana, ben):
    response = as_ana.post(
        f"{API}/users/{ben.pk}/report", {"reason": "harassment", "description": "Spammed the lobby chat."}
    )

    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert response.json() == {"id": report.pk, "status": "pending", "message": "Report submitted for review"}
    assert (report.reporter, report.reported, report.reason, report.description) == (
        ana,
        ben,
        "harassment",
        "Spammed the lobby chat.",
    )


@pytest.mark.parametrize("reason", REASONS)
def test_every_contract_reason_is_accepted(as_ana, ben, reason):
    response = as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": reason})

    assert response.status_code == 201, response.content
    assert Report.objects.get().reason == reason


def test_the_contract_lists_exactly_these_reasons():
    assert set(REASONS) == {"spam", "harassment", "cheating", "inappropriate_content", "impersonation", "other"}


@pytest.mark.parametrize("body", [{}, {"reason": "rude"}, {"reason": ""}, {"reason": None}])
def test_a_missing_or_unknown_reason_is_400(as_ana, ben, body):
    response = as_ana.post(f"{API}/users/{ben.pk}/report", body, format="json")

    assert "reason" in assert_error(response, 400, "invalid")["errors"]
    assert not Report.objects.exists()


def test_a_description_of_2000_characters_is_accepted(as_ana, ben):
    response = as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "other", "description": "x" * 2000})

    assert response.status_code == 201
    assert len(Report.objects.get().description) == 2000


def test_a_description_over_2000_characters_is_400(as_ana, ben):
    response = as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "other", "description": "x" * 2001})

    assert "description" in assert_error(response, 400, "invalid")["errors"]
    assert not Report.objects.exists()


def test_reporting_yourself_is_400(as_ana, ana):
    assert_error(as_ana.post(f"{API}/users/{ana.pk}/report", {"reason": "spam"}), 400, "invalid")
    assert not Report.objects.exists()


def test_reporting_an_unknown_player_is_404(as_ana):
    assert_error(as_ana.post(f"{API}/users/987654321/report", {"reason": "spam"}), 404, "not_found")


def test_reporting_a_banned_player_is_404(as_ana, ben):
    ben.is_active = False
    ben.save()

    assert_error(as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"}), 404, "not_found")
    assert not Report.objects.exists()


def test_a_second_report_within_24_hours_is_429_with_retry_after(as_ana, ben):
    as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"})

    response = as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "cheating"})

    assert_error(response, 429, "rate_limited")
    assert DAY - 60 <= int(response["Retry-After"]) <= DAY
    assert Report.objects.count() == 1


def test_the_limit_counts_from_the_last_report(as_ana, ben):
    # given ana reported ben 23 hours ago
    as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"})
    Report.objects.update(created_at=timezone.now() - timedelta(hours=23))

    response = as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"})

    assert_error(response, 429, "rate_limited")
    assert 3600 - 60 <= int(response["Retry-After"]) <= 3600


def test_a_report_is_allowed_again_after_24_hours(as_ana, ben):
    as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"})
    Report.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    response = as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"})

    assert response.status_code == 201
    assert Report.objects.count() == 2


def test_the_limit_is_per_reporter_and_reported_player(as_ana, as_carl, ana, ben, carl):
    as_ana.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"})

    assert as_ana.post(f"{API}/users/{carl.pk}/report", {"reason": "spam"}).status_code == 201
    assert as_carl.post(f"{API}/users/{ben.pk}/report", {"reason": "spam"}).status_code == 201
    assert Report.objects.count() == 3
