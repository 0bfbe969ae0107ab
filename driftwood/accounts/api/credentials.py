"""Password reset and change, and the e-mail address change, over the API (the services do the work)."""

from django.contrib.auth.models import update_last_login
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken

from driftwood.accounts import email_address, passwords
from driftwood.accounts.api.views import TokenPairSerializer
from driftwood.core.schema import ERRORS, error_response
from driftwood.core.text import StrictCharField


def _password_field() -> StrictCharField:
    return StrictCharField(max_length=128, write_only=True, style={"input_type": "password"})


class PasswordResetApi(APIView):
    """Always 202, whether or not an account has the address (nobody learns which ones do)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(operation_id="auth_password_reset", request=InputSerializer, responses={202: None})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        passwords.password_reset_request(**data.validated_data)
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    class InputSerializer(serializers.Serializer):
        uid = StrictCharField(max_length=64)
        token = StrictCharField(max_length=128)
        new_password = _password_field()

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        request=InputSerializer,
        responses={
            200: None,
            400: error_response(
                "`invalid_token`: the link is wrong, used or over an hour old; `invalid`: weak password."
            ),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        passwords.password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_200_OK)


class PasswordChangeApi(APIView):
    """Every other session and token of the player stops working; the caller gets a fresh pair."""

    class InputSerializer(serializers.Serializer):
        old_password = _password_field()
        new_password = _password_field()

    @extend_schema(
        operation_id="auth_password_change",
        request=InputSerializer,
        responses={
            200: TokenPairSerializer,
            400: error_response("`invalid`: wrong current or weak new password."),
            401: ERRORS["401"],
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = passwords.password_change(user=request.user, **data.validated_data)
        refresh = RefreshToken.for_user(user)
        update_last_login(None, user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class EmailChangeApi(APIView):
    """202: a link goes to the new address, which becomes the account's when it is opened."""

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = _password_field()

    @extend_schema(
        operation_id="me_email_change",
        request=InputSerializer,
        responses={
            202: None,
            400: error_response("`invalid`: wrong password, the same address, or one another account uses."),
            401: ERRORS["401"],
            429: ERRORS["429"],
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email_address.email_change_request(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_202_ACCEPTED)
