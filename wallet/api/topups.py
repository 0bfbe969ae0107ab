"""Card top-ups and the Stripe webhook that settles them."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.idempotency import idempotent
from driftwood.core.money import MoneyField
from driftwood.core.schema import ErrorSerializer
from driftwood.core.throttles import MoneyRateThrottle, TieredRateThrottle
from wallet.models import TopUp
from wallet.services import topups

PROVIDER_ERROR = OpenApiResponse(ErrorSerializer, description="`payment_provider_error`: Stripe could not be reached.")


class TopUpCreateApi(APIView):
    """Opens a card payment (a Stripe PaymentIntent) for a wallet top-up.

    Pay it with Stripe.js using `client_secret`. The wallet is credited only when Stripe
    reports `payment_intent.succeeded` to the webhook; until then `status` is `pending`.
    """

    throttle_classes = [TieredRateThrottle, MoneyRateThrottle]

    class InputSerializer(serializers.Serializer):
        amount = MoneyField(min_value=settings.TOPUP_MIN, max_value=settings.TOPUP_MAX, help_text="1.00 to 10000.00")

    class OutputSerializer(serializers.Serializer):
        topup_id = serializers.IntegerField(source="pk")
        payment_intent_id = serializers.CharField()
        client_secret = serializers.CharField(help_text="For Stripe.js `confirmCardPayment`.")
        status = serializers.ChoiceField(choices=TopUp.Status.choices)
        amount = MoneyField()

    @extend_schema(
        operation_id="wallet_topup_create",
        request=InputSerializer,
        responses={201: OutputSerializer, 502: PROVIDER_ERROR},
    )
    @idempotent(then="open_payment")
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topup = topups.topup_create(user=request.user, amount=data.validated_data["amount"])
        return Response({"topup_id": topup.pk}, status=status.HTTP_201_CREATED)

    def open_payment(self, request, response: Response) -> Response:
        """After the top-up row is committed: Stripe is called outside any transaction."""
        topup = topups.topup_payment_open(topup_id=response.data["topup_id"])
        return Response(self.OutputSerializer(topup).data, status=status.HTTP_201_CREATED)


class StripeWebhookApi(APIView):
    """Stripe calls this with signed events (no user authentication, no CSRF, no rate limit).

    The raw body is verified against the `Stripe-Signature` header with the webhook secret.
    Each event id takes effect at most once: a redelivery answers 200 with no effect. Handles
    `payment_intent.succeeded` (credits a top-up once), `payment_intent.payment_failed` and
    `charge.refunded`; other event types are recorded and ignored. Any other failure answers
    5xx with nothing recorded, so Stripe delivers the event again.
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
