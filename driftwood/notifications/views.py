"""The notifications page (session auth): the player's notifications, newest first, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from driftwood.core.pagination import MAX_PAGE
from driftwood.notifications import selectors, services

PER_PAGE = 20
# Longer digit strings could exceed a bigint id; they name no notification anyway.
MAX_ID_DIGITS = 18


def _whole_number(raw: str | None, *, default: int, maximum: int) -> int:
    if raw and raw.isascii() and raw.isdigit():
        return min(max(int(raw), 1), maximum)
    return default


@login_required
@never_cache
@require_GET
def notification_list(request):
    page = _whole_number(request.GET.get("page"), default=1, maximum=MAX_PAGE)
    offset = (page - 1) * PER_PAGE
    # One row beyond the page tells whether another page exists (no COUNT over every notification).
    rows = list(selectors.notification_list(user=request.user)[offset : offset + PER_PAGE + 1])
    context = {
        "notifications": rows[:PER_PAGE],
        "page": page,
        "has_previous": page > 1,
        "has_next": len(rows) > PER_PAGE,
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notifications_read(request):
    """Mark the notifications named by `id` fields read, or all of them when the form names none."""
    raw_ids = request.POST.getlist("id")
    if raw_ids:
        # A forged or stale id can only miss: the service touches the player's own rows alone.
        ids = [int(raw) for raw in raw_ids if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS]
        services.notifications_mark_read(user=request.user, ids=ids)
    else:
        marked = services.notifications_mark_read(user=request.user)
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read.")
    page = _whole_number(request.POST.get("page"), default=1, maximum=MAX_PAGE)
    list_url = reverse("notifications:list")
    return redirect(f"{list_url}?page={page}" if page > 1 else list_url)
