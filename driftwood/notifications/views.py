"""The notifications page (session auth): the player's notifications, newest first, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from driftwood.core.paging import page_number, paginate
from driftwood.notifications import selectors, services

PER_PAGE = 20
# Longer digit strings could exceed a bigint id; they name no notification anyway.
MAX_ID_DIGITS = 18


@login_required
@never_cache
@require_GET
def notification_list(request):
    page = paginate(request, selectors.notification_list(user=request.user), PER_PAGE)
    context = {"notifications": page.items, "page": page}
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
        messages.success(
            request,
            ngettext("Marked %(count)s notification as read.", "Marked %(count)s notifications as read.", marked)
            % {"count": marked},
        )
    page = page_number(request.POST.get("page"))
    list_url = reverse("notifications:list")
    return redirect(f"{list_url}?page={page}" if page > 1 else list_url)


@login_required
@never_cache
def notification_settings(request):
    """Which notifications the player also gets by e-mail (in-app ones always arrive)."""
    preferences = services.email_preferences(user=request.user)
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        choices = {p["kind"]: p["kind"] in chosen for p in preferences if not p["required"]}
        services.email_preferences_set(user=request.user, choices=choices)
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"preferences": preferences})
