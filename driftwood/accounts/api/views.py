from collections.abc import Mapping

from django.contrib.auth.models import update_last_login
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from driftwood.accounts import selectors, services
from driftwood.accounts.authentication import TokenExpired, TokenInvalid
from driftwood.accounts.models import USERNAME_PATTERN, User
from driftwood.core.schema import ERRORS, ErrorSerializer, error_response
from driftwood.core.text import StrictCharField, TextField

REVOKE_CLAIM = jwt_settings.REVOKE_TOKEN_CLAIM


class UserRegisterApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = TextField(
            validators=[RegexValidator(USERNAME_PATTERN, "3-30 characters: letters, digits and underscores.")]
        )
        email = serializers.EmailField(max_length=254)
        password = StrictCharField(max_length=128, write_only=True, style={"input_type": "password"})

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()

    @extend_schema(
        operation_id="auth_register",
        request=InputSerializer,
        responses={201: OutputSerializer, 400: error_response("`invalid`: every invalid field at once.")},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            # Every invalid field at once: the form's own checks, and what sign-up would refuse.
            body = request.data if isinstance(request.data, Mapping) else {}
            raw = {name: body.get(name) for name in ("username", "email", "password")}
            # Only what the form's own checks let through is worth asking about (strings, in size).
            plain = {name: value if isinstance(value, str) and len(value) <= 254 else "" for name, value in raw.items()}
            problems = services.user_signup_problems(**plain)
            raise serializers.ValidationError({**problems, **data.errors})
        user = services.user_create(**data.validated_data)
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AccountSuspendedSerializer(ErrorSerializer):
    """403 `account_suspended`: the right password of a suspended or banned account."""

    suspended_until = serializers.DateTimeField(allow_null=True, help_text="When the suspension ends; null: banned.")
    reason = serializers.CharField()


class UserLoginApi(APIView):
    """Failed attempts are limited per username (5/min) and per IP (20/min); successes are free."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    class InputSerializer(serializers.Serializer):
        username = StrictCharField(max_length=150)
        password = StrictCharField(max_length=128, write_only=True, style={"input_type": "password"})

    @extend_schema(
        operation_id="auth_login",
        request=InputSerializer,
        responses={200: TokenPairSerializer, 401: ERRORS["401"], 403: AccountSuspendedSerializer},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request, **data.validated_data)
        refresh = RefreshToken.for_user(user)
        update_last_login(None, user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class TokenRefreshApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        # No authenticators here, but a bad refresh token is still a 401, not DRF's 403.
        return 'Bearer realm="api"'

    class InputSerializer(serializers.Serializer):
        refresh = StrictCharField()

    @extend_schema(
        operation_id="auth_refresh",
        request=InputSerializer,
        responses={200: inline_serializer("AccessToken", {"access": serializers.CharField()}), 401: ERRORS["401"]},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            refresh = RefreshToken(data.validated_data["refresh"])
        except ExpiredTokenError as exc:
            raise TokenExpired(_("The refresh token has expired.")) from exc
        except TokenError as exc:
            raise TokenInvalid(_("The refresh token is invalid.")) from exc
        user = User.objects.filter(pk=refresh.payload.get("user_id"), is_active=True).first()
        # Issued before the password last changed (or was reset): revoked.
        if user is None or refresh.payload.get(REVOKE_CLAIM) != get_md5_hash_password(user.password):
            raise TokenInvalid(_("The refresh token is invalid."))
        return Response({"access": str(refresh.access_token)})


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        email_verified = serializers.BooleanField(help_text="The player opened the link sent to `email`.")
        display_name = serializers.CharField()
        is_staff = serializers.BooleanField()
        subscription_tier = serializers.ChoiceField(choices=User.SubscriptionTier.choices)
        starred_user_ids = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(operation_id="me", responses={200: OutputSerializer})
    def get(self, request):
        user = request.user
        user.starred_user_ids = selectors.user_starred_ids(user=user)
        return Response(self.OutputSerializer(user).data)
