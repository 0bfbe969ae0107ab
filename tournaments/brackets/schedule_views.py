"""Match scheduling on the pages: the manage page's round plans and forfeit decisions, and a player's
check-in on the match page. The views call the same services as the API; what the manage page
shows of it is `tournaments.brackets.schedule_forms.schedule_context`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from driftwood.core.exceptions import DomainError
from driftwood.core.throttles import page_rate_limited
from tournaments.brackets import selectors
from tournaments.brackets.manage import organizer_event_or_redirect, render_manage
from tournaments.brackets.schedule_forms import RoundPlanForm, RoundRow
from tournaments.brackets.services.forfeits import forfeit_confirm, forfeit_reject
from tournaments.brackets.services.schedule import match_check_in, round_schedule_set
from tournaments.models import Event, ForfeitProposal


def _back(event: Event, anchor: str):
    return redirect(f"{reverse('tournaments:event_manage', args=[event.pk])}#{anchor}")


@login_required
@require_POST
def event_round_plan_view(request, event_id: int):
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    prefix = request.POST.get("prefix", "")
    form = RoundPlanForm(request.POST, prefix=prefix)
    if form.is_valid():
        data = form.cleaned_data
        try:
            round_schedule_set(
                event_id=event.pk,
                actor=request.user,
                stage_number=data["stage"],
                bracket=data["bracket"],
                round=data["round"],
                starts_at=data["starts_at"],
                best_of=data["best_of"],
                check_in_minutes=data["check_in_minutes"],
                deadline_minutes=data["deadline_minutes"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            names = {"round": RoundRow(data["stage"], data["bracket"], data["round"], form).label}
            messages.success(request, _("Plan saved for %(round)s.") % names)
            return _back(event, "schedule")
    return render_manage(request, event, plan_form=form, status=400)


@login_required
@require_POST
def event_forfeit_view(request, event_id: int, forfeit_id: int):
    """The organizer confirms (the side that checked in advances) or rejects a proposed forfeit."""
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    proposal = ForfeitProposal.objects.filter(pk=forfeit_id, match__event=event).select_related("match").first()
    if proposal is None:
        raise Http404(_("No such forfeit."))
    if page_rate_limited(request):
        return _back(event, "forfeits")
    try:
        if request.POST.get("decision") == "confirm":
            winner = request.POST.get("winner") or None
            forfeit_confirm(proposal_id=proposal.pk, actor=request.user, winner=winner)
            messages.success(
                request, _("%(key)s is decided by forfeit. The bracket moves on.") % {"key": proposal.match.key}
            )
        else:
            forfeit_reject(proposal_id=proposal.pk, actor=request.user)
            messages.success(request, _("Forfeit rejected: %(key)s stays open.") % {"key": proposal.match.key})
    except (DomainError, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))
    return _back(event, "forfeits")


@login_required
@require_POST
def match_check_in_view(request, match_id: int):
    match = selectors.match_get(user=request.user, match_id=match_id)
    if match is None:
        raise Http404(_("No such match."))
    if not page_rate_limited(request):
        try:
            match_check_in(match_id=match.pk, actor=request.user)
        except (DomainError, ValidationError) as exc:
            messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))
        else:
            messages.success(request, _("You're checked in to %(key)s.") % {"key": match.key})
    return redirect("tournaments:match_detail", match_id=match.pk)
