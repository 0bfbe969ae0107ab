"""Bracket pages: the bracket itself, match pages, and the organizer's check-in, seeding and start.

The bracket page draws `selectors.bracket_view` and re-reads its fragment whenever
`ws/events/<id>/` says the bracket changed (static/js/bracket.js); match pages take score
reports, disputes (evidence files are served only to the people involved) and the
organizer's resolutions; the manage page holds check-in, seeding and the start.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from driftwood.core.exceptions import DomainError
from driftwood.core.throttles import page_rate_limited
from tournaments.brackets import drawing, selectors
from tournaments.brackets.ffa.selectors import ffa_context
from tournaments.brackets.manage import organizer_event_or_redirect, render_manage
from tournaments.brackets.rules import match_permissions
from tournaments.brackets.services.matches import dispute_open, match_reopen, match_report, match_resolve
from tournaments.brackets.services.seeding import seeding_apply, seeding_confirm
from tournaments.brackets.services.start import event_start
from tournaments.evidence import evidence_response
from tournaments.exceptions import UnsupportedFile
from tournaments.forms import (
    DisputeForm,
    ResolveForm,
    ScoreForm,
    SeedingForm,
)
from tournaments.models import SEEDING_PHRASES, Event, Match
from tournaments.services.checkin import entries_refresh, entry_check_in
from tournaments.views import event_back_to, event_or_404

Status = Event.Status


def _service_error(request, exc: DomainError | ValidationError) -> None:
    messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))


def _bracket_context(event: Event, user=None) -> dict:
    return {"event": event, "bracket": selectors.bracket_view(event), **ffa_context(event, user)}


@never_cache
@require_safe
def event_bracket(request, event_id: int):
    event = event_or_404(request, event_id)
    context = {
        **_bracket_context(event, request.user),
        "is_organizer": request.user.is_authenticated and event.organizer_id == request.user.pk,
        "socket_path": f"/ws/events/{event.pk}/",
        "fragment_url": reverse("tournaments:event_bracket_fragment", args=[event.pk]),
    }
    return render(request, "tournaments/bracket.html", context)


@never_cache
@require_safe
def event_bracket_fragment(request, event_id: int):
    """The bracket alone, for the page's script to swap in when the socket says it changed."""
    event = event_or_404(request, event_id)
    return render(request, "tournaments/_bracket_body.html", _bracket_context(event, request.user))


def _match_or_404(request, match_id: int) -> Match:
    match = selectors.match_get(user=request.user, match_id=match_id)
    if match is None:
        raise Http404(_("No such match."))
    return match


def _back_to_match(match: Match):
    return redirect("tournaments:match_detail", match_id=match.pk)


def _render_match(request, match: Match, *, status: int = 200, **forms):
    permissions = match_permissions(match, request.user)
    slot_a, slot_b = drawing.match_slots(match)
    names = {"name_a": slot_a.label, "name_b": slot_b.label}
    reports = list(match.reports.all())
    context = {
        "event": match.event,
        "match": match,
        "round_shown": selectors.round_shown(match),
        "slot_a": slot_a,
        "slot_b": slot_b,
        "permissions": permissions,
        "schedule": permissions.schedule,
        "check_in_open": permissions.schedule.check_in_open(match, timezone.now()),
        "check_in_closed": permissions.schedule.check_in_closed(timezone.now()),
        "reports": reports,
        "own_reports": [
            report for report in reports if report.attempt == match.attempt and report.side == permissions.role
        ],
        "disputes": list(match.disputes.all()) if permissions.can_see_disputes else [],
        "open_dispute": permissions.open_dispute,
        "score_form": forms.get("score_form") or ScoreForm(**names),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "resolve_form": forms.get("resolve_form")
        or ResolveForm(initial={"score_a": match.score_a, "score_b": match.score_b}, **names),
    }
    return render(request, "tournaments/match_detail.html", context, status=status)


@never_cache
@require_safe
def match_detail(request, match_id: int):
    return _render_match(request, _match_or_404(request, match_id))


@login_required
@require_POST
def match_report_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if page_rate_limited(request):
        return _back_to_match(match)
    slot_a, slot_b = drawing.match_slots(match)
    form = ScoreForm(request.POST, name_a=slot_a.label, name_b=slot_b.label)
    if not form.is_valid():
        return _render_match(request, match, score_form=form, status=400)
    try:
        match = match_report(match_id=match.pk, actor=request.user, **form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        outcome = {
            Match.Status.COMPLETED: "The result is in and the bracket moves on.",
            Match.Status.REPORTED: "Score reported. The other side confirms it by reporting the same score.",
            Match.Status.DISPUTED: "Your score differs from the other side's: the organizer will decide.",
        }.get(match.status, "Score reported.")
        messages.success(request, outcome)
    return _back_to_match(match)


@login_required
@require_POST
def match_dispute_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if page_rate_limited(request):
        return _back_to_match(match)
    form = DisputeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_match(request, match, dispute_form=form, status=400)
    try:
        dispute_open(
            match_id=match.pk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            evidence=form.cleaned_data["evidence"],
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render_match(request, match, dispute_form=form, status=400)
    except UnsupportedFile as exc:
        form.add_error("evidence", exc.message)
        return _render_match(request, match, dispute_form=form, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Dispute opened. The organizer has been told and will decide the result."))
    return _back_to_match(match)


@login_required
@require_POST
def match_resolve_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if page_rate_limited(request):
        return _back_to_match(match)
    slot_a, slot_b = drawing.match_slots(match)
    form = ResolveForm(request.POST, name_a=slot_a.label, name_b=slot_b.label)
    if not form.is_valid():
        return _render_match(request, match, resolve_form=form, status=400)
    try:
        match_resolve(match_id=match.pk, actor=request.user, **form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, _("Result decided. Open disputes on this match are closed."))
    return _back_to_match(match)


def _safe_next(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return fallback


@login_required
@require_POST
def match_reopen_view(request, match_id: int):
    match = _match_or_404(request, match_id)
    if page_rate_limited(request):
        return _back_to_match(match)
    try:
        match_reopen(match_id=match.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(
            request, _("%(key)s is open again: what it decided has been rolled back.") % {"key": match.key}
        )
    return _safe_next(request, _back_to_match(match))


@require_safe
def dispute_evidence(request, dispute_id: int):
    """The evidence file, for the organizer, staff and the match's players only; 404 for anyone else."""
    dispute = selectors.dispute_evidence_get(user=request.user, dispute_id=dispute_id)
    response = evidence_response(dispute) if dispute is not None else None
    if response is None:
        raise Http404(_("No such file."))
    return response


# --- Organizer: check-in, seeding, start (the manage page itself: tournaments.brackets.manage)


def _active_entries(event: Event) -> list:
    return [entry for entry in selectors.manage_entries(event) if entry.status == entry.Status.ACTIVE]


@login_required
@never_cache
@require_safe
def event_manage(request, event_id: int):
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    # Entries follow the confirmed registrations until the start: list (and seed) the current ones.
    entries_refresh(event_id=event.pk)
    return render_manage(request, event)


def _back_to_manage(event: Event):
    return redirect("tournaments:event_manage", event_id=event.pk)


@login_required
@require_POST
def event_seeding_view(request, event_id: int):
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    form = SeedingForm(request.POST, entries=_active_entries(event))
    if not form.is_valid():
        return render_manage(request, event, seeding_form=form, status=400)
    method = form.cleaned_data["method"]
    try:
        seeding_apply(event_id=event.pk, actor=request.user, method=method, order=form.cleaned_data["order"])
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        names = {"method": SEEDING_PHRASES[method]}
        if event.status == Status.ONGOING:
            messages.success(request, _("Seeded %(method)s: the bracket was drawn again.") % names)
        else:
            messages.success(request, _("Seeded %(method)s. Check the order, then confirm it.") % names)
    return _back_to_manage(event)


@login_required
@require_POST
def event_seeding_confirm_view(request, event_id: int):
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    try:
        seeding_confirm(event_id=event.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, _("Seeding confirmed. The bracket is drawn in this order when you start."))
    return _back_to_manage(event)


@login_required
@require_POST
def event_start_view(request, event_id: int):
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    try:
        stage = event_start(event_id=event.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
        return _back_to_manage(event)
    if stage.format == Event.Format.FREE_FOR_ALL:
        drawn = _("“%(name)s” has started: %(lobbies)s lobbies drawn for round 1. Good luck!")
        messages.success(request, drawn % {"name": event.name, "lobbies": stage.lobbies.count()})
    else:
        messages.success(
            request,
            _("“%(name)s” has started: %(matches)s matches drawn. Good luck!")
            % {"name": event.name, "matches": stage.matches.count()},
        )
    return redirect("tournaments:event_bracket", event_id=event.pk)


@login_required
@require_POST
def event_check_in_view(request, event_id: int):
    """Check in from the event page, or from the dashboard (whose form names itself as `next`)."""
    event = event_or_404(request, event_id)
    if page_rate_limited(request):
        return _safe_next(request, event_back_to(event))
    try:
        entry_check_in(event_id=event.pk, actor=request.user)
    except (DomainError, ValidationError) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, _("You're checked in. Stay close: the bracket is drawn when the organizer starts."))
    return _safe_next(request, event_back_to(event))
