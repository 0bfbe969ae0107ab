"""Rate limits live in Redis, so two server processes enforce one shared limit."""

import json
import urllib.error
import urllib.request

import pytest

from tests import services
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def login(base_url: str, username: str, password: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/login",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_servers():
    services.require_redis()
    started = [services.start_daphne(), services.start_daphne()]
    yield [url for _process, url in started]
    for process, _url in started:
        services.stop(process, at_once=True)


def test_failed_logins_are_counted_across_processes(two_servers):
    user = UserFactory()
    first, second = two_servers

    statuses = [login(server, user.username, "wrong") for server in (first, second, first, second, first)]

    assert statuses == [401] * 5
    assert login(second, user.username, TEST_PASSWORD) == 429
    assert login(first, user.username, TEST_PASSWORD) == 429
