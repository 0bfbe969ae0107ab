"""What webhooks add to a step: nothing inside its transaction; after the commit one look for the
organizer's endpoints per step, and with an endpoint one INSERT of the deliveries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.models import WebhookDelivery
from tests.integrations.support import endpoint_for
from tests.integrations.test_webhook_targets import PUBLIC_URL
from tests.tournaments.test_match_engine import match, player_of, started_event
from tournaments.brackets.services.matches import match_report

pytestmark = pytest.mark.usefixtures("commit_hooks_run", "production_rules")


def report_statements(event, key: str) -> list[str]:
    """Both sides report the same score; the statements of the second (which completes the match)."""
    played = match(event, key)
    match_report(match_id=played.pk, actor=player_of(played.entry_a), score_a=2, score_b=0)
    with CaptureQueriesContext(connection) as captured:
        match_report(match_id=played.pk, actor=player_of(played.entry_b), score_a=2, score_b=0)
    return [query["sql"] for query in captured.captured_queries]


def test_without_endpoints_a_result_costs_one_look_after_the_commit():
    event, _ = started_event(8)

    statements = report_statements(event, "W1-1")

    assert sum("integrations_webhookendpoint" in sql for sql in statements) == 1
    assert not any("integrations_webhookdelivery" in sql for sql in statements)


def test_with_an_endpoint_a_result_and_the_match_it_readies_are_one_insert():
    event, _ = started_event(8)
    endpoint, _ = endpoint_for(event.organizer, PUBLIC_URL, ["match.completed", "match.ready"])
    report_statements(event, "W1-1")

    statements = report_statements(event, "W1-2")

    assert sum("integrations_webhookendpoint" in sql for sql in statements) == 1
    assert sum(sql.startswith("INSERT INTO integrations_webhookdelivery") for sql in statements) == 1
    types = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk").values_list("event_type", flat=True)
    assert list(types) == ["match.completed", "match.completed", "match.ready"]
