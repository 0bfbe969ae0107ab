"""A whole free-for-all through the REST API: registration to prize payout, every sen accounted for.

What a mobile client does: the organizer creates a battle-royale event, sets 3 rounds in lobbies
of 20 with reshuffles and the standard PUBG Mobile points table, publishes it; 41 players join
paying from their wallets, 40 check in (the 41st is dropped and refunded at the start); the
organizer and a lobby host enter every lobby's placements and kills round by round (with a
correction, a refused impossible result, and the audit of who entered what), the organizer
closes each round, and after the last the event completes and pays the prizes by final standing.
"""

import random
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from django.utils import timezone

from driftwood.notifications.models import Notification
from tests.conftest import bearer_client
from tests.factories import GameFactory, UserFactory, funded_wallet
from tournaments.models import Entry, Event, LobbyResult, PrizePayout
from tournaments.services.events import escrow_wallet
from wallet.models import LedgerEntry, Wallet
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE, platform_wallet_get_or_create

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events"
CENT = Decimal("0.01")
ORGANIZER_FUNDS = Decimal("500.00")
PLAYER_FUNDS = Decimal("50.00")
ENTRY_FEE = Decimal("5.00")
PRIZE_POOL = Decimal("200.00")
DISTRIBUTION = [40, 25, 15, 10, 10]
PUBG = [10, 6, 5, 4, 3, 2, 1, 1]
PLAYERS = 40
ROUNDS = 3


def balance(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def ffa_of(client, event_id: int) -> dict:
    response = client.get(f"{EVENTS}/{event_id}/ffa")
    assert response.status_code == 200, response.json()
    return response.json()


def points(placement: int, kills: int) -> int:
    return (PUBG[placement - 1] if placement <= len(PUBG) else 0) + kills


def expected_order(rounds: list[dict]) -> list[int]:
    """Entry ids by the tie-breaks, computed from the lobbies in the API's answer alone."""
    totals: dict[int, dict] = {}
    last_round = max(round_["round"] for round_ in rounds)
    for round_ in rounds:
        for lobby in round_["lobbies"]:
            for slot in lobby["slots"]:
                row = totals.setdefault(
                    slot["entry"]["id"], {"points": 0, "best": 10**6, "kills": 0, "last": 10**6, "seed": 0}
                )
                row["points"] += points(slot["placement"], slot["kills"])
                row["best"] = min(row["best"], slot["placement"])
                row["kills"] += slot["kills"]
                row["seed"] = slot["entry"]["seed"]
                if round_["round"] == last_round:
                    row["last"] = slot["placement"]
    return sorted(
        totals, key=lambda entry: (-totals[entry]["points"], totals[entry]["best"], -totals[entry]["kills"],
                                   totals[entry]["last"], totals[entry]["seed"])
    )  # fmt: skip


def random_results(lobby: dict, rng: random.Random) -> list[dict]:
    entries = [slot["entry"]["id"] for slot in lobby["slots"]]
    rng.shuffle(entries)
    return [
        {"entry_id": entry, "placement": place, "kills": rng.randint(0, 3)} for place, entry in enumerate(entries, 1)
    ]


def test_a_three_round_free_for_all_of_forty_solos_from_registration_to_payout(settings):
    settings.RESULTS_DISPUTE_WINDOW = timedelta(0)
    rng = random.Random(19)

    # given an organizer creating a free-for-all: 3 rounds in lobbies of 20, reshuffled, PUBG Mobile points
    organizer = UserFactory()
    funded_wallet(organizer, str(ORGANIZER_FUNDS))
    organizer_client = bearer_client(organizer)
    starts_at = timezone.now() + timedelta(minutes=30)
    created = organizer_client.post(
        EVENTS,
        {
            "name": "Battle Royale Cup",
            "game": GameFactory().pk,
            "format": "free_for_all",
            "max_participants": 64,
            "entry_fee": str(ENTRY_FEE),
            "prize_pool": str(PRIZE_POOL),
            "prize_distribution": DISTRIBUTION,
            "starts_at": starts_at.isoformat(),
            "registration_closes_at": (starts_at - timedelta(minutes=10)).isoformat(),
            "check_in_minutes": 60,
            "no_show_refund_percent": 50,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    event_id = created.json()["id"]
    assert created.json()["format"] == "free_for_all"
    bad = organizer_client.patch(f"{EVENTS}/{event_id}/ffa", {"placement_points": [1, 5]}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid", bad.json()
    chosen = organizer_client.patch(
        f"{EVENTS}/{event_id}/ffa",
        {"lobby_size": 20, "rounds": ROUNDS, "reshuffle": True, "preset": "pubg_mobile"},
        format="json",
    )
    assert chosen.status_code == 200, chosen.json()
    assert chosen.json()["settings"] == {
        "lobby_size": 20,
        "rounds": ROUNDS,
        "reshuffle": True,
        "placement_points": PUBG,
        "kill_points": 1,
    }
    assert organizer_client.post(f"{EVENTS}/{event_id}/publish").status_code == 200

    # and 41 players join from their wallets; all but the second check in
    users = [UserFactory() for _ in range(PLAYERS + 1)]
    no_show = users[1]
    players = [user for user in users if user is not no_show]
    clients = {user.pk: bearer_client(user) for user in users}
    for user in users:
        funded_wallet(user, str(PLAYER_FUNDS))
        joined = clients[user.pk].post(f"{EVENTS}/{event_id}/join", {"payment_method": "wallet"}, format="json")
        assert joined.status_code == 201, joined.json()
    for user in players:
        assert clients[user.pk].post(f"{EVENTS}/{event_id}/check-in").status_code == 200
    outsider = bearer_client(players[0])
    assert outsider.patch(f"{EVENTS}/{event_id}/ffa", {"rounds": 1}, format="json").status_code == 403

    # when the organizer starts it
    started = organizer_client.post(f"{EVENTS}/{event_id}/start")
    assert started.status_code == 200, started.json()
    assert (started.json()["entries"], started.json()["dropped"], started.json()["lobbies"]) == (PLAYERS, 1, 2)
    refund = (ENTRY_FEE / 2).quantize(CENT, rounding=ROUND_DOWN)
    assert balance(no_show) == PLAYER_FUNDS - ENTRY_FEE + refund
    assert organizer_client.patch(f"{EVENTS}/{event_id}/ffa", {"rounds": 1}, format="json").status_code == 409

    # then round 1 has two lobbies of 20, every entry in one, and each player was told their lobby
    ffa = ffa_of(organizer_client, event_id)
    assert (ffa["rounds_total"], ffa["current_round"], len(ffa["rounds"])) == (ROUNDS, 1, 1)
    lobbies = ffa["rounds"][0]["lobbies"]
    assert [len(lobby["slots"]) for lobby in lobbies] == [20, 20]
    assert len({slot["entry"]["id"] for lobby in lobbies for slot in lobby["slots"]}) == PLAYERS
    assert Notification.objects.filter(kind="lobby_assigned", user__in=players).count() == PLAYERS

    # and a host is named for lobby 2 (a player may not name one)
    host = UserFactory()
    host_client = bearer_client(host)
    assert (
        outsider.post(f"/api/v1/lobbies/{lobbies[1]['id']}/host", {"host_id": host.pk}, format="json").status_code
        == 403
    )

    for round_number in range(1, ROUNDS + 1):
        ffa = ffa_of(organizer_client, event_id)
        lobbies = ffa["rounds"][round_number - 1]["lobbies"]
        assert ffa["current_round"] == round_number
        named = organizer_client.post(f"/api/v1/lobbies/{lobbies[1]['id']}/host", {"host_id": host.pk}, format="json")
        assert named.status_code == 200 and named.json()["host_id"] == host.pk
        # the round cannot close before every lobby has results
        early = organizer_client.post(f"{EVENTS}/{event_id}/rounds/{round_number}/close")
        assert early.status_code == 409 and early.json()["code"] == "round_not_ready"
        # an impossible result is refused: placements not 1..20 each once
        impossible = random_results(lobbies[0], rng)
        impossible[0]["placement"] = impossible[1]["placement"]
        refused = organizer_client.put(
            f"/api/v1/lobbies/{lobbies[0]['id']}/results", {"results": impossible}, format="json"
        )
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_results", refused.json()
        # the host may not enter lobby 1, a player may not enter any
        first = random_results(lobbies[0], rng)
        assert (
            host_client.put(
                f"/api/v1/lobbies/{lobbies[0]['id']}/results", {"results": first}, format="json"
            ).status_code
            == 403
        )
        assert (
            outsider.put(f"/api/v1/lobbies/{lobbies[1]['id']}/results", {"results": first}, format="json").status_code
            == 403
        )
        # the organizer enters lobby 1, the host lobby 2 and then corrects it
        entered = organizer_client.put(f"/api/v1/lobbies/{lobbies[0]['id']}/results", {"results": first}, format="json")
        assert entered.status_code == 200, entered.json()
        assert [slot["placement"] for slot in entered.json()["slots"]] == list(range(1, 21))
        assert entered.json()["results_entered_by"] == organizer.pk
        for _ in range(2):
            second = host_client.put(
                f"/api/v1/lobbies/{lobbies[1]['id']}/results",
                {"results": random_results(lobbies[1], rng)},
                format="json",
            )
            assert second.status_code == 200, second.json()
        assert second.json()["results_entered_by"] == host.pk
        audit = LobbyResult.objects.filter(lobby_id=lobbies[1]["id"]).order_by("version")
        assert [(row.version, row.entered_by_id) for row in audit] == [(1, host.pk), (2, host.pk)]
        # the organizer closes the round; its results are final
        closed = organizer_client.post(f"{EVENTS}/{event_id}/rounds/{round_number}/close")
        assert closed.status_code == 200, closed.json()
        last = round_number == ROUNDS
        assert closed.json() == {
            "round": round_number,
            "next_round": None if last else round_number + 1,
            "status": "completed" if last else "ongoing",
        }
        late = organizer_client.put(f"/api/v1/lobbies/{lobbies[0]['id']}/results", {"results": first}, format="json")
        assert late.status_code == 409
        assert organizer_client.post(f"{EVENTS}/{event_id}/rounds/{round_number}/close").status_code == 409
        assert (
            Notification.objects.filter(kind="round_results", key=f"round_results:{event_id}:{round_number}").count()
            == PLAYERS
        )

    # then the event is completed and the places follow the standings computed from the lobbies
    ffa = ffa_of(organizer_client, event_id)
    assert ffa["status"] == "completed" and ffa["current_round"] is None
    order = expected_order(ffa["rounds"])
    standings = organizer_client.get(f"{EVENTS}/{event_id}/standings").json()
    assert [row["entry"]["id"] for row in standings] == order
    assert [row["place"] for row in standings] == list(range(1, PLAYERS + 1))
    assert all(row["rounds_played"] == ROUNDS for row in standings)
    entries = {entry.pk: entry for entry in Entry.objects.filter(event_id=event_id, status=Entry.Status.ACTIVE)}
    assert [entries[entry_id].placement for entry_id in order] == list(range(1, PLAYERS + 1))
    # and with reshuffles each round's lobbies were dealt from the standings before it, snake-wise
    assert len(ffa["rounds"]) == ROUNDS
    for before in range(1, ROUNDS):
        ranked = expected_order(ffa["rounds"][:before])
        snake = [ranked[index] for index in range(PLAYERS) if index % 4 in (0, 3)]
        dealt = ffa["rounds"][before]["lobbies"]
        assert {slot["entry"]["id"] for slot in dealt[0]["slots"]} == set(snake)

    # and the prizes follow prize_distribution over the final places, paid once
    amounts = [(PRIZE_POOL * share / 100).quantize(CENT, rounding=ROUND_DOWN) for share in DISTRIBUTION]
    amounts[0] += PRIZE_POOL - sum(amounts)
    user_of = {entry.pk: entry.registration.user_id for entry in entries.values()}
    expected = {user_of[entry_id]: amount for entry_id, amount in zip(order, amounts, strict=False)}
    event = Event.objects.get(pk=event_id)
    assert event.prizes_paid_at is not None
    assert {payout.user_id: payout.amount for payout in PrizePayout.objects.filter(event=event)} == expected
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for row in LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.PRIZE).select_related("wallet"):
        if row.wallet.owner_id is not None:
            paid[row.wallet.owner_id] += row.amount
    assert dict(paid) == expected

    # and every balance is explained, escrow is empty, and the books reconcile
    collected = ENTRY_FEE * PLAYERS + (ENTRY_FEE - refund)
    platform_fee = (collected * settings.PLATFORM_FEE_PERCENT / 100).quantize(CENT, rounding=ROUND_DOWN)
    assert balance(organizer) == ORGANIZER_FUNDS - PRIZE_POOL + collected - platform_fee
    assert platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE).usable_balance == platform_fee
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    for user in players:
        assert balance(user) == PLAYER_FUNDS - ENTRY_FEE + expected.get(user.pk, Decimal("0.00")), user.pk
    report = wallet_reconcile()
    assert report.problems == []
    assert report.held == ORGANIZER_FUNDS + PLAYER_FUNDS * len(users)
