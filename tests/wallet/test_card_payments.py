"""wallet.services.card_payments: other apps' card charges (entry fees) through the wallet's Stripe gateway."""

import uuid
from decimal import Decimal

import pytest

from tests.wallet.stripe_support import require_localstripe, stripe_client
from wallet.exceptions import InvalidAmount
from wallet.services.card_payments import amount_in_sen, card_payment_intent_open


def test_amounts_go_to_stripe_in_sen_and_only_positive_two_place_ringgit():
    assert amount_in_sen(Decimal("12.50")) == 1250
    for wrong in (Decimal("0.00"), Decimal("-1.00"), Decimal("1.005")):
        with pytest.raises(InvalidAmount):
            amount_in_sen(wrong)


def test_an_app_opens_a_myr_intent_tagged_with_its_kind():
    # given localstripe as Stripe
    require_localstripe()

    # when an app opens a card payment for an entry fee
    opened = card_payment_intent_open(
        amount=Decimal("20.00"), idempotency_key=f"entry-{uuid.uuid4()}", metadata={"kind": "registration"}
    )

    # then Stripe holds an intent for 2000 sen in MYR, tagged with the app's kind, for Stripe.js to confirm
    intent = stripe_client().v1.payment_intents.retrieve(opened.id)
    assert (intent.amount, intent.currency, intent.metadata["kind"]) == (2000, "myr", "registration")
    assert opened.client_secret
