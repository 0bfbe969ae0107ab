"""The waitlist under real concurrent threads: positions without gaps, one seat to one player,
charged once (issue 16)."""

from decimal import Decimal

import pytest

from tests.concurrency.helpers import run_in_threads
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.events import escrow_wallet
from tournaments.services.registrations import JoinResult, registration_join, registration_leave
from wallet.models import Wallet

pytestmark = pytest.mark.django_db(transaction=True)


def full_event(seats: int = 2):
    event = EventFactory(max_participants=seats, entry_fee=Decimal("5.00"))
    seated = [UserFactory() for _ in range(seats)]
    for player in seated:
        funded_wallet(player, "5.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
    return event, seated


def test_twenty_joins_on_a_full_event_take_positions_one_to_twenty():
    event, _ = full_event()
    players = [UserFactory() for _ in range(20)]

    outcomes = run_in_threads(
        20,
        lambda index: registration_join(event_id=event.pk, user=players[index], payment_method="wallet", waitlist=True),
    )

    assert all(isinstance(outcome, JoinResult) for outcome in outcomes), outcomes
    assert sorted(outcome.position for outcome in outcomes) == list(range(1, 21))
    assert {outcome.registration.status for outcome in outcomes} == {"waitlisted"}
    assert ParticipantPayment.objects.filter(event=event).count() == 2  # nothing charged while waiting


def test_a_leave_racing_a_join_promotes_exactly_one_charged_once():
    event, seated = full_event()
    first, second = UserFactory(), UserFactory()
    for player in (first, second):
        funded_wallet(player, "5.00")
    registration_join(event_id=event.pk, user=first, payment_method="wallet", waitlist=True)

    # the leave frees a seat while another player joins (waitlist: true) at the same moment
    def work(index):
        if index == 0:
            return registration_leave(event_id=event.pk, user=seated[0])
        return registration_join(event_id=event.pk, user=second, payment_method="wallet", waitlist=True)

    run_in_threads(2, work)

    confirmed = set(Registration.objects.filter(event=event, status="confirmed").values_list("user_id", flat=True))
    assert len(confirmed) == 2
    assert first.pk in confirmed  # first in line got the seat
    assert Registration.objects.get(event=event, user=second).status == "waitlisted"
    assert ParticipantPayment.objects.filter(event=event, payer=first, status="succeeded").count() == 1
    assert Wallet.objects.get(owner=first).usable_balance == Decimal("0.00")
    assert Wallet.objects.get(owner=second).usable_balance == Decimal("5.00")
    assert escrow_wallet(event).current_balance == Decimal("10.00")  # the leaver was refunded
