"""The lists' queries are planned as ordered index walks, never a scan of the whole table followed by a
sort (issue 15 item 7): checked with EXPLAIN (FORMAT JSON) on tables seeded large enough (and
ANALYZEd) that the planner would pick a sequential scan if the query left it no index to use.
`bench/scale.py` times the same lists at 1k and 100k rows."""

import json

import pytest
from django.db import connection

from chat.services import rooms_ensure_for
from driftwood.core.keyset import beyond, ordering_of
from tests.factories import EventFactory, UserFactory
from tournaments import selectors as event_selectors
from wallet import selectors as wallet_selectors
from wallet.services.balances import wallet_get_or_create

pytestmark = pytest.mark.django_db

ROWS = 20_000


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def plan_of(queryset) -> list[dict]:
    return list(nodes(json.loads(queryset.explain(format="json"))[0]["Plan"]))


def assert_index_walk(plan: list[dict], table: str) -> None:
    scans = [node for node in plan if node.get("Relation Name") == table]
    assert scans, f"{table} is not read at all"
    assert all(node["Node Type"] != "Seq Scan" for node in scans), [node["Node Type"] for node in plan]
    assert not [node for node in plan if node["Node Type"] in {"Sort", "Incremental Sort"}], "sorted, not walked"


@pytest.fixture
def many_events(user):
    """ROWS published events (and a few of the user's own), soonest start spread over the table."""
    event = EventFactory(organizer=user)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO tournaments_event (name, slug, game_id, tier, event_type, format, organizer_id, status,
                description, is_solo, team_size, max_participants, entry_fee, prize_pool, prize_distribution,
                starts_at, registration_closes_at, check_in_minutes, no_show_refund_percent, best_of,
                third_place_match, bracket_reset, groups, seeding, stream_url, created_at, updated_at)
               SELECT (ARRAY['Cup','Open','Masters','League'])[n %% 4 + 1] || ' ' || n, 'seeded-' || n, %s,
                'community', 'online', 'single_elimination', %s, 'registration_open', '', true, 1, 16, 0, 0,
                '[]', s, s - interval '1 hour', 60, 100, 1, false, true, 1, 'registration', '', now(), now()
               FROM generate_series(1, %s) AS n,
                LATERAL (SELECT now() + ((n * 7919) %% %s) * interval '1 minute') AS t(s)""",
            [event.game_id, UserFactory().pk, ROWS, ROWS],
        )
        cursor.execute("ANALYZE tournaments_event")
    return event


def test_the_events_list_walks_the_start_index_at_any_depth(user, many_events):
    events = event_selectors.event_list(user=user)
    # half way down: the cursor's bound alone would leave ROWS / 2 rows to sort
    row = events[ROWS // 2]

    first = plan_of(events[:21])
    deep = plan_of(events.filter(beyond(ordering_of(events), (row.starts_at, row.pk)))[:21])

    assert_index_walk(first, "tournaments_event")
    assert_index_walk(deep, "tournaments_event")


def test_the_event_counts_are_per_row_not_a_grouping_of_every_event(user, many_events):
    plan = plan_of(event_selectors.event_list(user=user)[:21])

    assert not [node for node in plan if node["Node Type"] == "Aggregate" and node.get("Strategy") != "Plain"]


def test_a_rare_search_term_reads_the_trigram_index(user, many_events):
    plan = plan_of(event_selectors.event_list(user=user, search="Masters 1234")[:21])

    assert "event_name_trgm" in {node.get("Index Name") for node in plan}
    assert all(node["Node Type"] != "Seq Scan" for node in plan if node.get("Relation Name") == "tournaments_event")


def test_the_rooms_of_a_player_do_not_scan_the_events(user, many_events):
    from tournaments.selectors import events_with_member

    plan = plan_of(events_with_member(user.pk))

    assert all(node["Node Type"] != "Seq Scan" for node in plan if node.get("Relation Name") == "tournaments_event")
    rooms_ensure_for(user_id=user.pk)  # and the service built on it still runs


def test_the_ledger_walks_the_wallet_index_at_any_depth(user):
    wallet = wallet_get_or_create(user=user)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no leg-balance trigger for the seed
        cursor.execute(
            """INSERT INTO wallet_ledgertransaction (transaction_type, description, currency, metadata, created_at)
               SELECT 'topup', 'Top-up', 'MYR', '{}', now() FROM generate_series(1, %s)""",
            [ROWS],
        )
        cursor.execute(
            """INSERT INTO wallet_ledgerentry (ledger_transaction_id, wallet_id, transaction_type, amount,
                pending_amount, usable_after, pending_after, description, metadata, created_at)
               SELECT t.id, %s, 'topup', 1, 0, 1, 0, 'Top-up', '{}', now() - t.id * interval '1 second'
               FROM wallet_ledgertransaction t""",
            [wallet.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE wallet_ledgerentry")
    entries = wallet_selectors.ledger_entries(user=user)
    row = entries[ROWS // 2]

    assert_index_walk(plan_of(entries[:51]), "wallet_ledgerentry")
    assert_index_walk(
        plan_of(entries.filter(beyond(ordering_of(entries), (row.created_at, row.pk)))[:51]), "wallet_ledgerentry"
    )
