"""A two-stage tournament through the REST API: 16 players in 4 round robin groups, the top 2 of each
into a double elimination playoff, from registration to prize payout, every sen accounted for.

The organizer creates the event with its playoff settings, players join paying from their wallets
and check in, the organizer starts it, and players report every ready match: the playoff appears by
itself when the last group match completes, seeded across the groups. The prizes are paid after the
dispute window by `manage.py process_results`, every balance is checked and the ledger reconciles.
"""

import io
import random
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from driftwood.notifications.models import Notification
from tests.conftest import bearer_client
from tests.factories import GameFactory, UserFactory, funded_wallet
from tests.tournaments.test_bracket_api_tournaments import (
    CENT,
    ENTRY_FEE,
    EVENTS,
    ORGANIZER_FUNDS,
    PLAYER_FUNDS,
    PRIZE_POOL,
    assert_match_shape,
    balance,
    event_status,
    expected_prizes,
    matches_of,
)
from tournaments.brackets.formats.advance import earliest_meeting
from tournaments.models import Entry, Event, PrizePayout
from tournaments.services.events import escrow_wallet
from wallet.models import LedgerEntry
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE, platform_wallet_get_or_create

pytestmark = pytest.mark.django_db

ENTRANTS, GROUPS, ADVANCE = 16, 4, 2


def report_both(clients: dict, match: dict, score_a: int, score_b: int) -> None:
    body = {"score_a": score_a, "score_b": score_b}
    first = clients[match["entry_a"]["user_id"]].post(f"/api/v1/matches/{match['id']}/report", body)
    assert first.status_code == 200, first.json()
    second = clients[match["entry_b"]["user_id"]].post(f"/api/v1/matches/{match['id']}/report", body)
    assert second.status_code == 200, second.json()
    assert second.json()["status"] == "completed"


def score(match: dict, rng: random.Random) -> tuple[int, int]:
    """Draws only in the groups; the losers-bracket champion takes the grand final so the reset is played."""
    if match["bracket"] == "group" and rng.random() < 0.2:
        return 1, 1
    if match["bracket"] == "final" and match["b_source"] == "winner":
        return 0, 2
    a_better = match["entry_a"]["seed"] < match["entry_b"]["seed"]
    return (2, 1) if (a_better if rng.random() < 0.7 else not a_better) else (1, 2)


def group_points(matches: list[dict]) -> dict[int, int]:
    points: dict[int, int] = defaultdict(int)
    for match in matches:
        if match["winner"] is None:
            points[match["entry_a"]["id"]] += 1
            points[match["entry_b"]["id"]] += 1
        else:
            points[match["winner"]["id"]] += 3
    return points


def test_groups_then_a_double_elimination_playoff_from_registration_to_payout(settings):
    settings.RESULTS_DISPUTE_WINDOW = timedelta(hours=24)
    rng = random.Random(19)

    # given an organizer creating a prize event: 4 round robin groups, the top 2 of each into a DE playoff
    organizer = UserFactory()
    funded_wallet(organizer, str(ORGANIZER_FUNDS))
    organizer_client = bearer_client(organizer)
    starts_at = timezone.now() + timedelta(minutes=30)
    created = organizer_client.post(
        EVENTS,
        {
            "name": "Two-stage Cup",
            "game": GameFactory().pk,
            "format": "round_robin",
            "groups": GROUPS,
            "playoff_format": "double_elimination",
            "playoff_advance": ADVANCE,
            "playoff_best_of": 3,
            "bracket_reset": True,
            "max_participants": ENTRANTS,
            "entry_fee": str(ENTRY_FEE),
            "prize_pool": str(PRIZE_POOL),
            "prize_distribution": [50, 30, 20],
            "starts_at": starts_at.isoformat(),
            "registration_closes_at": (starts_at - timedelta(minutes=10)).isoformat(),
            "check_in_minutes": 60,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    event_id = created.json()["id"]
    assert (created.json()["playoff_format"], created.json()["playoff_advance"]) == ("double_elimination", 2)
    assert organizer_client.post(f"{EVENTS}/{event_id}/publish").status_code == 200
    stages = organizer_client.get(f"{EVENTS}/{event_id}/stages").json()
    assert stages == []

    # and 16 players who join paying from their wallets and check in
    players = [UserFactory() for _ in range(ENTRANTS)]
    clients = {user.pk: bearer_client(user) for user in players}
    for user in players:
        funded_wallet(user, str(PLAYER_FUNDS))
        joined = clients[user.pk].post(f"{EVENTS}/{event_id}/join", {"payment_method": "wallet"}, format="json")
        assert joined.status_code == 201, joined.json()
        assert clients[user.pk].post(f"{EVENTS}/{event_id}/check-in").status_code == 200

    # when the organizer starts it
    started = organizer_client.post(f"{EVENTS}/{event_id}/start")
    assert started.status_code == 200, started.json()

    # then only the group stage is drawn: 4 groups of 4, 6 matches each; the playoff is planned
    group_matches = matches_of(organizer_client, event_id)
    assert_match_shape(group_matches)
    assert len(group_matches) == GROUPS * 6 and {match["bracket"] for match in group_matches} == {"group"}
    stages = organizer_client.get(f"{EVENTS}/{event_id}/stages").json()
    assert [(stage["number"], stage["format"], stage["status"]) for stage in stages] == [
        (1, "round_robin", "ongoing"),
        (2, "double_elimination", "planned"),
    ]
    assert stages[1]["advance"] == ADVANCE and stages[1]["best_of"] == 3 and stages[1]["entries"] == []

    # when every group match is played
    for match in group_matches:
        report_both(clients, match, *score(match, rng))

    # then the playoff is drawn at once: the top 2 of each group (by the group tables), 8 entrants
    stages = organizer_client.get(f"{EVENTS}/{event_id}/stages").json()
    assert [stage["status"] for stage in stages] == ["completed", "ongoing"]
    tables = stages[0]["groups"]
    assert [len(table["entries"]) for table in tables] == [4] * GROUPS
    points = group_points(group_matches)
    for table in tables:
        ranked = [points[entry["id"]] for entry in table["entries"]]
        assert ranked == sorted(ranked, reverse=True)
    advanced = stages[1]["entries"]
    assert [entry["id"] for entry in advanced[:GROUPS]] == [table["entries"][0]["id"] for table in tables]
    assert {entry["id"] for entry in advanced} == {
        entry["id"] for table in tables for entry in table["entries"][:ADVANCE]
    }
    group_of = {entry["id"]: index for index, table in enumerate(tables) for entry in table["entries"]}
    for seed_a, entry_a in enumerate(advanced, start=1):
        for seed_b, entry_b in enumerate(advanced, start=1):
            if seed_a < seed_b and group_of[entry_a["id"]] == group_of[entry_b["id"]]:
                assert earliest_meeting(len(advanced), seed_a, seed_b) == 3  # only in the winners final
    everything = matches_of(organizer_client, event_id)
    playoff = [match for match in everything if match["bracket"] != "group"]
    assert len(playoff) == 2 * 8 - 1  # 14 matches and the conditional reset
    ready = [match for match in playoff if match["status"] == "ready"]
    assert len(ready) == 4 and all(match["best_of"] == 3 for match in playoff)
    # (players hear who went through, and who did not)
    assert Notification.objects.filter(kind="stage_completed").count() == ENTRANTS

    # when the playoff is played to the end
    for _ in range(20):
        if event_status(organizer_client, event_id) == "completed":
            break
        for match in [m for m in matches_of(organizer_client, event_id) if m["status"] == "ready"]:
            report_both(clients, match, *score(match, rng))
    assert event_status(organizer_client, event_id) == "completed"

    # then the playoff decides places 1-8 and the groups' 3rd and 4th share 9th and 13th
    entries = list(Entry.objects.filter(event_id=event_id, status=Entry.Status.ACTIVE).select_related("registration"))
    place_of = {entry.pk: entry.placement for entry in entries}
    final = [
        match
        for match in matches_of(organizer_client, event_id)
        if match["bracket"] == "final" and match["status"] == "completed"
    ]
    assert place_of[final[-1]["winner"]["id"]] == 1
    assert sorted(place_of[entry["id"]] for entry in advanced) == [1, 2, 3, 4, 5, 5, 7, 7]
    for table in tables:
        assert [place_of[entry["id"]] for entry in table["entries"][ADVANCE:]] == [9, 13]
    stages = organizer_client.get(f"{EVENTS}/{event_id}/stages").json()
    assert [stage["status"] for stage in stages] == ["completed", "completed"]

    # and nothing is paid inside the dispute window; after it, process_results pays once
    call_command("process_results", stdout=io.StringIO())
    assert not PrizePayout.objects.exists()
    Event.objects.filter(pk=event_id).update(completed_at=timezone.now() - timedelta(hours=25))
    call_command("process_results", stdout=io.StringIO())
    call_command("process_results", stdout=io.StringIO())
    event = Event.objects.get(pk=event_id)
    assert event.prizes_paid_at is not None
    expected = expected_prizes(entries)
    assert len(expected) == 3 and sum(expected.values()) == PRIZE_POOL
    assert {payout.user_id: payout.amount for payout in PrizePayout.objects.filter(event=event)} == expected
    assert LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.PRIZE, amount__gt=0).count() == 3

    # and every balance is explained: the organizer, the platform, each player, an empty escrow
    collected = ENTRY_FEE * ENTRANTS
    platform_fee = (collected * settings.PLATFORM_FEE_PERCENT / 100).quantize(CENT, rounding=ROUND_DOWN)
    assert balance(organizer) == ORGANIZER_FUNDS - PRIZE_POOL + collected - platform_fee
    assert platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE).usable_balance == platform_fee
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    for user in players:
        assert balance(user) == PLAYER_FUNDS - ENTRY_FEE + expected.get(user.pk, Decimal("0.00"))
    report = wallet_reconcile()
    assert report.problems == []
    assert report.held == ORGANIZER_FUNDS + PLAYER_FUNDS * ENTRANTS
