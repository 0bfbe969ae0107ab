"""Top-ups (card, FPX, GrabPay) and the Stripe webhook that settles them."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.idempotency import idempotent
from driftwood.core.money import CURRENCY, MoneyField
from driftwood.core.schema import ErrorSerializer
from driftwood.core.throttles import MoneyRateThrottle, TieredRateThrottle
from wallet import selectors
from wallet.exceptions import InvalidPaymentMethod
from wallet.models import TopUp
from wallet.services import payment_methods, topups

PROVIDER_ERROR = OpenApiResponse(
    ErrorSerializer, description="`payment_provider_error`: Stripe could not be reached, or refused the payment."
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="`not_found`: no such top-up of yours.")


class BlankAsNullCharField(serializers.CharField):
    """Out: the stored "" (not applicable) as null."""

    def to_representation(self, value):
        return super().to_representation(value) or None


class TopUpOutputSerializer(serializers.Serializer):
    topup_id = serializers.IntegerField(source="pk")
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField(
        help_text=(
            "Card: for Stripe.js `confirmCardPayment`. FPX and GrabPay: the intent is already confirmed "
            "by the server; the secret only lets Stripe.js read it back."
        )
    )
    status = serializers.ChoiceField(
        choices=TopUp.Status.choices,
        help_text=(
            "`pending` until Stripe's webhook reports the outcome: `succeeded` (credited), `failed` (declined, "
            "or cancelled on the bank's or GrabPay's page), `cancelled` (not paid within the time allowed), "
            "`refunded`."
        ),
    )
    amount = MoneyField()
    payment_method = serializers.ChoiceField(choices=payment_methods.Method.choices)
    fpx_bank = BlankAsNullCharField(allow_null=True, help_text="FPX: the bank's code; null otherwise.")
    redirect_url = BlankAsNullCharField(
        allow_null=True,
        help_text=(
            "FPX and GrabPay: open this page (the bank's or GrabPay's, Stripe's `next_action.redirect_to_url.url`) "
            "in the browser; the player comes back to `return_url`. null for card."
        ),
    )
    return_url = serializers.SerializerMethodField(
        help_text="FPX and GrabPay: the top-up's page the player comes back to. null for card."
    )

    def get_return_url(self, topup: TopUp) -> str | None:
        return topups.topup_return_url(topup) if payment_methods.is_redirect(topup.payment_method) else None


class TopUpCreateApi(APIView):
    """Opens a payment (a Stripe PaymentIntent) for a wallet top-up: by card, FPX or GrabPay.

    - `card` (the default): pay it with Stripe.js using `client_secret`.
    - `fpx` (with `fpx_bank`) or `grabpay`: ringgit only. The server creates and confirms the
      intent with `return_url` (the top-up's page); send the player to `redirect_url`, where
      their bank or GrabPay asks them to approve; they come back to `return_url` whatever they
      chose, and `GET /wallet/topups/{id}` tells the outcome.

    The wallet is credited only when Stripe reports `payment_intent.succeeded` to the webhook;
    until then `status` is `pending`. A top-up left unpaid for PAYMENT_ABANDON_MINUTES (60 by
    default) is cancelled at Stripe and becomes `cancelled`.
    """

    throttle_classes = [TieredRateThrottle, MoneyRateThrottle]

    class InputSerializer(serializers.Serializer):
        amount = MoneyField(min_value=settings.TOPUP_MIN, max_value=settings.TOPUP_MAX, help_text="1.00 to 10000.00")
        payment_method = serializers.ChoiceField(
            choices=payment_methods.Method.choices, default=payment_methods.Method.CARD
        )
        fpx_bank = serializers.ChoiceField(
            choices=payment_methods.FPX_BANK_CHOICES,
            required=False,
            help_text="Required with `fpx` (and only then): the player's bank, from Stripe's FPX list.",
        )
        currency = serializers.ChoiceField(
            choices=[CURRENCY],
            default=CURRENCY,
            help_text="Optional: the wallet holds ringgit, and FPX and GrabPay take nothing else.",
            error_messages={"invalid_choice": _("Top-ups are in ringgit (MYR) only.")},
        )

        def validate(self, attrs):
            try:
                payment_methods.payment_method_check(
                    payment_method=attrs["payment_method"], fpx_bank=attrs.get("fpx_bank", "")
                )
            except InvalidPaymentMethod as exc:
                raise serializers.ValidationError(exc.errors) from exc
            return attrs

    OutputSerializer = TopUpOutputSerializer

    @extend_schema(
        operation_id="wallet_topup_create",
        request=InputSerializer,
        responses={201: OutputSerializer, 502: PROVIDER_ERROR},
    )
    @idempotent(then="open_payment")
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topup = topups.topup_create(
            user=request.user,
            amount=data.validated_data["amount"],
            payment_method=data.validated_data["payment_method"],
            fpx_bank=data.validated_data.get("fpx_bank", ""),
        )
        return Response({"topup_id": topup.pk}, status=status.HTTP_201_CREATED)

    def open_payment(self, request, response: Response) -> Response:
        """After the top-up row is committed: Stripe is called outside any transaction."""
        topup = topups.topup_payment_open(topup_id=response.data["topup_id"])
        return Response(self.OutputSerializer(topup).data, status=status.HTTP_201_CREATED)


class TopUpDetailApi(APIView):
    """One of the caller's top-ups, e.g. after the player came back from the bank's or GrabPay's
    page: `status` moves from `pending` when Stripe's webhook arrives; `message` says it in words."""

    class OutputSerializer(TopUpOutputSerializer):
        message = serializers.SerializerMethodField(help_text="Where the top-up stands, in plain words.")

        def get_message(self, topup: TopUp) -> str:
            return selectors.topup_status_message(topup)

    @extend_schema(operation_id="wallet_topup_detail", responses={200: OutputSerializer, 404: NOT_FOUND})
    def get(self, request, topup_id: int):
        topup = selectors.topup_of(user=request.user, topup_id=topup_id)
        if topup is None:
            raise NotFound(_("No such top-up."))
        return Response(self.OutputSerializer(topup).data)


class StripeWebhookApi(APIView):
    """Stripe calls this with signed events (no user authentication, no CSRF, no rate limit).

    The raw body is verified against the `Stripe-Signature` header with the webhook secret.
    Each event id takes effect at most once: a redelivery answers 200 with no effect. Handles
    `payment_intent.succeeded` (credits a top-up once), `payment_intent.payment_failed`,
    `payment_intent.canceled` and `charge.refunded`; other event types are recorded and
    ignored. Any other failure answers 5xx with nothing recorded, so Stripe delivers the event
    again.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        operation_id="stripe_webhook",
        auth=[],
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "Stripe-Signature",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description='`t=<unix time>,v1=<HMAC-SHA256 of "<t>.<raw body>" with the webhook secret>`.',
            )
        ],
        responses={
            200: inline_serializer("StripeWebhookReceived", {"received": serializers.BooleanField()}),
            400: OpenApiResponse(
                ErrorSerializer, description="`invalid_signature`: missing, wrong or stale signature."
            ),
            502: PROVIDER_ERROR,
        },
    )
    def post(self, request):
        # The signature covers the exact bytes Stripe sent, so the body is never parsed first.
        topups.stripe_event_process(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
        return Response({"received": True})
