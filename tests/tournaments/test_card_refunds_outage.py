"""Stripe down while a cancellation refunds card entries: nothing is forgotten, nothing is paid twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import services
from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory
from tests.tournaments.test_card_entry_fees import card_refunds, join_by_card, pay_by_card, stripe_reports_success
from tests.wallet.stripe_support import require_localstripe, sen
from tournaments.models import ParticipantPayment
from tournaments.services.events import escrow_wallet, event_cancel
from wallet.models import CardRefund
from wallet.reconciliation import wallet_reconcile
from wallet.services.card_refund_sending import card_refunds_retry_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _localstripe_and_in_process_tasks(settings):
    require_localstripe()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    # The SDK still retries each call to the stopped Stripe twice, without the real backoff's wait.
    settings.STRIPE_RETRY_DELAY_SECONDS = 0.001


def test_eight_card_refunds_owed_while_stripe_is_down_complete_once_when_it_returns(
    api_client, settings, django_capture_on_commit_callbacks
):
    # given eight players who paid a RM 10 entry fee by card
    organizer = UserFactory()
    event = EventFactory(organizer=organizer, entry_fee=Decimal("10.00"), max_participants=8)
    intents, players = [], [UserFactory() for _ in range(8)]
    for player in players:
        joined = join_by_card(bearer_client(player), event.pk)
        intents.append(joined["payment"]["payment_intent_id"])
        stripe_reports_success(api_client, pay_by_card(intents[-1]))
    assert escrow_wallet(event).current_balance == Decimal("80.00")

    # when Stripe is down while the organizer cancels
    localstripe = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{services.free_port()}"
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event_id=event.pk, actor=organizer)

    # then every refund is owed in the books, none reached a card, escrow is empty
    owed = CardRefund.objects.order_by("pk")
    assert [(refund.state, refund.attempts) for refund in owed] == [(CardRefund.State.REQUESTED, 1)] * 8
    assert sorted(refund.payment_intent_id for refund in owed) == sorted(intents)
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert set(ParticipantPayment.objects.values_list("status", flat=True)) == {"refunded"}
    settings.STRIPE_API_BASE = localstripe
    assert [card_refunds(intent) for intent in intents] == [[]] * 8
    assert wallet_reconcile().ok

    # when Stripe is back and the beat runs (twice, as a slow beat and a redelivered task would)
    later = timezone.now() + timedelta(hours=2)
    assert card_refunds_retry_due(now=later) == 8
    assert card_refunds_retry_due(now=later) == 0

    # then each card got its fee back exactly once, as Stripe itself records
    assert [card_refunds(intent) for intent in intents] == [[sen("10.00")]] * 8
    assert set(CardRefund.objects.values_list("state", flat=True)) == {CardRefund.State.SUCCEEDED}
    report = wallet_reconcile()
    assert report.ok, report.problems
    assert report.card_refunds == Decimal("80.00")
    # and each player's own history shows the refund and that it went back to the card
    history = bearer_client(players[0]).get("/api/v1/wallet/transactions").json()["results"]
    assert [(row["transaction_type"], row["amount"], row["balance_after"]) for row in history] == [
        ("refund", "-10.00", "0.00"),
        ("refund", "10.00", "10.00"),
    ]
    assert history[0]["description"] == "Sent back to your card: RM 10.00"
