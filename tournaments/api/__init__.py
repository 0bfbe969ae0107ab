"""/api/v1/ for games, events, registrations and teams ("Tournaments" in the contract).

Pieces shared by the views of this package live here.
"""

from rest_framework import serializers

from driftwood.core.money import MoneyField
from tournaments.models import ParticipantPayment

Method = ParticipantPayment.Method
CARD_ONLY_FIELDS = ("payment_intent_id", "client_secret")


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class JoinPaymentSerializer(serializers.Serializer):
    """The entry fee's payment; `payment_intent_id` and `client_secret` only for `stripe`."""

    method = serializers.ChoiceField(choices=Method.choices)
    amount = MoneyField()
    payment_intent_id = serializers.CharField(required=False, help_text="Card payments only.")
    client_secret = serializers.CharField(
        required=False, help_text="Card payments only: for Stripe.js `confirmCardPayment`."
    )

    def to_representation(self, payment: ParticipantPayment) -> dict:
        data = super().to_representation(payment)
        if payment.method != Method.STRIPE:
            for field in CARD_ONLY_FIELDS:
                data.pop(field)
        return data
