"""Keyset cursors on every list (API.md, Additions > Lists): `next` continues after the last row at
any depth, `?page=` is capped, and a cursor this server did not make is a 400, never a 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from driftwood.core.keyset import Key, encode
from driftwood.core.pagination import MAX_PAGE
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


@pytest.fixture
def users(user):
    return [user, *UserFactory.create_batch(24)]


def walk(client, path: str, limit: int) -> tuple[list[int], list[dict]]:
    """Every id of a list, following `next` from the first page; the bodies too."""
    bodies = [client.get(path, {"limit": limit}).json()]
    while bodies[-1]["next"]:
        response = client.get(path, {"limit": limit, "cursor": bodies[-1]["next"]})
        assert response.status_code == 200
        bodies.append(response.json())
    return [row["id"] for body in bodies for row in body["results"]], bodies


def test_following_next_walks_the_whole_list_once(jwt_client, users):
    ids, bodies = walk(jwt_client, "/api/v1/test/users", 7)

    assert ids == sorted((user.pk for user in users), reverse=True)
    assert [body["page"] for body in bodies] == [1, 2, 3, 4]
    assert [body["has_more"] for body in bodies] == [True, True, True, False]
    assert bodies[-1]["next"] is None


def test_rows_added_between_pages_neither_repeat_nor_shift_the_walk(jwt_client, users):
    first = jwt_client.get("/api/v1/test/users?limit=10").json()
    # newer rows sort before the cursor: an OFFSET page 2 would now repeat the last 3 rows shown
    UserFactory.create_batch(3)
    second = jwt_client.get("/api/v1/test/users", {"limit": 10, "cursor": first["next"]}).json()
    third = jwt_client.get("/api/v1/test/users", {"limit": 10, "cursor": second["next"]}).json()

    seen = [row["id"] for body in (first, second, third) for row in body["results"]]
    assert seen == sorted((user.pk for user in users), reverse=True)
    assert third["next"] is None


def test_a_deep_cursor_page_costs_one_query_without_offset(jwt_client, users):
    _ids, bodies = walk(jwt_client, "/api/v1/test/users", 5)

    with CaptureQueriesContext(connection) as queries:
        jwt_client.get("/api/v1/test/users", {"limit": 5, "cursor": bodies[-2]["next"]})

    selects = [query["sql"] for query in queries.captured_queries if "accounts_user" in query["sql"]]
    assert selects and not any("OFFSET" in sql.upper() for sql in selects)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "x" * 1001,
        "eyJrIjpbMV0sInAiOjF9",  # a well-formed but unsigned payload
        "' OR 1=1 --",
    ],
)
def test_a_cursor_this_server_did_not_make_is_a_400(jwt_client, users, cursor):
    response = jwt_client.get("/api/v1/test/users", {"cursor": cursor})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "cursor" in body["errors"]


def test_an_altered_cursor_is_a_400(jwt_client, users):
    cursor = jwt_client.get("/api/v1/test/users?limit=5").json()["next"]
    altered = cursor[:-3] + ("AAA" if cursor[-3:] != "AAA" else "BBB")

    assert jwt_client.get("/api/v1/test/users", {"cursor": altered}).status_code == 400


def test_a_cursor_made_for_another_ordering_is_a_400(jwt_client, users):
    other = encode((Key("username", False), Key("pk", False)), users[0], page=2)

    assert jwt_client.get("/api/v1/test/users", {"cursor": other}).json()["code"] == "invalid"


def test_page_and_cursor_together_are_a_400(jwt_client, users):
    cursor = jwt_client.get("/api/v1/test/users?limit=5").json()["next"]

    response = jwt_client.get("/api/v1/test/users", {"cursor": cursor, "page": "2"})

    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_page_beyond_the_maximum_is_a_400_that_points_to_the_cursor(jwt_client, users):
    assert jwt_client.get(f"/api/v1/test/users?page={MAX_PAGE}").status_code == 200

    response = jwt_client.get(f"/api/v1/test/users?page={MAX_PAGE + 1}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["page"] == [f"Must be at most {MAX_PAGE}. Follow `next` with `cursor` for deeper pages."]


def test_an_offset_page_also_hands_out_the_cursor_to_the_page_after_it(jwt_client, users):
    page_two = jwt_client.get("/api/v1/test/users?limit=10&page=2").json()
    page_three = jwt_client.get("/api/v1/test/users?limit=10&page=3").json()

    after_two = jwt_client.get("/api/v1/test/users", {"limit": 10, "cursor": page_two["next"]}).json()

    assert after_two["results"] == page_three["results"]
    assert after_two["page"] == 3
