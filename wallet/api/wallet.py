"""The player's own wallet: balances and ledger history."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.money import CURRENCY, MoneyField
from driftwood.core.pagination import PagePagination
from wallet import selectors
from wallet.models import LedgerEntry


class WalletDetailApi(APIView):
    """Created on first use. Always `current_balance == usable_balance + pending_balance`."""

    class OutputSerializer(serializers.Serializer):
        currency = serializers.ChoiceField(choices=[CURRENCY])
        current_balance = MoneyField(positive=False)
        usable_balance = MoneyField(positive=False)
        pending_balance = MoneyField(positive=False)
        has_bank_account = serializers.BooleanField()
        bank_name = serializers.CharField(allow_null=True)
        bank_last4 = serializers.CharField(allow_null=True)
        account_holder_name = serializers.CharField(allow_null=True)

    @extend_schema(operation_id="wallet_detail", responses={200: OutputSerializer})
    def get(self, request):
        # The cached summary is already in the output shape.
        return Response(selectors.wallet_summary(user=request.user))


class TransactionListApi(APIView):
    """The caller's ledger, newest first. `amount` is the signed effect on the usable balance."""

    pagination_class = PagePagination  # also tells the schema the list is paginated

    class FilterSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=LedgerEntry.Type.choices, required=False)
        start_date = serializers.DateField(required=False)
        end_date = serializers.DateField(required=False)

        def validate(self, attrs):
            start, end = attrs.get("start_date"), attrs.get("end_date")
            if start and end and start > end:
                raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
            return attrs

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        transaction_type = serializers.ChoiceField(choices=LedgerEntry.Type.choices)
        amount = MoneyField(positive=False)
        balance_after = MoneyField(positive=False, source="usable_after")
        description = serializers.CharField(
            source="get_description_display",
            help_text="In the caller's language (Accept-Language, else their own choice); "
            "rows from before descriptions were kept in parts read as they were stored (English).",
        )
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="wallet_transactions",
        parameters=[
            OpenApiParameter("type", enum=LedgerEntry.Type.values, required=False),
            OpenApiParameter("start_date", str, description="YYYY-MM-DD (a UTC day), inclusive.", required=False),
            OpenApiParameter("end_date", str, description="YYYY-MM-DD (a UTC day), inclusive.", required=False),
        ],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        entries = selectors.ledger_entries(
            user=request.user,
            transaction_type=data.get("type"),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
