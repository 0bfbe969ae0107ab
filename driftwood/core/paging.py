"""Page-by-page lists on the browser pages: `?page=N`, one row beyond the page says whether another
page exists (no COUNT), and the previous/next links keep the page's other query parameters.

Rendered by `{% include "core/_pager.html" with page=page label="..." %}`.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from driftwood.core.pagination import MAX_PAGE


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    has_previous: bool
    has_next: bool
    previous_url: str
    next_url: str


def page_number(raw: str | None) -> int:
    """ASCII digits from 1 to MAX_PAGE (so OFFSET stays in PostgreSQL's range); anything else is page 1."""
    if raw and raw.isascii() and raw.isdigit():
        return min(max(int(raw), 1), MAX_PAGE)
    return 1


def page_url(request: HttpRequest, number: int) -> str:
    """The current query string with `page` set to `number` (as Django's `{% querystring %}` writes it)."""
    params = request.GET.copy()
    params["page"] = str(number)
    return f"?{params.urlencode()}"


def paginate(request: HttpRequest, queryset, per_page: int) -> Page:
    number = page_number(request.GET.get("page"))
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    return Page(
        items=rows[:per_page],
        number=number,
        has_previous=number > 1,
        has_next=has_next,
        previous_url=page_url(request, number - 1) if number > 1 else "",
        next_url=page_url(request, number + 1) if has_next else "",
    )
