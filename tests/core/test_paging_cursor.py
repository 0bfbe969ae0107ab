"""The browser pages' `paginate` on a queryset: page numbers while shallow, keyset cursors beyond
MAX_PAGE (the same cost however deep), and a previous link back from a cursor page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory

from driftwood.accounts.models import User
from driftwood.core.pagination import MAX_PAGE
from driftwood.core.paging import paginate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def get(query: dict | None = None):
    return RequestFactory().get("/list/", query or {})


def query_of(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def users():
    UserFactory.create_batch(MAX_PAGE + 3)
    return User.objects.order_by("pk")


def test_the_last_numbered_page_links_onward_by_cursor(users):
    page = paginate(get({"page": str(MAX_PAGE), "type": "prize"}), users, 1)

    assert page.number == MAX_PAGE and page.has_next
    onward = query_of(page.next_url)
    assert set(onward) == {"type", "cursor"}

    deeper = paginate(get(onward), users, 1)

    assert deeper.number == MAX_PAGE + 1
    assert [user.pk for user in deeper.items] == [list(users)[MAX_PAGE].pk]
    assert deeper.previous_url == f"?type=prize&page={MAX_PAGE}"


def test_cursor_pages_walk_to_the_end_and_back(users):
    page = paginate(get({"page": str(MAX_PAGE)}), users, 1)
    shown = []
    while page.has_next:
        page = paginate(get(query_of(page.next_url)), users, 1)
        shown += [user.pk for user in page.items]
    assert shown == [user.pk for user in list(users)[MAX_PAGE:]]
    assert page.number == MAX_PAGE + 3

    back = paginate(get(query_of(page.previous_url)), users, 1)

    assert back.number == MAX_PAGE + 2
    assert [user.pk for user in back.items] == [list(users)[MAX_PAGE + 1].pk]
    assert back.has_next and "cursor" in back.next_url


@pytest.mark.parametrize("cursor", ["garbage", "x" * 2000])
def test_an_unreadable_cursor_is_the_first_page(users, cursor):
    page = paginate(get({"cursor": cursor}), users, 10)

    assert page.number == 1
    assert [user.pk for user in page.items] == [user.pk for user in list(users)[:10]]
