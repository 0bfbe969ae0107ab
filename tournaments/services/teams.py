"""Teams: the creator is the captain. The captain invites players, who join by accepting; a member
may leave, the captain may remove members and hand the captaincy to one of them. A player on the
roster of a registration whose event has not finished stays until it does (`roster_locked`).
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core.exceptions import NotFound, PermissionDenied
from driftwood.core.i18n import lazy_text
from driftwood.notifications.services import notify
from tournaments.exceptions import (
    AlreadyInvited,
    AlreadyMember,
    CaptainCannotLeave,
    InviteNotPending,
    RosterLocked,
    TeamNameTaken,
)
from tournaments.models import Event, RegistrationMember, Team, TeamInvite, TeamMember
from tournaments.services.membership import members_changed_on_commit

FINISHED_EVENTS = (Event.Status.COMPLETED, Event.Status.CANCELLED)


def team_create(*, captain, name: str) -> Team:
    name = name.strip()
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name, captain=captain)
            TeamMember.objects.create(team=team, user=captain, role=TeamMember.Role.CAPTAIN)
            members_changed_on_commit(team_id=team.pk)
    except IntegrityError as exc:
        raise TeamNameTaken() from exc
    return team


def _team_for(team_id: int) -> Team:
    """The team, locked: every roster change of a team takes this lock first."""
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("Team not found."))
    return team


def team_invite(*, team_id: int, actor, user) -> TeamInvite:
    """The captain invites an active player; AlreadyInvited if they are in the team or invited."""
    with transaction.atomic():
        team = _team_for(team_id)
        if team.captain_id != actor.pk:
            raise PermissionDenied(_("Only the captain can invite players."))
        if not user.is_active:
            raise NotFound(_("Player not found."))
        if TeamMember.objects.filter(team=team, user=user).exists():
            raise AlreadyInvited()
        try:
            with transaction.atomic():
                invite = TeamInvite.objects.create(team=team, user=user, invited_by=actor)
        except IntegrityError as exc:
            raise AlreadyInvited() from exc
        notify(
            users=[user],
            kind="team_invite",
            title=lazy_text(
                lambda: _("%(name)s invites you to %(team)s") % {"name": actor.public_name, "team": team.name}
            ),
            body=lazy_text(lambda: _("Accept to join the team's roster, or decline.")),
            url=reverse("tournaments:team_detail", args=[team.pk]),
            data={"invite_id": invite.pk, "team_id": team.pk},
            key=f"team_invite:{invite.pk}",
        )
        return invite


def team_invite_respond(*, invite_id: int, user, accept: bool) -> TeamInvite:
    """The invited player accepts (joins the roster) or declines; others get NotFound."""
    with transaction.atomic():
        invite = TeamInvite.objects.filter(pk=invite_id, user=user).select_related("team").first()
        if invite is None:
            raise NotFound(_("Invitation not found."))
        _team_for(invite.team_id)
        invite.refresh_from_db(fields=["status"])
        if invite.status != TeamInvite.Status.PENDING:
            raise InviteNotPending()
        if accept:
            team_member_add(team_id=invite.team_id, user=user)
        invite.status = TeamInvite.Status.ACCEPTED if accept else TeamInvite.Status.DECLINED
        invite.responded_at = timezone.now()
        invite.save(update_fields=["status", "responded_at"])
        return invite


def team_member_add(*, team_id: int, user) -> TeamMember:
    """Put a player on the roster: what accepting an invitation does (demo data and tests build
    rosters with it directly)."""
    with transaction.atomic():
        team = _team_for(team_id)
        if not user.is_active:
            raise NotFound(_("Player not found."))
        try:
            with transaction.atomic():
                member = TeamMember.objects.create(team=team, user=user)
        except IntegrityError as exc:
            raise AlreadyMember() from exc
        members_changed_on_commit(team_id=team.pk)
        return member


def _roster_locked(team: Team, user_id: int) -> bool:
    """The player is on the roster of one of the team's entries in an event still to finish."""
    entered = RegistrationMember.objects.filter(user_id=user_id, registration__team=team)
    return entered.exclude(event__status__in=FINISHED_EVENTS).exists()


def team_member_remove(*, team_id: int, actor, user_id: int) -> None:
    """The captain removes a member, or a member leaves. The captain cannot leave their own team."""
    with transaction.atomic():
        team = _team_for(team_id)
        if actor.pk not in (team.captain_id, user_id):
            raise PermissionDenied(_("Only the captain or the member themselves can do this."))
        if user_id == team.captain_id:
            raise CaptainCannotLeave(_("The captain cannot leave the team: hand the captaincy to a member first."))
        if _roster_locked(team, user_id):
            raise RosterLocked()
        deleted, _rows = TeamMember.objects.filter(team=team, user_id=user_id).delete()
        if not deleted:
            raise NotFound(_("That player is not in the team."))
        members_changed_on_commit(team_id=team.pk)


def team_captain_hand_over(*, team_id: int, actor, user_id: int) -> Team:
    """The captain makes a member the captain (and stays a member)."""
    with transaction.atomic():
        team = _team_for(team_id)
        if team.captain_id != actor.pk:
            raise PermissionDenied(_("Only the captain can hand over the captaincy."))
        if not TeamMember.objects.filter(team=team, user_id=user_id).exists():
            raise NotFound(_("That player is not in the team."))
        if user_id != team.captain_id:
            # One captain row at a time (team_one_captain): step down first, then promote.
            TeamMember.objects.filter(team=team, user_id=actor.pk).update(role=TeamMember.Role.MEMBER)
            TeamMember.objects.filter(team=team, user_id=user_id).update(role=TeamMember.Role.CAPTAIN)
            team.captain_id = user_id
            team.save(update_fields=["captain"])
            members_changed_on_commit(team_id=team.pk)
        return team
