"""Social lists cost the same number of queries for 5 rows as for 50 (no query per row)."""

import pytest

from social.models import Friendship
from tests.conftest import bearer_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The caller's user (JWT), the listed player's existence, the page of rows.
FRIENDS_LIST_QUERIES = 3
# The caller's user (JWT), the page of requests with their senders.
REQUESTS_LIST_QUERIES = 2


def _accepted(requester, addressee) -> Friendship:
    return Friendship(requester=requester, addressee=addressee, status=Friendship.Status.ACCEPTED)


@pytest.mark.parametrize("size", [5, 50])
def test_friends_list_queries_do_not_grow_with_friends(django_assert_num_queries, size):
    # given a player with `size` friends, to whom the caller has every kind of relationship
    owner, caller = UserFactory(), UserFactory()
    friends = UserFactory.create_batch(size)
    rows = [
        _accepted(friend if index % 2 else owner, owner if index % 2 else friend)
        for index, friend in enumerate(friends)
    ]
    rows.append(_accepted(owner, caller))
    rows += [_accepted(caller, friend) for friend in friends[0::3]]
    rows += [Friendship(requester=caller, addressee=friend) for friend in friends[1::3]]
    rows += [Friendship(requester=friend, addressee=caller) for friend in friends[2::3]]
    Friendship.objects.bulk_create(rows)
    client = bearer_client(caller)

    # when the caller lists them all on one page
    with django_assert_num_queries(FRIENDS_LIST_QUERIES):
        response = client.get(f"/api/v1/users/{owner.pk}/friends", {"limit": 100})

    # then every friend is there with the caller's relationship to them
    assert response.status_code == 200
    relationships = {friend["id"]: friend["relationship"] for friend in response.json()["results"]}
    assert len(relationships) == size + 1
    assert relationships[caller.pk] == "self"
    assert {relationships[friend.pk] for friend in friends[0::3]} == {"friends"}
    assert {relationships[friend.pk] for friend in friends[1::3]} == {"request_sent"}
    assert {relationships[friend.pk] for friend in friends[2::3]} == {"request_received"}


@pytest.mark.parametrize("size", [5, 50])
def test_requests_list_queries_do_not_grow_with_requests(django_assert_num_queries, size):
    caller = UserFactory()
    senders = UserFactory.create_batch(size)
    Friendship.objects.bulk_create([Friendship(requester=sender, addressee=caller) for sender in senders])
    client = bearer_client(caller)

    with django_assert_num_queries(REQUESTS_LIST_QUERIES):
        response = client.get("/api/v1/friends/requests", {"limit": 100})

    assert response.status_code == 200
    assert {request["requester"]["username"] for request in response.json()["results"]} == {
        sender.username for sender in senders
    }
