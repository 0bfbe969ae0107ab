"""List pagination per the contract: {"results", "has_more", "page"} with ?page= and ?limit=."""

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Far beyond any real list, and keeps OFFSET inside PostgreSQL's bigint.
MAX_PAGE = 1_000_000


def _positive_int(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    # ASCII digits only: int() would also take "+5", " 5", "5_0" and other scripts' digits.
    value = int(raw) if raw.isascii() and raw.isdigit() else 0
    if value < 1:
        raise serializers.ValidationError({name: ["Must be a whole number of at least 1."]})
    if maximum is not None and value > maximum:
        raise serializers.ValidationError({name: [f"Must be at most {maximum}."]})
    return value


class PagePagination(BasePagination):
    """Offset pages without COUNT(*): one extra row tells whether another page exists."""

    def paginate_queryset(self, queryset, request, view=None):
        self.page = _positive_int(request, "page", 1, MAX_PAGE)
        limit = min(_positive_int(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
        offset = (self.page - 1) * limit
        rows = list(queryset[offset : offset + limit + 1])
        self.has_more = len(rows) > limit
        return rows[:limit]

    def get_paginated_response(self, data):
        return Response({"results": data, "has_more": self.has_more, "page": self.page})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "has_more", "page"],
            "properties": {
                "results": schema,
                "has_more": {"type": "boolean"},
                "page": {"type": "integer", "minimum": 1},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": f"Page number, from 1 to {MAX_PAGE:,}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Rows per page (default {DEFAULT_LIMIT}; values above {MAX_LIMIT} are clamped).",
                "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
            },
        ]
