"""JWT bearer authentication that names why a token failed (expired vs. invalid)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.tokens import AccessToken

from driftwood.accounts.language import apply_stored_language


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
