"""The API's one error shape: {"message", "code", "path"} (+ "errors" for bad input).

`api_exception_handler` is DRF's EXCEPTION_HANDLER; `error_response` is shared with the
middleware that covers Django's own 404/405/500 under /api/.
"""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from driftwood.core import redis_outage
from driftwood.core.exceptions import DomainError

logger = logging.getLogger("driftwood.api")

# Codes the contract promises for each status when nothing more specific applies.
DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
}
DEFAULT_MESSAGES = {
    400: _("Invalid input."),
    401: _("Authentication credentials were not provided."),
    403: _("You do not have permission to perform this action."),
    404: _("Not found."),
    405: _("Method not allowed."),
    413: _("The request body is too large."),
    429: _("Too many requests."),
    500: _("Internal server error."),
}
UNAVAILABLE_MESSAGE = _("A service this needs is briefly unavailable; nothing was changed. Try again in a moment.")
# 401 codes raised by our authentication classes pass through unchanged.
AUTH_CODES = {"not_authenticated", "token_expired", "token_invalid", "invalid_credentials"}


def error_body(*, path: str, status_code: int, message: str | None = None, code: str | None = None, errors=None):
    body = {
        "message": str(message or DEFAULT_MESSAGES.get(status_code, _("Request failed."))),
        "code": code or DEFAULT_CODES.get(status_code, "error"),
        "path": path,
    }
    if errors:
        body["errors"] = errors
    return body


def error_response(request, status_code: int, message: str | None = None, code: str | None = None) -> JsonResponse:
    """A plain Django JsonResponse in the envelope (for non-DRF code paths)."""
    return JsonResponse(
        error_body(path=request.path, status_code=status_code, message=message, code=code),
        status=status_code,
    )


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF/Django error details -> {"field": [messages]}, nested fields joined by dots."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for field, value in detail.items():
            name = f"{prefix}.{field}" if prefix else str(field)
            for key, messages in flatten_errors(value, name).items():
                flat.setdefault(key, []).extend(messages)
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            name = f"{prefix}.{index}" if prefix else str(index)
            for key, messages in flatten_errors(item, name).items():
                flat.setdefault(key, []).extend(messages)
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _first_message(errors: dict[str, list[str]]) -> str:
    for messages in errors.values():
        if messages:
            return messages[0]
    return DEFAULT_MESSAGES[400]


def _validation_response(path: str, errors: dict[str, list[str]]) -> Response:
    body = error_body(path=path, status_code=400, message=_first_message(errors), code="invalid", errors=errors)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def api_exception_handler(exc, context):
    """Every exception raised in a DRF view becomes the envelope; none escapes as HTML."""
    request = context["request"]
    path = request.path

    if isinstance(exc, DomainError):
        body = error_body(path=path, status_code=exc.status_code, message=exc.message, code=exc.code, errors=exc.errors)
        body.update(exc.fields)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return _validation_response(path, flatten_errors(detail))
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(path, flatten_errors(exc.detail))
    if isinstance(exc, exceptions.ParseError):
        # A body no JSON client sends (malformed, too deep): worth one line, never a traceback.
        logger.warning("%s %s refused: %s", request.method, path, exc.detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        code = exc.get_codes() if isinstance(exc.detail, str) else None
        if status_code == 401:
            code = code if code in AUTH_CODES else "token_invalid" if code else "not_authenticated"
        else:
            code = DEFAULT_CODES.get(status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else DEFAULT_MESSAGES.get(status_code)
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, exceptions.Throttled):
            headers["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
            message = _("Too many requests. Try again later.")
        body = error_body(path=path, status_code=status_code, message=str(message), code=code)
        return Response(body, status=status_code, headers=headers)

    if redis_outage.is_outage(exc):
        # Whatever could not run without Redis rolled back with the exception: try again shortly.
        redis_outage.failed(f"{request.method} {path}", exc)
        body = error_body(path=path, status_code=503, message=UNAVAILABLE_MESSAGE, code="service_unavailable")
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})
    logger.exception("Unhandled exception in %s %s", request.method, path, exc_info=exc)
    return Response(error_body(path=path, status_code=500), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
