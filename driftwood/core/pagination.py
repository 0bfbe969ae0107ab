"""List pagination per the contract: {"results", "has_more", "page", "next"} with ?page=, ?cursor=
and ?limit=.

`?page=` (OFFSET) is for shallow pages, up to MAX_PAGE; every page also returns `next`, an opaque
cursor (driftwood.core.keyset) that continues after its last row through the list's ordered index,
so `?cursor=<next>` costs the same at any depth. The ordering is the queryset's own `order_by`.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from driftwood.core.keyset import InvalidCursor, cursor_slice, page_slice

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Deeper than this, OFFSET would read and throw away thousands of rows: follow `next` instead.
MAX_PAGE = 50
MAX_CURSOR_LENGTH = 1000
CURSOR_HELP = (
    "Continue a list: the `next` value of the previous page, passed back unchanged (opaque; "
    "it stays valid while the list's order does). Not together with `page`. A cursor "
    "that was altered or made for another list -> 400 `invalid`."
)
PAGE_HELP = (
    f"Page number, from 1 to {MAX_PAGE}; deeper pages -> 400 `invalid`: follow `next` with `cursor` instead. "
    "With `cursor`, the response's `page` counts the pages walked (the cursor's page is one more "
    "than the page that returned it)."
)


def _positive_int(request, name: str, default: int, maximum: int | None = None, hint: str = "") -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    # ASCII digits only: int() would also take "+5", " 5", "5_0" and other scripts' digits.
    value = int(raw) if raw.isascii() and raw.isdigit() else 0
    if value < 1:
        raise serializers.ValidationError({name: [_("Must be a whole number of at least 1.")]})
    if maximum is not None and value > maximum:
        raise serializers.ValidationError(
            {name: [" ".join(filter(None, [_("Must be at most %(maximum)s.") % {"maximum": maximum}, hint]))]}
        )
    return value


def _cursor(request) -> str | None:
    raw = request.query_params.get("cursor")
    if raw in (None, ""):
        return None
    if request.query_params.get("page") not in (None, ""):
        raise serializers.ValidationError({"cursor": [_("Pass either page or cursor, not both.")]})
    if len(raw) > MAX_CURSOR_LENGTH:
        raise serializers.ValidationError({"cursor": [_("Not a cursor of this list.")]})
    return raw


class PagePagination(BasePagination):
    """Offset pages for the first MAX_PAGE pages, keyset cursors at any depth; never COUNT(*):
    one extra row tells whether another page exists."""

    def paginate_queryset(self, queryset, request, view=None):
        limit = min(_positive_int(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
        cursor = _cursor(request)
        try:
            if cursor is not None:
                page = cursor_slice(queryset, cursor=cursor, limit=limit)
            else:
                hint = _("Follow `next` with `cursor` for deeper pages.")
                number = _positive_int(request, "page", 1, MAX_PAGE, hint)
                page = page_slice(queryset, number=number, limit=limit)
        except InvalidCursor as exc:
            raise serializers.ValidationError({"cursor": [_("Not a cursor of this list.")]}) from exc
        self.page, self.has_more, self.next = page.number, page.has_more, page.next_cursor
        return page.rows

    def get_paginated_response(self, data):
        return Response({"results": data, "has_more": self.has_more, "page": self.page, "next": self.next})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "has_more", "page", "next"],
            "properties": {
                "results": schema,
                "has_more": {"type": "boolean"},
                "page": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "This page's number (with a cursor: pages walked from the first).",
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "description": "Pass as `cursor` for the next page; null on the last page.",
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": PAGE_HELP,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": CURSOR_HELP,
                "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Rows per page (default {DEFAULT_LIMIT}; values above {MAX_LIMIT} are clamped).",
                "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
            },
        ]
