"""Crossed friend requests and duplicate reports, sent at the same moment from real threads."""

import pytest

from driftwood.core.exceptions import RateLimited
from social.models import Friendship, Report
from social.services import friend_request_send, report_create
from tests.concurrency.helpers import run_in_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_requests_in_both_directions_at_once_make_one_friendship():
    for _ in range(20):
        ana, ben = UserFactory(), UserFactory()
        pair = [(ana, ben), (ben, ana)]

        def send(index: int, pair=pair):
            requester, target = pair[index]
            return friend_request_send(requester=requester, target_id=target.pk)

        outcomes = run_in_threads(2, send)

        assert sorted(outcome.outcome for outcome in outcomes) == ["accepted", "sent"], outcomes
        rows = Friendship.objects.filter(requester__in=(ana, ben))
        assert [row.status for row in rows] == ["accepted"]


def test_two_reports_at_once_make_one():
    reporter, reported = UserFactory(), UserFactory()

    outcomes = run_in_threads(
        2, lambda _: report_create(reporter=reporter, target_id=reported.pk, reason=Report.Reason.SPAM)
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["RateLimited", "Report"]
    assert any(isinstance(outcome, RateLimited) for outcome in outcomes)
    assert Report.objects.filter(reporter=reporter, reported=reported).count() == 1
