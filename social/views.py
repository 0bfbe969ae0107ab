"""Social pages (session auth): friends, player search, public profiles, followers and following.

Thin like the API: forms validate, services write, selectors read (relationships come as
annotations, counts from the cache), and a domain error becomes a message on the page the
player returns to. Buttons post the state they want ("follow" or "unfollow"), so a double
click or a stale page never flips a follow or a star back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat.selectors import dm_allowed
from driftwood.accounts.models import User
from driftwood.core.exceptions import DomainError, RateLimited
from driftwood.core.paging import paginate
from driftwood.core.throttles import page_rate_limited
from social import selectors
from social.forms import FriendSearchForm, PlayerSearchForm, ReportForm
from social.services import (
    follow_toggle,
    friend_remove,
    friend_request_accept,
    friend_request_cancel,
    friend_request_reject,
    friend_request_send,
    report_create,
    star_toggle,
)
from tournaments.selectors import events_of, events_visible_to

PER_PAGE = 20
# Pending requests are listed newest first; a player buried in hundreds sees the newest ones.
REQUESTS_SHOWN = 50
RECENT_EVENTS = 5


def _newest(queryset) -> tuple[list, bool]:
    rows = list(queryset[: REQUESTS_SHOWN + 1])
    return rows[:REQUESTS_SHOWN], len(rows) > REQUESTS_SHOWN


def _player_or_404(user_id: int) -> User:
    """An active player (banned and suspended players have no pages)."""
    player = User.objects.filter(pk=user_id, is_active=True).only("id", "username", "display_name").first()
    if player is None:
        raise Http404(_("No such player."))
    return player


def _back(request, default: str):
    """Back to the page the form came from (`next`, same site only), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _profile_url(user_id: int) -> str:
    return reverse("social:profile", kwargs={"user_id": user_id})


def _wants(request, field: str) -> bool:
    return request.POST.get(field) == "1"


# --- Lists


@login_required
@never_cache
@require_GET
def friends(request):
    me = request.user
    search = FriendSearchForm(request.GET)
    query = search.query()
    page = paginate(request, selectors.friends_of(user_id=me.pk, viewer_id=me.pk, search=query), PER_PAGE)
    incoming, more_incoming = _newest(selectors.incoming_requests(user_id=me.pk))
    outgoing, more_outgoing = _newest(selectors.outgoing_requests(user_id=me.pk))
    context = {
        "search_form": search,
        "query": query,
        "friends": page.items,
        "page": page,
        "incoming": incoming,
        "more_incoming": more_incoming,
        "outgoing": outgoing,
        "more_outgoing": more_outgoing,
        "counts": selectors.social_counts(user_id=me.pk),
    }
    return render(request, "social/friends.html", context)


@login_required
@never_cache
@require_GET
def player_search(request):
    search = PlayerSearchForm(request.GET)
    query = search.query()
    page = (
        paginate(request, selectors.player_search(query=query, viewer_id=request.user.pk), PER_PAGE) if query else None
    )
    context = {"search_form": search, "query": query, "players": page.items if page else [], "page": page}
    return render(request, "social/search.html", context)


def _people(request, user_id: int, *, followers: bool):
    player = _player_or_404(user_id)
    listed = selectors.followers_of if followers else selectors.following_of
    page = paginate(request, listed(user_id=player.pk, viewer_id=request.user.pk), PER_PAGE)
    context = {"player": player, "followers": followers, "people": page.items, "page": page}
    return render(request, "social/people.html", context)


@login_required
@never_cache
@require_GET
def followers(request, user_id: int):
    return _people(request, user_id, followers=True)


@login_required
@never_cache
@require_GET
def following(request, user_id: int):
    return _people(request, user_id, followers=False)


# --- Profile


@login_required
@never_cache
@require_GET
def profile(request, user_id: int):
    me = request.user
    player = selectors.user_profile(viewer_id=me.pk, user_id=user_id)
    if player is None:
        raise Http404(_("No such player."))
    relationship = player["relationship"]
    pending = relationship in (selectors.REQUEST_SENT, selectors.REQUEST_RECEIVED)
    visible = events_visible_to(me).values("pk")
    context = {
        "player": player,
        "is_self": relationship == selectors.SELF,
        "request_id": selectors.pending_request_id(user_id=me.pk, other_id=user_id) if pending else None,
        "starred": relationship != selectors.SELF and selectors.is_starred(user_id=me.pk, starred_id=user_id),
        "events": list(events_of(user=user_id).filter(pk__in=visible)[:RECENT_EVENTS]),
        "report_form": ReportForm(),
        "can_message": dm_allowed(me.pk, user_id),
    }
    return render(request, "social/profile.html", context)


@login_required
@require_POST
def friend_add(request, user_id: int):
    player = _player_or_404(user_id)
    if not page_rate_limited(request):
        try:
            result = friend_request_send(requester=request.user, target_id=player.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            done = {
                "sent": _("Friend request sent to %(name)s.") % {"name": player.public_name},
                "already_sent": _("You already asked %(name)s to be friends.") % {"name": player.public_name},
                "accepted": _("You and %(name)s are now friends.") % {"name": player.public_name},
            }
            messages.success(request, done[result.outcome])
    return _back(request, _profile_url(player.pk))


@login_required
@require_POST
def unfriend(request, user_id: int):
    player = _player_or_404(user_id)
    if not page_rate_limited(request):
        try:
            friend_remove(user=request.user, friend_id=player.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You and %(name)s are no longer friends.") % {"name": player.public_name})
    return _back(request, _profile_url(player.pk))


def _answer(request, friendship_id: int, answer, done: str):
    if not page_rate_limited(request):
        try:
            answer(user=request.user, friendship_id=friendship_id)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    return _back(request, reverse("social:friends"))


@login_required
@require_POST
def request_accept(request, friendship_id: int):
    return _answer(request, friendship_id, friend_request_accept, _("Friend request accepted."))


@login_required
@require_POST
def request_reject(request, friendship_id: int):
    return _answer(request, friendship_id, friend_request_reject, _("Friend request declined."))


@login_required
@require_POST
def request_cancel(request, friendship_id: int):
    return _answer(request, friendship_id, friend_request_cancel, _("Friend request cancelled."))


def _set_toggle(request, user_id: int, *, field: str, is_on, toggle, said) -> object:
    """Bring a toggle (follow, star) to the state the button asked for, so a double click cannot undo it."""
    player = _player_or_404(user_id)
    wanted = _wants(request, field)
    if not page_rate_limited(request):
        try:
            on = is_on(player)
            if on != wanted:
                on = toggle(player)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, said(player, on))
    return _back(request, _profile_url(player.pk))


@login_required
@require_POST
def follow(request, user_id: int):
    me = request.user
    return _set_toggle(
        request,
        user_id,
        field="follow",
        is_on=lambda player: selectors.is_following(follower_id=me.pk, followed_id=player.pk),
        toggle=lambda player: follow_toggle(follower=me, target_id=player.pk),
        said=lambda player, on: (
            (_("You now follow %(name)s.") if on else _("You no longer follow %(name)s."))
            % {"name": player.public_name}
        ),
    )


@login_required
@require_POST
def star(request, user_id: int):
    me = request.user
    return _set_toggle(
        request,
        user_id,
        field="star",
        is_on=lambda player: selectors.is_starred(user_id=me.pk, starred_id=player.pk),
        toggle=lambda player: star_toggle(user=me, target_id=player.pk),
        said=lambda player, on: (
            (
                _("%(name)s is in your starred players. Only you can see your stars.")
                if on
                else _("%(name)s is no longer starred. Only you can see your stars.")
            )
            % {"name": player.public_name}
        ),
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def report(request, user_id: int):
    """The report form as a page: the profile's dialog posts here too, and it is the no-script fallback."""
    player = _player_or_404(user_id)
    if player.pk == request.user.pk:
        messages.error(request, _("You cannot report yourself."))
        return redirect(_profile_url(player.pk))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_create(reporter=request.user, target_id=player.pk, **form.cleaned_data)
        except RateLimited as exc:
            messages.error(request, f"{exc.message} You can report them again in {_hours(exc.retry_after)}.")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Report about %(name)s submitted for review. Thank you.") % {"name": player.public_name}
            )
        return redirect(_profile_url(player.pk))
    return render(request, "social/report.html", {"player": player, "form": form}, status=400 if form.errors else 200)


def _hours(seconds: int) -> str:
    hours = max(1, round(seconds / 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"
