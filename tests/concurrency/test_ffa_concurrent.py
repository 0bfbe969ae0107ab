"""A free-for-all's last round closed, and one lobby's results entered, from several threads at once:
the round closes once, the prizes leave escrow once, and every entry of the results is kept."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.concurrency.helpers import run_in_threads
from tests.factories import UserFactory, players_joined
from tests.tournaments.test_results_payout import published_event
from tournaments.brackets.ffa import services
from tournaments.brackets.services.start import event_start
from tournaments.exceptions import InvalidStatus
from tournaments.models import Event, Lobby, LobbyResult, PrizePayout
from tournaments.services.events import escrow_wallet
from wallet.reconciliation import wallet_reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def started_ffa(players: int) -> tuple[Event, list]:
    """A paid free-for-all (10.00 a player, a 30.00 pool shared 70/30), one round in lobbies of 2."""
    event = published_event(
        prize_pool="30.00", distribution=[70, 30], format=Event.Format.FREE_FOR_ALL, check_in_minutes=0
    )
    joined = players_joined(event, players)
    services.ffa_settings_update(event_id=event.pk, actor=event.organizer, lobby_size=2, rounds=1)
    event_start(event_id=event.pk, actor=event.organizer)
    return Event.objects.get(pk=event.pk), joined


def by_seed(lobby: Lobby, *, reverse: bool = False) -> list[dict]:
    slots = list(lobby.slots.order_by("-entry__seed" if reverse else "entry__seed"))
    return [{"entry_id": slot.entry_id, "placement": place, "kills": 1} for place, slot in enumerate(slots, 1)]


def test_four_threads_closing_the_last_round_complete_the_event_and_pay_once(settings):
    settings.RESULTS_DISPUTE_WINDOW = timedelta(0)
    event, _players = started_ffa(4)
    for lobby in Lobby.objects.filter(stage__event=event):
        services.lobby_results_enter(lobby_id=lobby.pk, actor=event.organizer, results=by_seed(lobby))

    outcomes = run_in_threads(
        4, lambda _: services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=1)
    )

    assert sum(isinstance(outcome, list) for outcome in outcomes) == 1, outcomes
    assert all(isinstance(outcome, (list, InvalidStatus)) for outcome in outcomes), outcomes
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED and event.prizes_paid_at is not None
    assert sorted(PrizePayout.objects.filter(event=event).values_list("amount", flat=True)) == [
        Decimal("9.00"),
        Decimal("21.00"),
    ]
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_the_organizer_and_the_host_entering_one_lobby_at_once_both_land_as_versions():
    event, _players = started_ffa(4)
    lobby = Lobby.objects.filter(stage__event=event).order_by("number").first()
    host = UserFactory()
    services.lobby_host_set(lobby_id=lobby.pk, actor=event.organizer, host_id=host.pk)
    entries = [by_seed(lobby), by_seed(lobby, reverse=True)]
    actors = [event.organizer, host]

    outcomes = run_in_threads(
        2, lambda index: services.lobby_results_enter(lobby_id=lobby.pk, actor=actors[index], results=entries[index])
    )

    assert all(isinstance(outcome, Lobby) for outcome in outcomes), outcomes
    versions = list(LobbyResult.objects.filter(lobby=lobby).order_by("version"))
    assert [row.version for row in versions] == [1, 2]
    assert {row.entered_by_id for row in versions} == {event.organizer.pk, host.pk}
    # the slots hold exactly the later version
    last = {row["entry_id"]: row["placement"] for row in versions[-1].rows}
    assert dict(lobby.slots.values_list("entry_id", "placement")) == last
