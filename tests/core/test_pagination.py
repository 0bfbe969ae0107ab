import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


@pytest.fixture
def users(user):
    return [user, *UserFactory.create_batch(24)]


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_default_page_is_twenty_with_has_more(jwt_client, users):
    body = jwt_client.get("/api/v1/test/users").json()

    assert set(body) == {"results", "has_more", "page", "next"}
    assert len(body["results"]) == 20
    assert body["has_more"] is True
    assert body["page"] == 1


def test_last_page_has_no_more(jwt_client, users):
    body = jwt_client.get("/api/v1/test/users?page=2").json()

    assert len(body["results"]) == 5
    assert body == {"results": body["results"], "has_more": False, "page": 2, "next": None}


def test_pages_do_not_overlap(jwt_client, users):
    first = ids(jwt_client.get("/api/v1/test/users?limit=10&page=1"))
    second = ids(jwt_client.get("/api/v1/test/users?limit=10&page=2"))

    assert len(set(first) | set(second)) == 20


def test_limit_above_max_is_clamped_to_100(jwt_client, users):
    UserFactory.create_batch(80)

    body = jwt_client.get("/api/v1/test/users?limit=500").json()

    assert len(body["results"]) == 100
    assert body["has_more"] is True


def test_beyond_the_end_is_an_empty_page(jwt_client, users):
    assert jwt_client.get("/api/v1/test/users?page=50").json() == {
        "results": [],
        "has_more": False,
        "page": 50,
        "next": None,
    }


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=99999999999999999999", "limit=0", "limit=x"])
def test_bad_page_or_limit_is_400(jwt_client, users, query):
    response = jwt_client.get(f"/api/v1/test/users?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_no_count_query(jwt_client, users):
    with CaptureQueriesContext(connection) as queries:
        jwt_client.get("/api/v1/test/users")

    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
