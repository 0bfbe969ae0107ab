"""Page-by-page lists on the browser pages: `?page=N` for the first MAX_PAGE pages, then (and for
the links from every page of a queryset) keyset cursors (driftwood.core.keyset) that continue after
the last row shown at the same cost however deep; one row beyond the page says whether another page
exists (no COUNT), and the previous/next links keep the page's other query parameters.

Rendered by `{% include "core/_pager.html" with page=page label="..." %}`.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from driftwood.core.keyset import InvalidCursor, Slice, cursor_slice, page_slice
from driftwood.core.pagination import MAX_CURSOR_LENGTH, MAX_PAGE


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    has_previous: bool
    has_next: bool
    previous_url: str
    next_url: str


def page_number(raw: str | None) -> int:
    """ASCII digits from 1 to MAX_PAGE (deeper pages are reached by cursor); anything else is page 1."""
    if raw and raw.isascii() and raw.isdigit():
        return min(max(int(raw), 1), MAX_PAGE)
    return 1


def page_url(request: HttpRequest, number: int) -> str:
    """The current query string with `page` set to `number` (as Django's `{% querystring %}` writes it)."""
    params = request.GET.copy()
    params.pop("cursor", None)
    params["page"] = str(number)
    return f"?{params.urlencode()}"


def cursor_url(request: HttpRequest, cursor: str) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params["cursor"] = cursor
    return f"?{params.urlencode()}"


def _link(request: HttpRequest, number: int, cursor: str | None) -> str:
    # Page numbers while they are shallow (readable, shareable links), the cursor deeper down.
    if number <= MAX_PAGE or cursor is None:
        return page_url(request, number)
    return cursor_url(request, cursor)


def _sliced(request: HttpRequest, queryset: QuerySet, per_page: int) -> Slice:
    cursor = request.GET.get("cursor")
    if cursor and len(cursor) <= MAX_CURSOR_LENGTH:
        try:
            return cursor_slice(queryset, cursor=cursor, limit=per_page)
        except InvalidCursor:
            pass  # like an unreadable page number: the first page
    return page_slice(queryset, number=page_number(request.GET.get("page")), limit=per_page)


def paginate(request: HttpRequest, queryset, per_page: int) -> Page:
    if isinstance(queryset, QuerySet):
        page = _sliced(request, queryset, per_page)
        items, number, has_previous, has_next = page.rows, page.number, page.has_previous, page.has_more
        previous_cursor, next_cursor = page.previous_cursor, page.next_cursor
    else:  # an in-memory list: page numbers only
        number = page_number(request.GET.get("page"))
        offset = (number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        items, has_previous, has_next = rows[:per_page], number > 1, len(rows) > per_page and number < MAX_PAGE
        previous_cursor = next_cursor = None
    return Page(
        items=items,
        number=number,
        has_previous=has_previous,
        has_next=has_next,
        previous_url=_link(request, number - 1, previous_cursor) if has_previous else "",
        next_url=_link(request, number + 1, next_cursor) if has_next else "",
    )
