"""The request-body guard, the API error envelope for responses Django itself
produces, API time zone."""

import logging
from datetime import UTC

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core.errors import error_response

logger = logging.getLogger("driftwood.requests")

API_PREFIX = "/api/"


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
MALFORMED = (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent, BadRequest, SuspiciousOperation, ValueError)


class RequestBodyGuardMiddleware:
    """Reads every request body once, up front, so that no view or middleware meets a bad one.

    Over DATA_UPLOAD_MAX_MEMORY_SIZE (for forms: their fields; uploaded files go to disk) -> 413
    `payload_too_large`; a form body that cannot be parsed, or one with nothing in it under
    /api/ -> 400 `invalid`. The API answers with the envelope, pages with an error page; each
    refusal is logged once, here. JSON itself is checked by `core.parsers` when a view reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._check(request)
        if refusal is None:
            return self.get_response(request)
        status_code, message = refusal
        logger.warning("%s %s refused: %s", request.method, request.path, message)
        if request.path.startswith(API_PREFIX):
            response = error_response(request, status_code, message=message)
        else:
            # A bare context, as for the 500 page: nothing here may read the request's body again.
            page = loader.render_to_string("request_refused.html", {"status": status_code, "message": message})
            response = HttpResponse(page, status=status_code)
        response._has_been_logged = True  # not again by django.request
        return response

    @staticmethod
    def _check(request) -> tuple[int, str] | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        try:
            if request.method == "POST" and request.content_type in FORM_TYPES:
                request.POST  # noqa: B018 (parses the form; files stream to temporary files)
                has_body = int(request.META.get("CONTENT_LENGTH") or 0) > 0
                if has_body and request.path.startswith(API_PREFIX) and not request.POST and not request.FILES:
                    return 400, _("The request body is an empty form.")
            else:
                request.body  # noqa: B018 (reads it, within DATA_UPLOAD_MAX_MEMORY_SIZE)
        except RequestDataTooBig:
            return 413, _("The request body is over the limit of %(limit)s bytes.") % {
                "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            }
        except MALFORMED:
            return 400, _("The request body is malformed.")
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiErrorEnvelopeMiddleware:
    """Under /api/, Django's HTML 404/405/500 (and anything else) become the envelope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400 or _is_json(response):
            return response
        message = None
        if response.status_code == 403 and b"CSRF" in getattr(response, "content", b""):
            message = _("CSRF verification failed.")
        envelope = error_response(request, response.status_code, message=message)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                envelope[header] = response[header]
        return envelope

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return error_response(request, 404)
        if isinstance(exception, PermissionDenied):
            return error_response(request, 403)
        logger.exception("Unhandled exception in %s %s", request.method, request.path, exc_info=exception)
        return error_response(request, 500)


class ApiUtcMiddleware:
    """The API speaks UTC ("...Z"), as the contract says; pages keep the site's Malaysian time.

    DRF renders and parses datetimes in the current time zone, so activating UTC for
    `/api/` requests makes every API datetime UTC without a special field in each serializer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        with timezone.override(UTC):
            return self.get_response(request)
