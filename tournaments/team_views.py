"""Team pages (session auth): the player's teams and invitations, a team's roster; the captain
invites by username, removes members and hands over the captaincy; an invitee accepts or declines.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from driftwood.accounts.models import User
from driftwood.core.exceptions import DomainError
from tournaments import selectors
from tournaments.forms import MemberAddForm, TeamForm
from tournaments.models import Team
from tournaments.services.teams import (
    team_captain_hand_over,
    team_create,
    team_invite,
    team_invite_respond,
    team_member_remove,
)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def team_list(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(captain=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Team “%(name)s” created. Add your teammates by username.") % {"name": team.name}
            )
            return redirect("tournaments:team_detail", team_id=team.pk)
    context = {
        "teams": selectors.teams_of(user=request.user),
        "invites": selectors.invites_pending_for(user=request.user),
        "form": form,
    }
    return render(request, "tournaments/team_list.html", context)


def _team_or_404(team_id: int) -> Team:
    team = selectors.team_get(team_id=team_id)
    if team is None:
        raise Http404(_("No such team."))
    return team


def _render_team(request, team: Team, *, add_form: MemberAddForm | None = None):
    is_captain = team.captain_id == request.user.pk
    invites = list(selectors.invites_pending_of(team=team))
    context = {
        "team": team,
        "members": team.memberships.all(),
        "is_captain": is_captain,
        "add_form": add_form or MemberAddForm(),
        "invites": invites if is_captain else [],
        "my_invite": next((invite for invite in invites if invite.user_id == request.user.pk), None),
    }
    return render(request, "tournaments/team_detail.html", context)


@login_required
@never_cache
@require_safe
def team_detail(request, team_id: int):
    return _render_team(request, _team_or_404(team_id))


@login_required
@require_POST
def team_member_add_view(request, team_id: int):
    team = _team_or_404(team_id)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _render_team(request, team, add_form=form)
    username = form.cleaned_data["username"]
    player = User.objects.filter(username__iexact=username, is_active=True).first()
    if player is None:
        form.add_error("username", _("There is no player called %(username)s.") % {"username": username})
        return _render_team(request, team, add_form=form)
    try:
        team_invite(team_id=team.pk, actor=request.user, user=player)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Invited %(name)s (@%(username)s): they join when they accept.")
            % {"name": player.public_name, "username": player.username},
        )
    return redirect("tournaments:team_detail", team_id=team.pk)


@login_required
@require_POST
def team_invite_answer_view(request, invite_id: int, answer: str):
    if answer not in ("accept", "decline"):
        raise Http404(_("No such answer."))  # anything else must not count as a decline
    accept = answer == "accept"
    try:
        invite = team_invite_respond(invite_id=invite_id, user=request.user, accept=accept)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("tournaments:team_list")
    if accept:
        messages.success(request, _("You joined %(name)s.") % {"name": invite.team.name})
        return redirect("tournaments:team_detail", team_id=invite.team_id)
    messages.info(request, _("You declined the invitation to %(name)s.") % {"name": invite.team.name})
    return redirect("tournaments:team_list")


@login_required
@require_POST
def team_captain_view(request, team_id: int, user_id: int):
    try:
        team = team_captain_hand_over(team_id=team_id, actor=request.user, user_id=user_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is now the captain of %(team)s.") % {"name": team.captain.public_name, "team": team.name},
        )
    return redirect("tournaments:team_detail", team_id=team_id)


@login_required
@require_POST
def team_member_remove_view(request, team_id: int, user_id: int):
    """The captain removes a member, or a member leaves (user_id is their own)."""
    team = _team_or_404(team_id)
    leaving = user_id == request.user.pk
    member = next((member.user for member in team.memberships.all() if member.user_id == user_id), None)
    try:
        team_member_remove(team_id=team.pk, actor=request.user, user_id=user_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("tournaments:team_detail", team_id=team.pk)
    if leaving:
        messages.success(request, _("You left %(name)s.") % {"name": team.name})
        return redirect("tournaments:team_list")
    name = member.public_name if member else _("The player")
    messages.success(request, _("%(name)s is no longer in %(team)s.") % {"name": name, "team": team.name})
    return redirect("tournaments:team_detail", team_id=team.pk)
