"""Real threads joining events at once: never over capacity, never charged twice."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.concurrency.helpers import run_in_threads
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.exceptions import AlreadyJoined, EventFull
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.events import escrow_wallet
from tournaments.services.registrations import JoinResult, registration_join
from wallet.models import LedgerEntry, Wallet

pytestmark = pytest.mark.django_db(transaction=True)


def test_thirty_players_racing_for_eight_slots():
    event = EventFactory(max_participants=8, entry_fee=Decimal("5.00"))
    players = [UserFactory() for _ in range(30)]
    for player in players:
        funded_wallet(player, "5.00")

    outcomes = run_in_threads(
        30, lambda index: registration_join(event_id=event.pk, user=players[index], payment_method="wallet")
    )

    joined = [outcome for outcome in outcomes if isinstance(outcome, JoinResult)]
    full = [outcome for outcome in outcomes if isinstance(outcome, EventFull)]
    assert (len(joined), len(full)) == (8, 22), outcomes
    assert Registration.objects.filter(event=event, status="confirmed").count() == 8
    assert escrow_wallet(event).current_balance == Decimal("40.00")
    charged = set(
        LedgerEntry.objects.filter(transaction_type="entry_fee", amount__lt=0).values_list("wallet__owner", flat=True)
    )
    assert charged == {result.registration.user_id for result in joined}
    assert Wallet.objects.filter(owner__in=players).aggregate(total=Sum("usable_balance"))["total"] == Decimal("110.00")


def test_one_player_submitting_ten_joins_at_once_is_charged_once(user):
    event = EventFactory(entry_fee=Decimal("5.00"))
    funded_wallet(user, "50.00")

    outcomes = run_in_threads(10, lambda _: registration_join(event_id=event.pk, user=user, payment_method="wallet"))

    assert sum(isinstance(outcome, JoinResult) for outcome in outcomes) == 1
    assert all(isinstance(outcome, (JoinResult, AlreadyJoined)) for outcome in outcomes), outcomes
    assert ParticipantPayment.objects.filter(event=event, payer=user).count() == 1
    assert Wallet.objects.get(owner=user).usable_balance == Decimal("45.00")
