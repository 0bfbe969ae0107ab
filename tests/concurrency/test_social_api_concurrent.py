"""The social API under real concurrency: crossed friend requests, duplicate reports, and cached
profiles that are never stale right after a write. Each thread has its own client and connection."""

import threading

import pytest

from social.models import Friendship, Report
from tests.concurrency.helpers import run_in_threads
from tests.conftest import bearer_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1"
ROUNDS = 20


def _answer(response) -> tuple[int, dict, str | None]:
    return response.status_code, response.json(), response.get("Retry-After")


def test_crossed_requests_at_the_same_moment_make_one_accepted_friendship():
    for _ in range(ROUNDS):
        # given two fresh players who each ask the other at the same moment
        ana, ben = UserFactory(), UserFactory()
        sides = [(bearer_client(ana), ben), (bearer_client(ben), ana)]

        def send(index: int, sides=sides):
            client, target = sides[index]
            return _answer(client.post(f"{API}/friends/request", {"target_user_id": target.pk}))

        outcomes = run_in_threads(2, send)

        # then one request was sent and the other accepted it: one row, accepted
        assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
        by_status = {status: body["friendship"] for status, body, _ in outcomes}
        assert sorted(by_status) == [200, 201], outcomes
        assert (by_status[201]["status"], by_status[200]["status"]) == ("pending", "accepted")
        assert by_status[200]["id"] == by_status[201]["id"]
        rows = Friendship.objects.filter(requester__in=(ana, ben))
        assert [row.status for row in rows] == ["accepted"]
        for client, target in sides:
            assert client.get(f"{API}/users/{target.pk}").json()["relationship"] == "friends"


def test_two_reports_at_the_same_moment_make_one():
    for _ in range(5):
        reporter, reported = UserFactory(), UserFactory()
        clients = [bearer_client(reporter), bearer_client(reporter)]

        outcomes = run_in_threads(
            2,
            lambda index, clients=clients, reported=reported: _answer(
                clients[index].post(f"{API}/users/{reported.pk}/report", {"reason": "cheating"})
            ),
        )

        assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
        (created, _, _), (limited, body, retry_after) = sorted(outcomes, key=lambda outcome: outcome[0])
        assert (created, limited, body["code"]) == (201, 429, "rate_limited"), outcomes
        assert int(retry_after) > 0
        assert Report.objects.filter(reporter=reporter, reported=reported).count() == 1


def _profile(client, user) -> dict:
    response = client.get(f"{API}/users/{user.pk}")
    assert response.status_code == 200, response.content
    return response.json()


def test_profile_is_fresh_right_after_each_write():
    # given three players whose profiles have all been read (and cached) before each write
    ana, ben, carl = UserFactory(), UserFactory(), UserFactory()
    as_ana, as_ben, as_carl = bearer_client(ana), bearer_client(ben), bearer_client(carl)

    def seen() -> tuple:
        return (
            _profile(as_ana, ben),
            _profile(as_ben, ana),
            _profile(as_carl, ben),
            _profile(as_carl, ana),
        )

    def counts(body: dict) -> tuple[int, int, int]:
        return body["friend_count"], body["follower_count"], body["following_count"]

    seen()
    as_ana.post(f"{API}/follow/{ben.pk}")
    ana_sees_ben, ben_sees_ana, carl_sees_ben, carl_sees_ana = seen()
    assert (ana_sees_ben["following"], counts(ana_sees_ben)) == (True, (0, 1, 0))
    assert (counts(carl_sees_ben), counts(carl_sees_ana), counts(ben_sees_ana)) == ((0, 1, 0), (0, 0, 1), (0, 0, 1))

    request = as_ana.post(f"{API}/friends/request", {"target_user_id": ben.pk}).json()["friendship"]
    ana_sees_ben, ben_sees_ana, _, _ = seen()
    assert (ana_sees_ben["relationship"], ben_sees_ana["relationship"]) == ("request_sent", "request_received")

    as_ben.post(f"{API}/friends/{request['id']}/accept")
    ana_sees_ben, ben_sees_ana, carl_sees_ben, carl_sees_ana = seen()
    assert (ana_sees_ben["relationship"], ben_sees_ana["relationship"]) == ("friends", "friends")
    assert (counts(carl_sees_ben), counts(carl_sees_ana)) == ((1, 1, 0), (1, 0, 1))

    as_ben.delete(f"{API}/friends/{ana.pk}")
    ana_sees_ben, ben_sees_ana, carl_sees_ben, carl_sees_ana = seen()
    assert (ana_sees_ben["relationship"], ben_sees_ana["relationship"]) == ("none", "none")
    assert (counts(carl_sees_ben), counts(carl_sees_ana)) == ((0, 1, 0), (0, 0, 1))

    as_ana.post(f"{API}/follow/{ben.pk}")
    ana_sees_ben, _, carl_sees_ben, carl_sees_ana = seen()
    assert (ana_sees_ben["following"], counts(carl_sees_ben), counts(carl_sees_ana)) == (False, (0, 0, 0), (0, 0, 0))


def test_profile_is_fresh_after_each_write_while_others_keep_reading_it(settings):
    settings.RATELIMIT_ENABLE = False  # both threads send far more than 100 requests a minute
    # given a reader thread that keeps reading (and so caching) both profiles while the writes happen
    ana, ben = UserFactory(), UserFactory()
    writes_done = threading.Event()

    def reader() -> int:
        as_ana, as_ben = bearer_client(ana), bearer_client(ben)
        reads = 0
        while not writes_done.is_set():
            _profile(as_ana, ben)
            _profile(as_ben, ana)
            reads += 1
        return reads

    def writer() -> list:
        as_ana, as_ben = bearer_client(ana), bearer_client(ben)
        stale = []

        def expect(step: str, client, user, **fields) -> None:
            body = _profile(client, user)
            if {key: body[key] for key in fields} != fields:
                stale.append((step, fields, body))

        try:
            for _ in range(10):
                followed = as_ana.post(f"{API}/follow/{ben.pk}").json()
                expect("follow", as_ana, ben, following=True, follower_count=1)
                assert followed == {"following": True, "follower_count": 1}
                request = as_ana.post(f"{API}/friends/request", {"target_user_id": ben.pk}).json()["friendship"]
                expect("request", as_ana, ben, relationship="request_sent", friend_count=0)
                expect("request", as_ben, ana, relationship="request_received", following_count=1)
                as_ben.post(f"{API}/friends/{request['id']}/accept")
                expect("accept", as_ana, ben, relationship="friends", friend_count=1)
                expect("accept", as_ben, ana, relationship="friends", friend_count=1)
                as_ana.delete(f"{API}/friends/{ben.pk}")
                expect("unfriend", as_ben, ana, relationship="none", friend_count=0)
                unfollowed = as_ana.post(f"{API}/follow/{ben.pk}").json()
                expect("unfollow", as_ana, ben, following=False, follower_count=0)
                assert unfollowed == {"following": False, "follower_count": 0}
        finally:
            writes_done.set()
        return stale

    # when one thread writes and reads back while the other reads
    outcomes = run_in_threads(2, lambda index: writer() if index == 0 else reader())

    # then every read right after a write saw it
    stale, reads = outcomes
    assert stale == [], stale
    assert isinstance(reads, int) and reads > 0, reads
