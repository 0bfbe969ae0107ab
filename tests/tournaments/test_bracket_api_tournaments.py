"""Whole tournaments through the REST API, one per format: check-in to prize payout, every sen accounted for.

Each test is what a mobile client does: the organizer creates and publishes a prize event,
players join paying from their wallets and check in (one never does and is dropped at the
start, refunded per the event's policy), the organizer starts it, and the players report
every ready match until the event is completed. Then the prizes are paid, either at once
(no dispute window) or by `manage.py process_results` once the window has passed, and every
balance is checked against what the rules say it must be.
"""

import io
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import bearer_client
from tests.factories import GameFactory, UserFactory, funded_wallet
from tournaments.models import Entry, Event, PrizePayout, Registration
from tournaments.services.events import escrow_wallet
from wallet.models import LedgerEntry, Wallet
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE, platform_wallet_get_or_create

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events"
CENT = Decimal("0.01")
ORGANIZER_FUNDS = Decimal("500.00")
PLAYER_FUNDS = Decimal("50.00")
ENTRY_FEE = Decimal("10.00")
PRIZE_POOL = Decimal("100.00")
DISTRIBUTION = [50, 30, 20]
MATCH_FIELDS = {"id", "round", "position", "bracket", "entry_a", "entry_b", "score_a", "score_b", "winner", "status"}
GROUP_FORMATS = ("round_robin", "swiss")


@dataclass(frozen=True)
class Case:
    format: str
    entrants: int
    options: dict
    # "now": no dispute window, paid as the last match completes; "command": process_results after the window.
    payout: str
    no_show_refund_percent: int

    @property
    def id(self) -> str:
        options = "-".join(f"{key}={value}" for key, value in self.options.items())
        return f"{self.format}-{self.entrants}-{options or 'default'}-{self.payout}-refund{self.no_show_refund_percent}"


CASES = [
    Case("single_elimination", 8, {"third_place_match": False}, "now", 100),
    Case("single_elimination", 8, {"third_place_match": True}, "command", 50),
    Case("single_elimination", 5, {"third_place_match": False}, "command", 0),
    Case("single_elimination", 5, {"third_place_match": True}, "now", 100),
    Case("double_elimination", 8, {"bracket_reset": True}, "command", 100),
    Case("double_elimination", 8, {"bracket_reset": False}, "now", 50),
    Case("double_elimination", 5, {"bracket_reset": True}, "now", 100),
    Case("double_elimination", 5, {"bracket_reset": False}, "command", 100),
    Case("round_robin", 8, {"groups": 1}, "now", 100),
    Case("round_robin", 8, {"groups": 2}, "command", 50),
    Case("round_robin", 5, {"groups": 1}, "command", 100),
    Case("swiss", 8, {}, "command", 100),
    Case("swiss", 5, {}, "now", 50),
]


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def balance(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def matches_of(client, event_id: int) -> list[dict]:
    response = client.get(f"{EVENTS}/{event_id}/matches?limit=100")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["has_more"] is False
    return body["results"]


def event_status(client, event_id: int) -> str:
    response = client.get(f"{EVENTS}/{event_id}")
    assert response.status_code == 200, response.json()
    return response.json()["status"]


def score_for(case: Case, match: dict, rng: random.Random) -> tuple[int, int]:
    """A plausible result: usually the better seed wins, sometimes an upset, draws only where allowed.

    In a double elimination with a reset, the losers-bracket finalist (slot b) takes the grand
    final so that the reset has to be played.
    """
    if match["bracket"] == "final" and case.options.get("bracket_reset") and match["b_source"] == "winner":
        return 0, 1
    if case.format in GROUP_FORMATS and rng.random() < 0.2:
        return 1, 1
    a_better = match["entry_a"]["seed"] < match["entry_b"]["seed"]
    a_wins = a_better if rng.random() < 0.7 else not a_better
    return (2, 1) if a_wins else (0, 2)


def play_everything(case: Case, event_id: int, organizer_client, clients: dict[int, object]) -> None:
    """Both players of every ready match report the same score, until the event is completed."""
    rng = random.Random(case.id)
    for _ in range(40):
        if event_status(organizer_client, event_id) == "completed":
            return
        ready = [match for match in matches_of(organizer_client, event_id) if match["status"] == "ready"]
        assert ready, "the event is not completed but no match is ready to play"
        for match in ready:
            score_a, score_b = score_for(case, match, rng)
            body = {"score_a": score_a, "score_b": score_b}
            first = clients[match["entry_a"]["user_id"]].post(f"/api/v1/matches/{match['id']}/report", body)
            assert first.status_code == 200, first.json()
            assert first.json()["status"] == "reported"
            second = clients[match["entry_b"]["user_id"]].post(f"/api/v1/matches/{match['id']}/report", body)
            assert second.status_code == 200, second.json()
            assert second.json()["status"] == "completed"
            assert (second.json()["score_a"], second.json()["score_b"]) == (score_a, score_b)
    pytest.fail("the event never completed")


def position_amounts() -> list[Decimal]:
    """What 1st, 2nd, 3rd are worth: each rounded down to the sen, the leftover sen to 1st."""
    amounts = [(PRIZE_POOL * share / 100).quantize(CENT, rounding=ROUND_DOWN) for share in DISTRIBUTION]
    amounts[0] += PRIZE_POOL - sum(amounts)
    return amounts


def expected_prizes(entries: list[Entry]) -> dict[int, Decimal]:
    """user id -> prize: tied entries share the positions they cover, odd sen to the better seed."""
    positions = position_amounts()
    by_place: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_place[entry.placement].append(entry)
    prizes: dict[int, Decimal] = {}
    for place, tied in by_place.items():
        total_sen = int(sum(positions[place - 1 : place - 1 + len(tied)], Decimal(0)) * 100)
        base, extra = divmod(total_sen, len(tied))
        for index, entry in enumerate(sorted(tied, key=lambda entry: entry.seed)):
            share = Decimal(base + (1 if index < extra else 0)) / 100
            if share:
                prizes[entry.registration.user_id] = money(share)
    return prizes


def assert_match_shape(matches: list[dict]) -> None:
    for match in matches:
        assert set(match) >= MATCH_FIELDS, match
        assert match["bracket"] in {"winners", "losers", "final", "group"}
        assert match["status"] in {"pending", "ready", "reported", "completed", "disputed", "walkover", "skipped"}
        for side in ("entry_a", "entry_b", "winner"):
            if match[side] is not None:
                assert {"id", "seed", "name", "user_id"} <= set(match[side])
        if match["status"] == "completed":
            assert match["score_a"] is not None and match["score_b"] is not None
            if match["score_a"] == match["score_b"]:
                assert match["winner"] is None
            else:
                expected = match["entry_a"] if match["score_a"] > match["score_b"] else match["entry_b"]
                assert match["winner"]["id"] == expected["id"]


def assert_placements_follow_the_matches(case: Case, matches: list[dict], entries: list[Entry]) -> None:
    """Placements read from the results in the match list, independently of the engine's ranking."""
    place_of = {entry.pk: entry.placement for entry in entries}
    assert sorted(place_of.values())[0] == 1
    played = [match for match in matches if match["status"] == "completed"]

    def loser(match):
        return match["entry_b"] if match["winner"]["id"] == match["entry_a"]["id"] else match["entry_a"]

    if case.format == "single_elimination":
        final = max((match for match in played if match["bracket"] == "winners"), key=lambda match: match["round"])
        assert place_of[final["winner"]["id"]] == 1
        assert place_of[loser(final)["id"]] == 2
        semifinal_losers = {
            loser(match)["id"]
            for match in played
            if match["bracket"] == "winners" and match["round"] == final["round"] - 1
        }
        if case.options["third_place_match"]:
            third = next(match for match in played if match["bracket"] == "final")
            assert {third["entry_a"]["id"], third["entry_b"]["id"]} == semifinal_losers
            assert (place_of[third["winner"]["id"]], place_of[loser(third)["id"]]) == (3, 4)
        else:
            assert {place_of[entry_id] for entry_id in semifinal_losers} == {3}
    elif case.format == "double_elimination":
        deciding = [match for match in played if match["bracket"] == "final"][-1]
        assert place_of[deciding["winner"]["id"]] == 1
        assert place_of[loser(deciding)["id"]] == 2
        losers_final = max(
            (match for match in played if match["bracket"] == "losers"), key=lambda match: match["round"]
        )
        assert place_of[loser(losers_final)["id"]] == 3
    else:
        # Group formats: 3 points a win (a bye counts as one), 1 a draw; more points never places lower.
        points: dict[int, int] = defaultdict(int)
        for match in matches:
            if match["status"] == "walkover":
                points[match["winner"]["id"]] += 3
            elif match["status"] == "completed" and match["winner"] is None:
                points[match["entry_a"]["id"]] += 1
                points[match["entry_b"]["id"]] += 1
            elif match["status"] == "completed":
                points[match["winner"]["id"]] += 3
        assert sorted(place_of.values()) == list(range(1, len(entries) + 1))
        for better in entries:
            for worse in entries:
                if points[better.pk] > points[worse.pk]:
                    assert better.placement < worse.placement, (points, place_of)


def assert_match_counts(case: Case, matches: list[dict]) -> None:
    n = case.entrants
    completed = [match for match in matches if match["status"] == "completed"]
    unfinished = [match for match in matches if match["status"] not in ("completed", "walkover", "skipped")]
    assert unfinished == []
    if case.format == "single_elimination":
        assert len(completed) == n - 1 + (1 if case.options["third_place_match"] else 0)
    elif case.format == "double_elimination":
        # The losers-bracket finalist won the grand final whenever a reset exists, so it was played.
        assert len(completed) == (2 * n - 1 if case.options["bracket_reset"] else 2 * n - 2)
        assert len(completed) in (2 * n - 2, 2 * n - 1)
    elif case.format == "round_robin":
        sizes = [n] if case.options["groups"] == 1 else [n // 2, n - n // 2]
        assert len(completed) == sum(size * (size - 1) // 2 for size in sizes)
        pairs = {frozenset((match["entry_a"]["id"], match["entry_b"]["id"])) for match in completed}
        assert len(pairs) == len(completed)
    else:
        rounds = 3  # ceil(log2 N) for 5 and 8
        assert {match["round"] for match in matches} == set(range(1, rounds + 1))
        assert len(completed) == rounds * (n // 2)
        assert len([match for match in matches if match["status"] == "walkover"]) == rounds * (n % 2)
        pairs = {frozenset((match["entry_a"]["id"], match["entry_b"]["id"])) for match in completed}
        assert len(pairs) == len(completed), "a Swiss rematch"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_full_tournament_from_check_in_to_prize_payout(case: Case, settings):
    if case.payout == "now":
        settings.RESULTS_DISPUTE_WINDOW = timedelta(0)
    else:
        settings.RESULTS_DISPUTE_WINDOW = timedelta(hours=24)

    # given an organizer with a funded wallet creating and publishing a prize event starting soon
    organizer = UserFactory()
    funded_wallet(organizer, str(ORGANIZER_FUNDS))
    organizer_client = bearer_client(organizer)
    starts_at = timezone.now() + timedelta(minutes=30)
    created = organizer_client.post(
        EVENTS,
        {
            "name": f"Bracket Cup {case.id}",
            "game": GameFactory().pk,
            "format": case.format,
            "max_participants": 16,
            "entry_fee": str(ENTRY_FEE),
            "prize_pool": str(PRIZE_POOL),
            "prize_distribution": DISTRIBUTION,
            "starts_at": starts_at.isoformat(),
            "registration_closes_at": (starts_at - timedelta(minutes=10)).isoformat(),
            "check_in_minutes": 60,
            "no_show_refund_percent": case.no_show_refund_percent,
            **case.options,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    event_id = created.json()["id"]
    published = organizer_client.post(f"{EVENTS}/{event_id}/publish")
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "registration_open"
    assert balance(organizer) == ORGANIZER_FUNDS - PRIZE_POOL

    # and N players plus one who will not check in (registered second, so the seeds must close the gap)
    users = [UserFactory() for _ in range(case.entrants + 1)]
    no_show = users[1]
    players = [user for user in users if user is not no_show]
    clients = {user.pk: bearer_client(user) for user in users}
    for user in users:
        funded_wallet(user, str(PLAYER_FUNDS))
        joined = clients[user.pk].post(f"{EVENTS}/{event_id}/join", {"payment_method": "wallet"}, format="json")
        assert joined.status_code == 201, joined.json()
        assert joined.json()["status"] == "confirmed"
    assert escrow_wallet(Event.objects.get(pk=event_id)).usable_balance == PRIZE_POOL + ENTRY_FEE * len(users)

    # when everyone but the no-show checks in (checking in twice answers the same)
    for user in players:
        checked_in = clients[user.pk].post(f"{EVENTS}/{event_id}/check-in")
        assert checked_in.status_code == 200, checked_in.json()
        assert checked_in.json()["checked_in_by"] == user.pk
    again = clients[players[0].pk].post(f"{EVENTS}/{event_id}/check-in")
    first_entry = Entry.objects.get(registration__user=players[0], event_id=event_id)
    assert again.status_code == 200
    assert again.json()["entry_id"] == first_entry.pk
    assert first_entry.checked_in_by_id == players[0].pk

    # and the organizer starts the event
    started = organizer_client.post(f"{EVENTS}/{event_id}/start")
    assert started.status_code == 200, started.json()
    assert (started.json()["status"], started.json()["entries"], started.json()["dropped"]) == (
        "ongoing",
        case.entrants,
        1,
    )
    assert event_status(organizer_client, event_id) == "ongoing"

    # then the no-show was dropped and refunded per the policy
    refund = (ENTRY_FEE * case.no_show_refund_percent / 100).quantize(CENT, rounding=ROUND_DOWN)
    dropped = Entry.objects.get(registration__user=no_show, event_id=event_id)
    assert (dropped.status, dropped.seed) == (Entry.Status.NO_SHOW, None)
    assert dropped.registration.status == Registration.Status.REFUNDED
    assert balance(no_show) == PLAYER_FUNDS - ENTRY_FEE + refund
    seeds = sorted(Entry.objects.filter(event_id=event_id, status=Entry.Status.ACTIVE).values_list("seed", flat=True))
    assert seeds == list(range(1, case.entrants + 1))

    # and the generated bracket has the contract's shape (and byes go to the top seeds)
    initial = matches_of(organizer_client, event_id)
    assert started.json()["matches"] == len(initial)
    assert_match_shape(initial)
    if case.format in ("single_elimination", "double_elimination") and case.entrants == 5:
        first_round = {
            entry["seed"]
            for match in initial
            if match["bracket"] == "winners" and match["round"] == 1
            for entry in (match["entry_a"], match["entry_b"])
            if entry
        }
        second_round = {
            entry["seed"]
            for match in initial
            if match["bracket"] == "winners" and match["round"] == 2
            for entry in (match["entry_a"], match["entry_b"])
            if entry
        }
        assert first_round == {4, 5}
        assert {1, 2, 3} <= second_round

    # when every match is played
    play_everything(case, event_id, organizer_client, {user.pk: clients[user.pk] for user in players})

    # then the event is completed with placements consistent with the results
    final_matches = matches_of(organizer_client, event_id)
    assert_match_shape(final_matches)
    assert_match_counts(case, final_matches)
    entries = list(
        Entry.objects.filter(event_id=event_id, status=Entry.Status.ACTIVE)
        .select_related("registration")
        .order_by("seed")
    )
    assert all(entry.placement is not None for entry in entries)
    assert_placements_follow_the_matches(case, final_matches, entries)
    event = Event.objects.get(pk=event_id)
    collected = ENTRY_FEE * case.entrants + (ENTRY_FEE - refund)

    if case.payout == "command":
        # Inside the dispute window nothing is paid, even when the job runs.
        assert event.prizes_paid_at is None
        assert not LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.PRIZE).exists()
        call_command("process_results", stdout=io.StringIO())
        assert not PrizePayout.objects.exists()
        assert escrow_wallet(event).usable_balance == PRIZE_POOL + collected
        Event.objects.filter(pk=event_id).update(completed_at=timezone.now() - timedelta(hours=25))
        call_command("process_results", stdout=io.StringIO())
        # A second run has nothing left to pay.
        call_command("process_results", stdout=io.StringIO())
    event.refresh_from_db()
    assert event.prizes_paid_at is not None

    # and the prizes follow prize_distribution over the placements, once each
    expected = expected_prizes(entries)
    paid: dict[int, Decimal] = defaultdict(Decimal)
    prize_rows = LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.PRIZE).select_related("wallet")
    for row in prize_rows:
        if row.wallet.owner_id is not None:
            paid[row.wallet.owner_id] += row.amount
    assert dict(paid) == expected
    # The other leg of every prize left the event's escrow.
    escrow_legs = [row.amount for row in prize_rows if row.wallet_id == escrow_wallet(event).pk]
    assert sum(escrow_legs) == -PRIZE_POOL and len(escrow_legs) == len(expected)
    assert {payout.user_id: payout.amount for payout in PrizePayout.objects.filter(event=event)} == expected
    assert PrizePayout.objects.filter(event=event).count() == len(expected)
    assert sum(expected.values()) == PRIZE_POOL

    # and the organizer got the fees less the platform fee; the platform the rest; escrow is empty
    platform_fee = (collected * settings.PLATFORM_FEE_PERCENT / 100).quantize(CENT, rounding=ROUND_DOWN)
    assert balance(organizer) == ORGANIZER_FUNDS - PRIZE_POOL + collected - platform_fee
    fees_wallet = platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE)
    assert fees_wallet.usable_balance == platform_fee
    assert escrow_wallet(event).current_balance == Decimal("0.00")

    # and every player's balance is explained: funds - fee + prize (the no-show: + refund)
    for user in players:
        assert balance(user) == PLAYER_FUNDS - ENTRY_FEE + expected.get(user.pk, Decimal("0.00")), user.pk
    assert balance(no_show) == PLAYER_FUNDS - ENTRY_FEE + refund

    # and the books reconcile
    report = wallet_reconcile()
    assert report.problems == []
    assert report.held == ORGANIZER_FUNDS + PLAYER_FUNDS * len(users)


def test_cases_cover_every_format_option_and_both_payout_paths():
    # A guard on the parametrization itself: dropping a case must be a visible change.
    assert {(case.format, case.entrants) for case in CASES} >= {
        (format_, entrants)
        for format_ in ("single_elimination", "double_elimination", "round_robin", "swiss")
        for entrants in (5, 8)
    }
    assert {case.payout for case in CASES} == {"now", "command"}
    assert {case.options.get("third_place_match") for case in CASES if case.format == "single_elimination"} == {
        True,
        False,
    }
    assert {case.options.get("bracket_reset") for case in CASES if case.format == "double_elimination"} == {
        True,
        False,
    }
    assert {case.options.get("groups") for case in CASES if case.format == "round_robin"} == {1, 2}
