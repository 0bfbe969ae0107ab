"""In-app notifications: services, selectors, the API, the /notifications/ page and the navigation badge."""

import json
from datetime import UTC, timedelta

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from driftwood.notifications.models import Notification
from driftwood.notifications.selectors import notification_list, notifications_unread_count
from driftwood.notifications.services import notifications_mark_read
from driftwood.notifications.services import notify as notify_service
from tests.conftest import bearer_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/notifications"
READ_URL = "/api/v1/notifications/read"
PAGE_URL = "/notifications/"
PAGE_READ_URL = "/notifications/read/"


def notify(user, title: str = "Friend request", *, minutes_ago: int = 0, read: bool = False, **fields) -> Notification:
    """A notification for `user`, created `minutes_ago` (so tests control the order), read or not."""
    [notification_id] = notify_service(
        users=[user],
        kind=fields.pop("kind", "friend_request"),
        title=title,
        body=fields.pop("body", "Someone wants to be friends."),
        **fields,
    )
    notification = Notification.objects.get(pk=notification_id)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        read_at=timezone.now() if read else None,
    )
    notification.refresh_from_db()
    return notification


def unread_ids(user) -> set[int]:
    return set(Notification.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True))


def notification_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if "notifications_notification" in query["sql"]]


# --- services and selectors ---------------------------------------------------------------


def test_create_stores_an_unread_notification(user):
    # when a notification is created with only the required fields
    [notification_id] = notify_service(users=[user], kind="event_cancelled", title="Cancelled", body="Sorry.")

    # then it is stored, unread, with empty link and data
    stored = Notification.objects.get(pk=notification_id)
    assert (stored.user_id, stored.kind, stored.title) == (user.pk, "event_cancelled", "Cancelled")
    assert stored.body == "Sorry."
    assert (stored.url, stored.data, stored.read_at) == ("", {}, None)
    assert stored.created_at <= timezone.now()


def test_notify_writes_one_row_per_user_in_one_query(user, django_assert_num_queries):
    # given three players, one of them named twice and one by id
    others = [UserFactory(), UserFactory()]

    # when they are all notified at once
    with django_assert_num_queries(1):
        created = notify_service(
            users=[user, others[0], others[1].pk, user],
            kind="event_cancelled",
            title="Cancelled: Kopitiam Cup",
            body="Refunded.",
            url="/events/7/",
            data={"event_id": 7},
        )

    # then each got exactly one, with the same content
    assert len(created) == 3
    rows = Notification.objects.order_by("user_id")
    assert [row.user_id for row in rows] == sorted([user.pk, others[0].pk, others[1].pk])
    assert {(row.kind, row.title, row.url, json.dumps(row.data)) for row in rows} == {
        ("event_cancelled", "Cancelled: Kopitiam Cup", "/events/7/", '{"event_id": 7}')
    }


def test_notify_with_nobody_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify_service(users=[], kind="friend_request", title="t", body="b") == []


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "events/1/"])
def test_links_must_be_paths_on_this_site(user, url):
    with pytest.raises(ValueError):
        notify_service(users=[user], kind="friend_request", title="Hi", body="", url=url)
    assert not Notification.objects.exists()


def test_the_database_refuses_a_notification_without_kind_or_title(user):
    with pytest.raises(IntegrityError):
        Notification.objects.create(user=user, kind="", title="Hi")


def test_mark_read_by_ids_touches_only_the_callers_unread_rows(user):
    # given two unread notifications of the user, one already read, and one of another player
    first, second = notify(user, "First"), notify(user, "Second")
    already_read = notify(user, "Old", read=True)
    read_at_before = already_read.read_at
    theirs = notify(UserFactory(), "Theirs")

    # when the user marks the first and the other player's one as read
    marked = notifications_mark_read(user=user, ids=[first.pk, theirs.pk, already_read.pk])

    # then only the user's unread first one changed
    assert marked == 1
    assert unread_ids(user) == {second.pk}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.get(pk=already_read.pk).read_at == read_at_before


def test_mark_read_without_ids_marks_all_of_the_callers_and_nobody_elses(user):
    mine = [notify(user, f"Mine {n}") for n in range(3)]
    theirs = notify(UserFactory(), "Theirs")

    assert notifications_mark_read(user=user) == len(mine)

    assert unread_ids(user) == set()
    assert unread_ids(theirs.user) == {theirs.pk}


def test_mark_read_with_an_empty_list_marks_nothing(user):
    notify(user)

    assert notifications_mark_read(user=user, ids=[]) == 0
    assert notifications_unread_count(user=user) == 1


def test_selectors_list_newest_first_and_count_unread(user):
    # given notifications created at different times, one read, and one of another player
    old = notify(user, "Old", minutes_ago=30)
    new = notify(user, "New", minutes_ago=1)
    middle = notify(user, "Middle", minutes_ago=10, read=True)
    notify(UserFactory(), "Theirs")

    # then the list is the user's own, newest first, and the unread filter and count agree
    assert list(notification_list(user=user)) == [new, middle, old]
    assert list(notification_list(user=user, unread_only=True)) == [new, old]
    assert notifications_unread_count(user=user) == 2


# --- API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), [("get", API_URL), ("post", READ_URL)])
def test_api_requires_authentication(api_client, method, url):
    response = getattr(api_client, method)(url)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_lists_only_the_callers_notifications_newest_first(user, jwt_client):
    # given the user's notifications and another player's
    old = notify(user, "Old", minutes_ago=5, url="/events/3/", data={"event_id": 3})
    new = notify(user, "New", minutes_ago=1, read=True)
    notify(UserFactory(), "Theirs")

    # when the user lists them
    response = jwt_client.get(API_URL)

    # then they see their own two, newest first, in the documented shape
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [new.pk, old.pk]
    assert body["results"][1] == {
        "id": old.pk,
        "kind": "friend_request",
        "title": "Old",
        "body": "Someone wants to be friends.",
        "url": "/events/3/",
        "data": {"event_id": 3},
        "created_at": old.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "read_at": None,
        "read": False,
    }
    assert body["results"][0]["read"] is True
    assert body["results"][0]["read_at"] == new.read_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert (body["has_more"], body["page"], body["unread_count"]) == (False, 1, 1)


@pytest.mark.parametrize(("query", "expected"), [("?unread=true", ["Unread"]), ("?unread=false", ["Unread", "Read"])])
def test_api_unread_filter(user, jwt_client, query, expected):
    notify(user, "Read", minutes_ago=5, read=True)
    notify(user, "Unread", minutes_ago=1)

    response = jwt_client.get(API_URL + query)

    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == expected
    assert response.json()["unread_count"] == 1


def test_api_empty_unread_means_all_and_a_bad_one_is_400(user, jwt_client):
    notify(user, "Read", read=True)

    assert len(jwt_client.get(API_URL + "?unread=").json()["results"]) == 1
    bad = jwt_client.get(API_URL + "?unread=perhaps")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "unread" in bad.json()["errors"]


def test_api_pages_carry_the_unread_total_of_every_page(user, jwt_client):
    # given five notifications, four unread
    made = [notify(user, f"N{n}", minutes_ago=n, read=n == 4) for n in range(5)]

    # when they are read two at a time
    first = jwt_client.get(API_URL + "?limit=2").json()
    last = jwt_client.get(API_URL + "?limit=2&page=3").json()

    # then each page has the contract's keys plus the unread total
    assert set(first) == {"results", "has_more", "page", "next", "unread_count"}
    assert [item["id"] for item in first["results"]] == [made[0].pk, made[1].pk]
    assert (first["has_more"], first["page"], first["unread_count"]) == (True, 1, 4)
    assert [item["id"] for item in last["results"]] == [made[4].pk]
    assert (last["has_more"], last["page"], last["unread_count"]) == (False, 3, 4)


def test_api_list_query_count_does_not_grow_with_rows(user):
    client = bearer_client(user)
    notify(user, "One")
    notify(user, "Two")
    with CaptureQueriesContext(connection) as few:
        assert client.get(API_URL).status_code == 200
    for _ in range(31):
        notify_service(users=[user], kind="friend_request", title="More", body="")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(API_URL + "?limit=100").json()["results"]) == 33

    assert len(many) == len(few)


def test_api_marks_the_given_ids_read_and_ignores_other_players_ids(user, jwt_client):
    # given two unread notifications of the user and one of another player
    first, second = notify(user, "First"), notify(user, "Second")
    theirs = notify(UserFactory(), "Theirs")

    # when the user marks their first and the other player's one read
    response = jwt_client.post(READ_URL, {"ids": [first.pk, theirs.pk, 999_999_999]}, format="json")

    # then only their own one is read, and the answer is their remaining unread count
    assert response.status_code == 200
    assert response.json() == {"unread_count": 1}
    assert unread_ids(user) == {second.pk}
    assert unread_ids(theirs.user) == {theirs.pk}


def test_api_marks_all_read_when_no_ids_are_given(user, jwt_client):
    notify(user, "First")
    notify(user, "Second")
    theirs = notify(UserFactory(), "Theirs")

    response = jwt_client.post(READ_URL + "/", {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"unread_count": 0}
    assert unread_ids(user) == set()
    assert unread_ids(theirs.user) == {theirs.pk}


@pytest.mark.parametrize("ids", [["abc"], [0], [2**63], "1", None])
def test_api_refuses_malformed_ids(user, jwt_client, ids):
    notify(user)

    response = jwt_client.post(READ_URL, {"ids": ids}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert all(field.split(".")[0] == "ids" for field in response.json()["errors"])
    assert notifications_unread_count(user=user) == 1


def test_api_mark_read_by_session_needs_the_csrf_token(user, session_client):
    notify(user)

    response = session_client.post(READ_URL, {}, format="json")

    assert response.status_code == 403
    assert notifications_unread_count(user=user) == 1


def test_schema_documents_the_unread_count(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)

    listing = schema["paths"][API_URL]["get"]
    reference = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][reference.rpartition("/")[2]]
    assert {"results", "has_more", "page", "next", "unread_count"} <= set(body["required"])
    assert body["properties"]["unread_count"]["type"] == "integer"
    assert {parameter["name"] for parameter in listing["parameters"]} >= {"unread", "page", "limit"}
    reading = schema["paths"][READ_URL]["post"]
    assert "401" in reading["responses"]


# --- the page and the badge ------------------------------------------------------------------


@pytest.fixture
def browser(user, plain_static_storage):
    """A logged-in browser that must send the CSRF token, like a real one."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(browser) -> str:
    assert browser.get(PAGE_URL).status_code == 200
    return browser.cookies["csrftoken"].value


def test_page_needs_a_login(client):
    response = client.get(PAGE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_page_lists_own_notifications_newest_first_with_unread_highlighted(user, browser):
    # given one read and one unread notification with a link, and another player's
    notify(user, "Payout approved", minutes_ago=30, read=True)
    notify(user, "Cancelled: Merdeka Open", minutes_ago=1, url="/events/12/", body="RM 8.00 is back.")
    notify(UserFactory(), "Someone else's secret")

    # when the page is opened
    response = browser.get(PAGE_URL)

    # then the user's own are shown newest first, the unread one highlighted and linked
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else&#x27;s secret" not in page and "Someone else's secret" not in page
    assert page.index("Cancelled: Merdeka Open") < page.index("Payout approved")
    assert page.count('class="card notification is-unread"') == 1
    assert '<a href="/events/12/">Cancelled: Merdeka Open</a>' in page
    assert "RM 8.00 is back." in page
    assert "1 unread" in page
    assert "Mark all as read" in page
    # and when, in words: "a minute ago", "30 minutes ago"
    assert ">a minute ago</time>" in page
    assert ">30\u00a0minutes ago</time>" in page  # naturaltime keeps number and unit together


def test_page_mark_all_read(user, browser):
    # given three unread notifications and another player's
    for n in range(3):
        notify(user, f"N{n}")
    theirs = notify(UserFactory(), "Theirs")

    # when the user presses "Mark all as read"
    response = browser.post(PAGE_READ_URL, {"csrfmiddlewaretoken": csrf_token(browser)}, follow=True)

    # then all of theirs are read, nobody else's, and the page says so
    assert response.redirect_chain == [(PAGE_URL, 302)]
    assert unread_ids(user) == set()
    assert unread_ids(theirs.user) == {theirs.pk}
    page = response.content.decode()
    assert "Marked 3 notifications as read." in page
    assert "You're all caught up." in page
    assert "is-unread" not in page


def test_page_marks_one_read_and_stays_on_its_page(user, browser):
    first, second = notify(user, "First"), notify(user, "Second")
    theirs = notify(UserFactory(), "Theirs")

    response = browser.post(
        PAGE_READ_URL,
        {"csrfmiddlewaretoken": csrf_token(browser), "id": [str(first.pk), str(theirs.pk), "x1"], "page": "2"},
    )

    assert response.status_code == 302
    assert response["Location"] == PAGE_URL + "?page=2"
    assert unread_ids(user) == {second.pk}
    assert unread_ids(theirs.user) == {theirs.pk}


def test_page_refuses_a_post_without_the_csrf_token(user, browser):
    notify(user)

    response = browser.post(PAGE_READ_URL)

    assert response.status_code == 403
    assert notifications_unread_count(user=user) == 1


def test_page_is_paged_twenty_at_a_time(user, browser):
    for n in range(21):
        notify(user, f"Note {n:02d}", minutes_ago=n)

    first = browser.get(PAGE_URL).content.decode()
    second = browser.get(PAGE_URL + "?page=2").content.decode()

    assert "Note 19" in first and "Note 20" not in first and 'rel="next"' in first
    assert "Note 20" in second and "Note 19" not in second and 'rel="prev"' in second


def test_nav_badge_shows_the_unread_count_with_one_count_query(user, browser):
    # given two unread notifications and a read one
    notify(user, "A")
    notify(user, "B")
    notify(user, "C", read=True)

    # when any page is opened
    with CaptureQueriesContext(connection) as queries:
        page = browser.get("/").content.decode()

    # then the navigation shows 2 unread, from a single COUNT
    assert 'data-unread-count="2">2<span class="visually-hidden"> unread</span>' in page
    assert 'href="/notifications/"' in page
    counted = notification_queries(queries)
    assert len(counted) == 1 and "COUNT" in counted[0].upper()


def test_nav_badge_is_absent_when_everything_is_read_and_capped_at_99(user, browser):
    notify(user, "Read", read=True)
    assert "nav-badge" not in browser.get("/").content.decode()

    notify_service(users=[user], kind="friend_request", title="One", body="")
    for _ in range(99):
        notify_service(users=[user], kind="friend_request", title="More", body="")
    assert 'data-unread-count="100">99+<' in browser.get("/").content.decode()


def test_anonymous_visitors_get_no_bell_and_no_count_query(client, plain_static_storage):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()

    assert "nav-notifications" not in page
    assert notification_queries(queries) == []
