"""OpenAPI: every operation documents the error envelope and the contract's error codes."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny

from driftwood.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from driftwood.core.idempotency import KEY_PATTERN as IDEMPOTENCY_KEY_PATTERN
from driftwood.core.money import AMOUNT_PATTERN, INPUT_HELP, OUTPUT_PATTERN


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField(help_text="Machine-readable error code, e.g. `invalid`, `not_found`.")
    path = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages for `invalid` input.",
    )


def error_response(description: str) -> OpenApiResponse:
    """An error answer in the schema: the envelope, and which codes it carries here."""
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    "400": error_response("`invalid` (with `errors`) or an operation-specific code."),
    "401": error_response("`not_authenticated`, `token_expired`, `token_invalid` or `invalid_credentials`."),
    "403": error_response("`permission_denied`."),
    "404": error_response("`not_found`."),
    "409": error_response("`idempotency_key_reused`, `request_in_progress`, or an operation-specific conflict."),
    "413": error_response("`payload_too_large`: the body is over the size limit."),
    "415": error_response("`unsupported_media_type`: a body in a content type the operation does not read."),
    "429": error_response("`rate_limited`; see the `Retry-After` header."),
    "500": error_response("`server_error`."),
    "503": error_response(
        "`service_unavailable`: a service it needs (Redis) is down; retry after `Retry-After` seconds."
    ),
}


class MoneyFieldExtension(OpenApiSerializerFieldExtension):
    """Money in: the contract's strict digits, as a string or a JSON number. Money out: a string
    with exactly two decimals."""

    target_class = "driftwood.core.money.MoneyField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            # (The field's help_text, if any, becomes the description: the rule rides on the branches.)
            return {
                "oneOf": [
                    {"type": "string", "pattern": AMOUNT_PATTERN, "example": "100.50", "description": INPUT_HELP},
                    {"type": "number", "minimum": 0, "multipleOf": 0.01, "description": "The same digits, unquoted."},
                ]
            }
        return {"type": "string", "pattern": OUTPUT_PATTERN, "example": "100.50", "description": "MYR, two decimals"}


def drop_trailing_slash_duplicates(endpoints, **kwargs):
    """Routes match with and without the trailing slash; document each operation once."""
    slashless = {(path, method) for path, _regex, method, _view in endpoints if not path.endswith("/")}
    return [
        endpoint
        for endpoint in endpoints
        if not (endpoint[0].endswith("/") and (endpoint[0].rstrip("/"), endpoint[2]) in slashless)
    ]


class DriftwoodAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        # House style nests InputSerializer/OutputSerializer in each view class:
        # name them after the view (MeApi.OutputSerializer -> MeOutput) so they stay unique.
        outer, _, inner = type(serializer).__qualname__.rpartition(".")
        if outer.endswith("Api") and inner.endswith("Serializer"):
            return outer.removesuffix("Api") + inner.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        handler = getattr(self.view, self.method.lower(), None)
        if getattr(handler, "idempotent", False):
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": IDEMPOTENCY_KEY_PATTERN},
                    OpenApiParameter.HEADER,
                    description="1-255 printable characters. Replays the first response for 24 h; "
                    "409 `idempotency_key_reused` for another body, 409 `request_in_progress` while the first runs.",
                )
            )
        return parameters

    def _error_statuses(self) -> list[str]:
        """The errors this operation can answer with, beyond those it declares itself."""
        statuses = ["400", "429", "500", "503"]
        restricted = any(not isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        authenticators = self.view.get_authenticators()
        if restricted or authenticators:
            statuses.append("401")  # no credentials where they are needed, or a bad token anywhere
        unsafe = self.method not in SAFE_METHODS
        if restricted or (unsafe and any(isinstance(auth, SessionAuthentication) for auth in authenticators)):
            statuses.append("403")  # not allowed, or a session request without its CSRF token
        if "{" in self.path:
            statuses.append("404")
        if getattr(getattr(self.view, self.method.lower(), None), "idempotent", False):
            statuses.append("409")
        if unsafe:
            statuses.append("413")  # driftwood.core.middleware.RequestBodyGuardMiddleware
            statuses.append("415")
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code in self._error_statuses():
            if status_code not in responses:
                responses[status_code] = self._get_response_for_code(
                    ERRORS[status_code], status_code, direction=direction
                )
        return responses
