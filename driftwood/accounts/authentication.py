"""JWT bearer authentication that names why a token failed (expired vs. invalid)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from driftwood.accounts.language import apply_stored_language
from driftwood.core.compiled import CompiledQuery

# Every authenticated API call and socket reads its user by id: fixed SQL after the first call
# (Django compiling `User.objects.get(pk=...)` again each time cost more than the query).
_USER_BY_ID = CompiledQuery(lambda user_id: get_user_model().objects.filter(pk=user_id)[:1], "user_id")


class TokenExpired(AuthenticationFailed):
    default_detail = _("The access token has expired.")
    default_code = "token_expired"


class TokenInvalid(AuthenticationFailed):
    default_detail = _("The access token is invalid.")
    default_code = "token_invalid"


def user_for_access_token(raw_token: str | bytes):
    """The active user an access token belongs to; raises TokenExpired / TokenInvalid.

    Shared by the REST API and the WebSocket middleware, so a banned (inactive) user's
    earlier tokens stop working everywhere on their next use.
    """
    try:
        token = AccessToken(raw_token)
    except ExpiredTokenError as exc:
        raise TokenExpired() from exc
    except TokenError as exc:
        raise TokenInvalid() from exc
    try:
        user = BearerJWTAuthentication().get_user(token)
    except AuthenticationFailed as exc:
        raise TokenInvalid() from exc
    return user, token


class BearerJWTAuthentication(JWTAuthentication):
    www_authenticate_realm = "api"

    def get_user(self, validated_token: Token):
        """simplejwt's `get_user` (the same refusals, messages and codes), with the user read by
        `_USER_BY_ID`."""
        try:
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        user = _USER_BY_ID.one(user_id=user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user

    def authenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        user, token = user_for_access_token(raw_token)
        apply_stored_language(request, user)
        return user, token


class LanguageSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, answering in the player's stored language (as the JWT one)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            apply_stored_language(request, result[0])
        return result
