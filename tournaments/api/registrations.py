"""Joining and leaving an event, paid from the wallet, by card or by FPX."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.idempotency import idempotent
from driftwood.core.money import MoneyField
from driftwood.core.schema import error_response
from driftwood.core.throttles import MoneyRateThrottle, TieredRateThrottle
from tournaments.api import JoinPaymentSerializer
from tournaments.api.events import NOT_FOUND, require_visible_event
from tournaments.models import ParticipantPayment, Registration
from tournaments.services.entry_payments import entry_payment_open
from tournaments.services.registrations import registration_join, registration_leave
from wallet.services.payment_methods import FPX_BANK_CHOICES

Method = ParticipantPayment.Method


class EventJoinApi(APIView):
    """Registers the caller (solo events) or the caller's team (team events; the caller is its captain).

    `payment_method: "wallet"` takes the entry fee from the wallet at once: the entry is
    `confirmed` and `payment` is `{method: "wallet", amount}`. `"stripe"` opens a card payment:
    the entry is `pending` and `payment` is `{method: "stripe", amount, payment_intent_id,
    client_secret}`; Stripe's webhook confirms it, or refunds the card if the event filled up
    or closed meanwhile. `"fpx"` (with `fpx_bank`) does the same through the player's bank: the
    server confirms the intent, `payment` adds `fpx_bank`, `redirect_url` (send the player there
    to approve) and `return_url` (the event page they come back to). A failed or cancelled FPX
    payment ends the pending entry (nothing is charged; join again), and one left unpaid for
    PAYMENT_ABANDON_MINUTES is cancelled at Stripe. FPX cannot wait on a full event's waitlist.
    Free events are `confirmed` with `payment: null`.
    """

    throttle_classes = [TieredRateThrottle, MoneyRateThrottle]

    class InputSerializer(serializers.Serializer):
        team_id = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            help_text="Team events: a team you captain (ignored for solo events).",
        )
        payment_method = serializers.ChoiceField(choices=Method.choices)
        fpx_bank = serializers.ChoiceField(
            choices=FPX_BANK_CHOICES,
            required=False,
            help_text="Required with `fpx` (and only then): the player's bank, from Stripe's FPX list.",
        )
        waitlist = serializers.BooleanField(
            required=False,
            default=False,
            help_text=(
                "If the event is full, wait for a seat: nothing is charged now; when a seat frees, a "
                "wallet payer pays at once and a card payer has the seat held 30 minutes to pay."
            ),
        )

    class OutputSerializer(serializers.Serializer):
        join_event_id = serializers.IntegerField(source="registration.pk")
        status = serializers.ChoiceField(
            choices=Registration.Status.choices,
            source="registration.status",
            help_text="`confirmed`, `pending` until the card payment succeeds, or `waitlisted`.",
        )
        payment = JoinPaymentSerializer(allow_null=True, help_text="null for a free event or the waitlist.")
        position = serializers.IntegerField(
            required=False, help_text="On the waitlist: 1 is promoted first.", allow_null=True
        )

        def to_representation(self, instance):
            data = super().to_representation(instance)
            if instance.position is None:
                data.pop("position")
            return data

    @extend_schema(
        operation_id="event_join",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: error_response(
                "`invalid` (also: `fpx` without a bank from the list, `fpx_bank` with another method, `fpx` on a "
                "full event's waitlist); `team_required` (team event, no `team_id`); `team_size` (the team has "
                "the wrong number of players); `insufficient_balance` (wallet short of the entry fee)."
            ),
            403: error_response("`permission_denied`: the caller is not the team's captain."),
            404: error_response("`not_found`: no such event (or another organizer's draft), or no such team."),
            409: error_response(
                "`registration_closed`; `already_joined` (the caller, or a member of the team, already "
                "has an entry); `event_full`; `idempotency_key_reused`; `request_in_progress`."
            ),
            502: error_response("`payment_provider_error`: Stripe could not be reached (nothing was kept)."),
        },
    )
    @idempotent(then="open_stripe_payment")
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = registration_join(
            event_id=event_id,
            user=request.user,
            team_id=data.validated_data.get("team_id"),
            payment_method=data.validated_data["payment_method"],
            fpx_bank=data.validated_data.get("fpx_bank", ""),
            waitlist=data.validated_data["waitlist"],
        )
        return Response(self.OutputSerializer(result).data, status=status.HTTP_201_CREATED)

    def open_stripe_payment(self, request, response: Response) -> Response:
        """After the entry is committed, a card or FPX entry's PaymentIntent is opened (outside any transaction)."""
        payment = response.data["payment"]
        if payment is None or payment["method"] not in (Method.STRIPE, Method.FPX):
            return response
        opened = entry_payment_open(registration_id=response.data["join_event_id"])
        return Response({**response.data, "payment": JoinPaymentSerializer(opened).data}, status=response.status_code)


class EventLeaveApi(APIView):
    """Withdraws the caller's entry (a team's entry only by the captain who registered it).

    Before registration closes, whatever was paid comes back in full: to the wallet, or to the
    card or FPX bank account through a Stripe refund. A card payment still outstanding is abandoned (if it is paid
    later anyway, it is refunded automatically).
    """

    class OutputSerializer(serializers.Serializer):
        join_event_id = serializers.IntegerField(source="pk")
        status = serializers.ChoiceField(choices=Registration.Status.choices)
        refund = serializers.DictField(
            child=MoneyField(positive=False),
            allow_null=True,
            help_text=(
                '`{"wallet": "10.00"}`, `{"stripe": "10.00"}` or `{"fpx": "10.00"}`; null when nothing had been paid.'
            ),
        )

    @extend_schema(
        operation_id="event_leave",
        request=None,
        responses={
            200: OutputSerializer,
            403: error_response(
                "`permission_denied`: a team's entry can only be withdrawn by the captain who made it."
            ),
            404: NOT_FOUND,
            409: error_response("`not_registered`; `registration_closed` (entries can no longer be withdrawn)."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        registration = registration_leave(event_id=event_id, user=request.user)
        payment = getattr(registration, "payment", None)
        refunded = payment is not None and payment.status == ParticipantPayment.Status.REFUNDED
        registration.refund = {payment.method: payment.refunded_amount} if refunded else None
        return Response(self.OutputSerializer(registration).data)
