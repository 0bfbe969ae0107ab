"""Free-for-all pages: the organizer's lobbies page (settings before the start, then each round's
lobbies, hosts and the close button) and a lobby's results page (the organizer or its host enters
placements and kills; every version is listed with who entered it). The standings and lobbies
themselves are drawn on the bracket page (`_ffa_body.html`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from driftwood.core.exceptions import DomainError
from driftwood.core.throttles import page_rate_limited
from tournaments.brackets.ffa import selectors, services
from tournaments.brackets.ffa.forms import FfaSettingsForm, LobbyHostForm, LobbyResultsForm
from tournaments.brackets.ffa.models import Lobby
from tournaments.brackets.ffa.rules import may_enter_results, reopen_refusal, results_refusal, round_refusal, runs_event
from tournaments.brackets.ffa.services import SETTINGS_OPEN
from tournaments.models import Event
from tournaments.views import event_back_to, event_or_404


def _ffa_url(event: Event) -> str:
    return reverse("tournaments:event_ffa", args=[event.pk])


def _lobby_or_404(request, event: Event, lobby_id: int) -> Lobby:
    lobby = selectors.lobby_get(lobby_id=lobby_id)
    if lobby is None or lobby.stage.event_id != event.pk:
        raise Http404(_("No such lobby."))
    lobby.stage.event = event
    return lobby


def _render_ffa(request, event: Event, *, form: FfaSettingsForm | None = None, status: int = 200):
    view = selectors.ffa_view(event)
    context = {
        "event": event,
        "ffa": view,
        "can_configure": event.status in SETTINGS_OPEN,
        "form": form or FfaSettingsForm.for_settings(view.settings or selectors.ffa_settings_of(event)),
        "can_close": round_refusal(event, request.user) is None,
        "reopen_round": _reopenable(event, view, request.user),
    }
    return render(request, "tournaments/ffa_manage.html", context, status=status)


def _reopenable(event: Event, view: selectors.FfaView, user) -> int | None:
    """The round the lobbies page offers to open again: the last closed one, while the next has no
    results and `user` may (`ffa_round_reopen` checks it all again)."""
    if reopen_refusal(event, user) is not None:
        return None
    closed = [round_view for round_view in view.rounds if round_view.is_closed]
    if not closed:
        return None
    later = [round_view for round_view in view.rounds if round_view.number > closed[-1].number]
    if any(lobby.results_entered_at for round_view in later for lobby in round_view.lobbies):
        return None
    return closed[-1].number


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_ffa_view(request, event_id: int):
    event = event_or_404(request, event_id)
    if event.format != Event.Format.FREE_FOR_ALL or not runs_event(event, request.user):
        messages.error(request, _("Only the organizer of a free-for-all event can manage its lobbies."))
        return event_back_to(event)
    if request.method != "POST":
        return _render_ffa(request, event)
    form = FfaSettingsForm(request.POST)
    if not form.is_valid() or page_rate_limited(request):
        return _render_ffa(request, event, form=form, status=400)
    try:
        services.ffa_settings_update(event_id=event.pk, actor=request.user, **form.service_arguments())
    except DomainError as exc:
        for field, problems in (exc.errors or {None: [exc.message]}).items():
            form.add_error(field if field in form.fields else None, problems)
        return _render_ffa(request, event, form=form, status=exc.status_code)
    messages.success(request, _("Free-for-all settings saved."))
    return redirect(_ffa_url(event))


@login_required
@require_POST
def event_round_close_view(request, event_id: int, round_number: int):
    event = event_or_404(request, event_id)
    if page_rate_limited(request):
        return redirect(_ffa_url(event))
    try:
        services.ffa_round_close(event_id=event.pk, actor=request.user, round_number=round_number)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_ffa_url(event))
    event.refresh_from_db()
    if event.status == Event.Status.COMPLETED:
        messages.success(request, _("Round %(round)s closed. The event is complete.") % {"round": round_number})
        return redirect("tournaments:event_bracket", event_id=event.pk)
    drawn = _("Round %(round)s closed. The next round's lobbies are drawn.") % {"round": round_number}
    messages.success(request, drawn)
    return redirect(_ffa_url(event))


@login_required
@require_POST
def event_round_reopen_view(request, event_id: int, round_number: int):
    event = event_or_404(request, event_id)
    if page_rate_limited(request):
        return redirect(_ffa_url(event))
    try:
        services.ffa_round_reopen(event_id=event.pk, actor=request.user, round_number=round_number)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        reopened = _("Round %(round)s is open again: correct its results, then close it.")
        messages.success(request, reopened % {"round": round_number})
    return redirect(_ffa_url(event))


def _render_lobby(request, event: Event, lobby: Lobby, *, form=None, host_form=None, status: int = 200):
    refusal = results_refusal(event, lobby, request.user)
    context = {
        "event": event,
        "lobby": lobby,
        "table": selectors.points_table(lobby.stage),
        "form": form or LobbyResultsForm(lobby=lobby),
        "can_enter": refusal is None,
        "refusal": refusal.message if refusal is not None and may_enter_results(event, lobby, request.user) else "",
        "can_name_host": round_refusal(event, request.user) is None and not lobby.is_closed,
        "host_form": host_form or LobbyHostForm(initial={"username": lobby.host.username if lobby.host else ""}),
        "versions": list(lobby.results.select_related("entered_by").order_by("-version")),
    }
    return render(request, "tournaments/ffa_lobby.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lobby_results_view(request, event_id: int, lobby_id: int):
    event = event_or_404(request, event_id)
    lobby = _lobby_or_404(request, event, lobby_id)
    if not may_enter_results(event, lobby, request.user):
        messages.error(request, _("Only the organizer or the lobby's host can enter its results."))
        return redirect("tournaments:event_bracket", event_id=event.pk)
    if request.method != "POST":
        return _render_lobby(request, event, lobby)
    form = LobbyResultsForm(request.POST, lobby=lobby)
    if not form.is_valid() or page_rate_limited(request):
        return _render_lobby(request, event, lobby, form=form, status=400)
    try:
        services.lobby_results_enter(lobby_id=lobby.pk, actor=request.user, results=form.results())
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_lobby(request, event, lobby, form=form, status=exc.status_code)
    messages.success(request, _("Results saved. They can change until the organizer closes the round."))
    return redirect("tournaments:event_lobby", event_id=event.pk, lobby_id=lobby.pk)


@login_required
@require_POST
def lobby_host_view(request, event_id: int, lobby_id: int):
    event = event_or_404(request, event_id)
    lobby = _lobby_or_404(request, event, lobby_id)
    form = LobbyHostForm(request.POST)
    if not form.is_valid():
        return _render_lobby(request, event, lobby, host_form=form, status=400)
    try:
        services.lobby_host_set(lobby_id=lobby.pk, actor=request.user, host_id=form.cleaned_data["username"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Host saved."))
    return redirect("tournaments:event_lobby", event_id=event.pk, lobby_id=lobby.pk)
