"""Teach drf-spectacular that our bearer authentication is simplejwt's JWT scheme."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerJWTScheme(SimpleJWTScheme):
    target_class = "driftwood.accounts.authentication.BearerJWTAuthentication"
    name = "jwtAuth"
