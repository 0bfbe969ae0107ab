"""What reporting a score costs (issue 15): at most five statements for its row changes however large
the bracket, plus one INSERT per notice it gives (issue 17: the other side, or each match it makes
ready; `notify` writes every recipient's row in that one statement).

The event lock, the match with everything the engine reads about it, the new report, the match's
own update and one update of the matches it feeds. The savepoint pair around the service's atomic
block is the test's own transaction (in production that block is the outermost and costs none).
After the commit nothing is read again: the live frames are built from what the INSERT returned.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tournaments.test_match_engine import match, player_of, started_event
from tournaments.brackets.services.matches import match_report
from tournaments.models import Match

Status = Match.Status
MAX_QUERIES = 5


NOTICE = "INSERT INTO notifications_notification"


def statements(queries) -> list[str]:
    return [query["sql"] for query in queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def row_changes(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if NOTICE not in sql]


def notices(sqls: list[str]) -> int:
    return sum(NOTICE in sql for sql in sqls)


def report(match_id: int, actor, score_a: int, score_b: int) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        match_report(match_id=match_id, actor=actor, score_a=score_a, score_b=score_b)
    return statements(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("entrants", [8, 16])
def test_a_report_that_completes_and_advances_a_match_costs_at_most_five_queries(entrants):
    # given a double elimination, whose first-round matches feed two matches each
    event, _ = started_event(entrants, format="double_elimination")
    first, second = match(event, "W1-1"), match(event, "W1-2")

    # when side a reports, then side b agrees
    reported = report(first.pk, player_of(first.entry_a), 2, 0)
    agreed = report(first.pk, player_of(first.entry_b), 2, 0)
    # and the organizer enters the next result
    entered = report(second.pk, event.organizer, 0, 2)

    # then each costs at most five statements for its row changes, plus one notice statement per
    # happening (the other side told of the report; each of the two matches made ready), and the
    # bracket moved on
    assert len(row_changes(reported)) <= MAX_QUERIES and notices(reported) == 1, reported
    assert len(row_changes(agreed)) <= MAX_QUERIES and notices(agreed) == 0, agreed
    assert len(row_changes(entered)) <= MAX_QUERIES and notices(entered) == 2, entered
    winners_next, losers_next = match(event, "W2-1"), match(event, "L1-1")
    assert (winners_next.entry_a_id, winners_next.entry_b_id) == (first.entry_a_id, second.entry_b_id)
    assert (losers_next.entry_a_id, losers_next.entry_b_id) == (first.entry_b_id, second.entry_a_id)
    assert winners_next.status == losers_next.status == Status.READY


@pytest.mark.django_db
def test_conflicting_reports_stay_cheap_too():
    # given a single elimination of eight
    event, _ = started_event(8)
    first = match(event, "W1-1")
    report(first.pk, player_of(first.entry_a), 2, 0)

    # when side b claims the opposite result
    disputed = report(first.pk, player_of(first.entry_b), 0, 2)

    # then the match is disputed (and the organizer told) within the same budget
    assert match(event, "W1-1").status == Status.DISPUTED
    assert len(row_changes(disputed)) <= MAX_QUERIES and notices(disputed) == 1, disputed
