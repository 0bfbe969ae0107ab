"""Teach drf-spectacular our authentication classes: simplejwt's JWT scheme and the session cookie."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerJWTScheme(SimpleJWTScheme):
    target_class = "driftwood.accounts.authentication.BearerJWTAuthentication"
    name = "jwtAuth"


class LanguageSessionScheme(SessionScheme):
    """Session authentication that also applies the player's language: the same cookie scheme."""

    target_class = "driftwood.accounts.authentication.LanguageSessionAuthentication"
