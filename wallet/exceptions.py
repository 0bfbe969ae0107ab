from django.utils.translation import gettext_lazy as _
from rest_framework import status

from driftwood.core.exceptions import Conflict, DomainError, PermissionDenied


class InsufficientBalance(DomainError):
    code = "insufficient_balance"
    default_message = _("Your usable balance is too low for this.")


class InvalidAmount(DomainError):
    code = "invalid"
    default_message = _("Amounts must be positive with at most two decimal places.")


class NoBankAccount(DomainError):
    code = "no_bank_account"
    default_message = _("Link a bank account before withdrawing.")


class EmailUnverified(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "email_unverified"
    default_message = _("Confirm your e-mail address before withdrawing: open the link we sent you.")


class AlreadyProcessed(Conflict):
    code = "already_processed"
    default_message = _("This withdrawal has already been processed.")


class NeedsReview(Conflict):
    code = "needs_review"
    default_message = _("This withdrawal was flagged for review: approving it needs an override reason.")


class InvalidSignature(DomainError):
    code = "invalid_signature"
    default_message = _("The Stripe signature is missing or invalid.")


class PaymentProviderError(DomainError):
    """Stripe did not do it. `definite` when Stripe refused (a 4xx: the same request will be
    refused again); otherwise the outcome is unknown (timeout, connection, 5xx) and the same
    request, under the same idempotency key, may be retried."""

    status_code = 502
    code = "payment_provider_error"
    default_message = _("The payment provider could not be reached. Try again shortly.")

    def __init__(self, message: str | None = None, *, definite: bool = False, detail: str = "", **kwargs):
        super().__init__(message, **kwargs)
        self.definite = definite
        self.detail = detail or self.message  # for staff and logs, not for the player


class StaffOnly(PermissionDenied):
    default_message = _("Only staff may process withdrawals.")


class InvalidPaymentMethod(DomainError):
    code = "invalid"
    default_message = _("Choose card, FPX or GrabPay.")
