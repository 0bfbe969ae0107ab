"""Typed domain errors. Services raise them; `core.errors` turns them into the envelope."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status


class DomainError(Exception):
    """A business rule refused the operation. Subclasses name the contract's code."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code: str = "invalid"
    default_message: str = _("The request could not be completed.")

    def __init__(
        self, message: str | None = None, *, errors: dict[str, list[str]] | None = None, fields: dict | None = None
    ):
        self.message = message or self.default_message
        self.errors = errors
        self.fields = fields or {}  # more members of the envelope, as the contract names them
        super().__init__(self.message)


class NotFound(DomainError):
    """404: no such object, or one the caller may not see (the two look the same)."""

    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used with a different request body.")


class RequestInProgress(Conflict):
    code = "request_in_progress"
    default_message = _("A request with this Idempotency-Key is still being processed.")


class InvalidCredentials(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    default_message = _("Invalid username or password.")


class InvalidToken(DomainError):
    """A link's token (password reset, e-mail confirmation) is wrong, spent or expired."""

    code = "invalid_token"
    default_message = _("This link is invalid or has expired.")


class AccountSuspended(DomainError):
    """The right password, but the account is suspended or banned (`fields`: `suspended_until`, `reason`)."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "account_suspended"


class RateLimited(DomainError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"
    default_message = _("Too many requests. Try again later.")

    def __init__(self, message: str | None = None, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
