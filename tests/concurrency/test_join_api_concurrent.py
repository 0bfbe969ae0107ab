"""One player submitting join ten times at once through the API, each request on its own thread,
client and database connection: one entry and one charge, with or without an Idempotency-Key."""

from decimal import Decimal

import pytest

from tests.concurrency.helpers import run_in_threads
from tests.conftest import bearer_client
from tests.factories import EventFactory, funded_wallet
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.events import escrow_wallet
from wallet.models import LedgerEntry, Wallet

pytestmark = pytest.mark.django_db(transaction=True)
ATTEMPTS = 10


def submit_join(user, event, headers: dict):
    def work(_index: int):
        response = bearer_client(user).post(f"/api/v1/events/{event.pk}/join", {"payment_method": "wallet"}, **headers)
        return response.status_code, response.json()

    return run_in_threads(ATTEMPTS, work)


def assert_charged_once(user, event) -> None:
    assert Registration.objects.filter(event=event).count() == 1
    assert ParticipantPayment.objects.filter(event=event, payer=user).count() == 1
    assert LedgerEntry.objects.filter(wallet__owner=user, transaction_type="entry_fee").count() == 1
    assert Wallet.objects.get(owner=user).usable_balance == Decimal("45.00")
    assert escrow_wallet(event).current_balance == Decimal("5.00")


def test_ten_joins_with_one_idempotency_key(user):
    event = EventFactory(entry_fee=Decimal("5.00"))
    funded_wallet(user, "50.00")

    outcomes = submit_join(user, event, {"HTTP_IDEMPOTENCY_KEY": "tap-tap-tap"})

    # every answer is the first one (replayed) or "still running"; never a second entry
    created = [body for status, body in outcomes if status == 201]
    in_progress = [body for status, body in outcomes if status == 409 and body["code"] == "request_in_progress"]
    assert len(created) + len(in_progress) == ATTEMPTS, outcomes
    assert created, outcomes
    assert all(body == created[0] for body in created)
    assert created[0]["status"] == "confirmed"
    assert_charged_once(user, event)


def test_ten_joins_without_a_key(user):
    event = EventFactory(entry_fee=Decimal("5.00"))
    funded_wallet(user, "50.00")

    outcomes = submit_join(user, event, {})

    statuses = sorted((status, body.get("code")) for status, body in outcomes)
    assert statuses == [(201, None)] + [(409, "already_joined")] * (ATTEMPTS - 1), outcomes
    assert_charged_once(user, event)
