"""The social graph's rules, at the service layer."""

import pytest

from driftwood.core.exceptions import RateLimited
from social import selectors
from social.exceptions import AlreadyFriends, NotFriends, NotPending, NotRecipient, SelfAction, UserNotFound
from social.models import Friendship, Report
from social.services import (
    follow_toggle,
    friend_remove,
    friend_request_accept,
    friend_request_reject,
    friend_request_send,
    report_create,
    star_toggle,
)
from tests.factories import UserFactory

# Cached reads are refreshed when a write commits, so these tests commit for real.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_hooks_run")]


@pytest.fixture
def ana():
    return UserFactory(username="ana")


@pytest.fixture
def ben():
    return UserFactory(username="ben")


def test_request_then_accept_makes_friends(ana, ben):
    sent = friend_request_send(requester=ana, target_id=ben.pk)
    assert (sent.outcome, sent.friendship.status) == ("sent", "pending")
    assert selectors.relationship(viewer_id=ana.pk, other_id=ben.pk) == "request_sent"
    assert selectors.relationship(viewer_id=ben.pk, other_id=ana.pk) == "request_received"

    friend_request_accept(user=ben, friendship_id=sent.friendship.pk)

    assert selectors.relationship(viewer_id=ana.pk, other_id=ben.pk) == "friends"
    assert selectors.social_counts(user_id=ana.pk)["friend_count"] == 1
    assert selectors.social_counts(user_id=ben.pk)["friend_count"] == 1


def test_a_second_request_is_not_a_duplicate(ana, ben):
    friend_request_send(requester=ana, target_id=ben.pk)

    again = friend_request_send(requester=ana, target_id=ben.pk)

    assert again.outcome == "already_sent"
    assert Friendship.objects.count() == 1


def test_asking_someone_who_asked_you_accepts_theirs(ana, ben):
    friend_request_send(requester=ana, target_id=ben.pk)

    crossed = friend_request_send(requester=ben, target_id=ana.pk)

    assert (crossed.outcome, crossed.friendship.status) == ("accepted", "accepted")
    assert Friendship.objects.count() == 1


def test_already_friends_self_and_unknown_are_refused(ana, ben):
    friend_request_send(requester=ana, target_id=ben.pk)
    friend_request_send(requester=ben, target_id=ana.pk)

    with pytest.raises(AlreadyFriends):
        friend_request_send(requester=ana, target_id=ben.pk)
    with pytest.raises(SelfAction):
        friend_request_send(requester=ana, target_id=ana.pk)
    with pytest.raises(UserNotFound):
        friend_request_send(requester=ana, target_id=999999)


def test_only_the_recipient_answers_and_only_once(ana, ben):
    friendship = friend_request_send(requester=ana, target_id=ben.pk).friendship

    with pytest.raises(NotRecipient):
        friend_request_accept(user=ana, friendship_id=friendship.pk)
    friend_request_reject(user=ben, friendship_id=friendship.pk)
    with pytest.raises(NotPending):
        friend_request_accept(user=ben, friendship_id=friendship.pk)
    # a rejected request can be made again
    assert friend_request_send(requester=ana, target_id=ben.pk).outcome == "sent"


def test_unfriend(ana, ben):
    friend_request_send(requester=ana, target_id=ben.pk)
    friend_request_send(requester=ben, target_id=ana.pk)

    friend_remove(user=ben, friend_id=ana.pk)

    assert selectors.relationship(viewer_id=ana.pk, other_id=ben.pk) == "none"
    with pytest.raises(NotFriends):
        friend_remove(user=ben, friend_id=ana.pk)


def test_follow_toggle_and_counts(ana, ben):
    assert follow_toggle(follower=ana, target_id=ben.pk) is True
    assert selectors.social_counts(user_id=ben.pk)["follower_count"] == 1
    assert follow_toggle(follower=ana, target_id=ben.pk) is False
    assert selectors.social_counts(user_id=ben.pk)["follower_count"] == 0
    with pytest.raises(SelfAction):
        follow_toggle(follower=ana, target_id=ana.pk)


def test_stars_are_private(ana, ben):
    assert star_toggle(user=ana, target_id=ben.pk) is True

    profile = selectors.user_profile(viewer_id=ben.pk, user_id=ana.pk)

    assert "star" not in str(profile)
    assert list(ana.stars.values_list("starred_id", flat=True)) == [ben.pk]


def test_second_report_within_a_day_is_rate_limited(ana, ben):
    report_create(reporter=ana, target_id=ben.pk, reason=Report.Reason.CHEATING, description="aimbot")

    with pytest.raises(RateLimited) as limited:
        report_create(reporter=ana, target_id=ben.pk, reason=Report.Reason.SPAM)

    assert 0 < limited.value.retry_after <= 86400
    assert Report.objects.count() == 1
    with pytest.raises(SelfAction):
        report_create(reporter=ana, target_id=ana.pk, reason=Report.Reason.SPAM)


def test_friend_list_has_relationships_and_hides_banned_players(ana, ben):
    carl = UserFactory(username="carl")
    for friend in (ben, carl):
        friend_request_send(requester=ana, target_id=friend.pk)
        friend_request_send(requester=friend, target_id=ana.pk)
    friend_request_send(requester=ben, target_id=carl.pk)

    as_ben = {user.username: user.relationship for user in selectors.friends_of(user_id=ana.pk, viewer_id=ben.pk)}
    carl.is_active = False
    carl.save()

    assert as_ben == {"ben": "self", "carl": "request_sent"}
    assert [user.username for user in selectors.friends_of(user_id=ana.pk, viewer_id=ana.pk)] == ["ben"]
