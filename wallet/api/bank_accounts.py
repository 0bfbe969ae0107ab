"""Linking the bank account that withdrawals are paid to."""

from django.core.validators import RegexValidator
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.text import TextField
from wallet.services.bank_accounts import BANK_NAME_MAX_LENGTH, bank_account_set


@method_decorator(sensitive_post_parameters("account_number"), name="dispatch")
class BankAccountSetApi(APIView):
    """Links (or replaces) the caller's bank account.

    The full number is stored encrypted and never returned, by this or any endpoint: only
    its last four digits. Withdrawals requested within 24 hours of a change are held for a
    manual review.
    """

    class InputSerializer(serializers.Serializer):
        bank_name = TextField(max_length=BANK_NAME_MAX_LENGTH)
        account_number = TextField(
            validators=[RegexValidator(r"^[0-9]{10,18}$", "Enter 10 to 18 digits.")],
            max_length=18,
            help_text="10 to 18 digits.",
            error_messages={"invalid": "Enter 10 to 18 digits.", "max_length": "Enter 10 to 18 digits."},
        )
        account_holder_name = TextField(
            validators=[RegexValidator(r"^[A-Za-z ]+$", "Letters and spaces only.")],
            max_length=BANK_NAME_MAX_LENGTH,
            help_text="Letters and spaces; surrounding spaces are trimmed.",
            error_messages={"invalid": "Letters and spaces only."},
        )

    class OutputSerializer(serializers.Serializer):
        success = serializers.BooleanField()
        bank_name = serializers.CharField()
        bank_last4 = serializers.CharField()

    @extend_schema(operation_id="wallet_bank_account_set", request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wallet = bank_account_set(user=request.user, **data.validated_data)
        output = {"success": True, "bank_name": wallet.bank_name, "bank_last4": wallet.bank_last4}
        return Response(self.OutputSerializer(output).data)
