"""Withdrawals: the player's request, and the staff queue that approves or rejects them."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.idempotency import idempotent
from driftwood.core.money import MoneyField
from driftwood.core.network import client_ip
from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ErrorSerializer
from driftwood.core.text import TextField
from driftwood.core.throttles import MoneyRateThrottle, TieredRateThrottle
from wallet import selectors
from wallet.models import Withdrawal
from wallet.services import fraud
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request

PROCESS_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="`already_processed`: the withdrawal is no longer pending or in review.",
)


class WithdrawalRequestApi(APIView):
    """Requests a payout of `amount` to the linked bank account; a RM 1.00 fee is added.

    `total` (amount + fee) moves from the usable to the pending balance at once. A request
    the fraud checks flag is created with status `review` and waits for staff.
    """

    throttle_classes = [TieredRateThrottle, MoneyRateThrottle]

    class InputSerializer(serializers.Serializer):
        amount = MoneyField(help_text="10.00 to 5000.00")

    class OutputSerializer(serializers.Serializer):
        withdrawal_id = serializers.IntegerField(source="pk")
        amount = MoneyField()
        fee = MoneyField(positive=False)
        total = MoneyField()
        status = serializers.ChoiceField(choices=Withdrawal.Status.choices)

    @extend_schema(
        operation_id="wallet_withdrawal_create",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description='`invalid` (e.g. "Minimum withdrawal RM 10", "Maximum withdrawal RM 5000"), '
                "`no_bank_account`, or `insufficient_balance` (usable balance below amount + fee).",
            ),
        },
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = withdrawal_request(
            user=request.user,
            amount=data.validated_data["amount"],
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(self.OutputSerializer(withdrawal).data, status=status.HTTP_201_CREATED)


class FraudFlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=fraud.FLAG_CODES)
    message = serializers.CharField(help_text="In the caller's language (Accept-Language, else their own).")

    def to_representation(self, flag):
        code = flag.get("code") if isinstance(flag, dict) else None
        return {"code": code, "message": fraud.fraud_flag_message(flag)}


class WithdrawalStaffListApi(APIView):
    """Staff only: every player's withdrawals, newest first, optionally by status.

    `?status=processing` lists the payouts whose bank outcome is still unknown, with their
    attempts and last error.
    """

    pagination_class = PagePagination  # also tells the schema the list is paginated

    permission_classes = [IsAdminUser]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Withdrawal.Status.choices, required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        user_id = serializers.IntegerField()
        username = serializers.CharField(source="user.username")
        amount = MoneyField()
        fee = MoneyField(positive=False)
        total = MoneyField()
        status = serializers.ChoiceField(choices=Withdrawal.Status.choices)
        fraud_flags = FraudFlagSerializer(many=True)
        bank_name = serializers.CharField()
        bank_last4 = serializers.CharField()
        requested_ip = serializers.IPAddressField(allow_null=True)
        user_agent = serializers.CharField()
        override_reason = serializers.CharField()
        failure_reason = serializers.CharField()
        processed_by_id = serializers.IntegerField(allow_null=True)
        created_at = serializers.DateTimeField()
        processed_at = serializers.DateTimeField(allow_null=True)
        processing_since = serializers.DateTimeField(
            allow_null=True, help_text="When staff approved it and the payout was first sent."
        )
        payout_attempts = serializers.IntegerField(
            help_text="Attempts at the payout so far: the first send, then each retry (a lookup by "
            "reference, and a re-send when the bank has none)."
        )
        last_payout_error = serializers.CharField(
            help_text="Why the last attempt's outcome was unknown (timeout, bank unreachable, 5xx); empty if none."
        )
        last_payout_attempt_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="admin_withdrawal_list",
        parameters=[OpenApiParameter("status", enum=Withdrawal.Status.values, required=False)],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        withdrawals = selectors.withdrawals_for_staff(status=filters.validated_data.get("status"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(withdrawals, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class WithdrawalProcessedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Withdrawal.Status.choices)


class WithdrawalApproveApi(APIView):
    """Staff only: pays the withdrawal out to the player's bank.

    `completed`: the bank accepted; the amount left the wallet and the fee went to the
    platform. `failed`: the bank definitely refused; the total is back in the player's usable
    balance and the reason is recorded. `processing`: the bank's answer is unknown (a timeout,
    the bank unreachable, a 5xx): the total stays pending and the payout is retried by the
    same reference until the bank answers; it is never paid twice. A withdrawal in `review`
    (flagged by the fraud checks, also when the approval itself finds a rule now broken)
    needs a non-empty `override_reason`, recorded with the staff member.
    """

    permission_classes = [IsAdminUser]

    class InputSerializer(serializers.Serializer):
        override_reason = TextField(multiline=True, required=False, allow_blank=True, max_length=1000, default="")

    @extend_schema(
        operation_id="admin_withdrawal_approve",
        request=InputSerializer,
        responses={
            200: WithdrawalProcessedSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`already_processed` (no longer pending or in review, e.g. already "
                "`processing`), or `needs_review`: flagged by the fraud checks and no `override_reason` given.",
            ),
        },
    )
    def post(self, request, withdrawal_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            withdrawal = withdrawal_approve(
                withdrawal_id=withdrawal_id, staff=request.user, override_reason=data.validated_data["override_reason"]
            )
        except Withdrawal.DoesNotExist:
            raise Http404 from None
        return Response(WithdrawalProcessedSerializer(withdrawal).data)


class WithdrawalRejectApi(APIView):
    """Staff only: refuses a pending or flagged withdrawal; the total returns to the player's usable balance.

    A `processing` withdrawal was sent to the bank and cannot be rejected (409 `already_processed`).
    """

    permission_classes = [IsAdminUser]

    class InputSerializer(serializers.Serializer):
        reason = TextField(multiline=True, max_length=1000, help_text="Told to the player.")

    @extend_schema(
        operation_id="admin_withdrawal_reject",
        request=InputSerializer,
        responses={200: WithdrawalProcessedSerializer, 409: PROCESS_CONFLICT},
    )
    def post(self, request, withdrawal_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            withdrawal = withdrawal_reject(
                withdrawal_id=withdrawal_id, staff=request.user, reason=data.validated_data["reason"]
            )
        except Withdrawal.DoesNotExist:
            raise Http404 from None
        return Response(WithdrawalProcessedSerializer(withdrawal).data)
