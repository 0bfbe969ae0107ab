"""/api/v1/ for games, events, registrations and teams ("Tournaments" in the contract).

Pieces shared by the views of this package live here.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from driftwood.core.money import MoneyField
from tournaments.models import ParticipantPayment
from tournaments.services.entry_payments import entry_return_url

Method = ParticipantPayment.Method
STRIPE_ONLY_FIELDS = ("payment_intent_id", "client_secret")
FPX_ONLY_FIELDS = ("fpx_bank", "redirect_url", "return_url")


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


@extend_schema_field(OpenApiTypes.URI)
class ReturnUrlField(serializers.Field):
    """Out only: where the bank sends an FPX payer back (present only for FPX, so not required)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, payment: ParticipantPayment) -> str:
        return entry_return_url(payment)


class JoinPaymentSerializer(serializers.Serializer):
    """The entry fee's payment; `payment_intent_id` and `client_secret` only for `stripe` and `fpx`,
    `fpx_bank`, `redirect_url` and `return_url` only for `fpx`."""

    method = serializers.ChoiceField(choices=Method.choices)
    amount = MoneyField()
    payment_intent_id = serializers.CharField(required=False, help_text="Card and FPX payments only.")
    client_secret = serializers.CharField(
        required=False,
        help_text=(
            "Card and FPX payments only: for Stripe.js `confirmCardPayment` (card); an FPX intent is "
            "already confirmed by the server."
        ),
    )
    fpx_bank = serializers.CharField(required=False, help_text="FPX only: the payer's bank (Stripe's code).")
    redirect_url = serializers.CharField(
        required=False,
        help_text=(
            "FPX only: open this page (the bank's, Stripe's `next_action.redirect_to_url.url`) for the player "
            "to approve the payment; the bank sends them back to `return_url`."
        ),
    )
    return_url = ReturnUrlField(help_text="FPX only: the event page the bank sends the player back to.")

    def to_representation(self, payment: ParticipantPayment) -> dict:
        data = super().to_representation(payment)
        hidden = () if payment.method in (Method.STRIPE, Method.FPX) else STRIPE_ONLY_FIELDS
        hidden += () if payment.method == Method.FPX else FPX_ONLY_FIELDS
        for field in hidden:
            data.pop(field)
        return data
