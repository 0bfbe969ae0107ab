"""Teams: the creator is the captain; the captain adds and removes members, a member may leave."""

from django.db import IntegrityError, transaction

from driftwood.core.exceptions import NotFound, PermissionDenied
from tournaments.exceptions import AlreadyMember, CaptainCannotLeave, TeamNameTaken
from tournaments.models import Team, TeamMember
from tournaments.services.membership import members_changed_on_commit


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
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None:
        raise NotFound("Team not found.")
    return team


def team_member_add(*, team_id: int, actor, user) -> TeamMember:
    with transaction.atomic():
        team = _team_for(team_id)
        if team.captain_id != actor.pk:
            raise PermissionDenied("Only the captain can add members.")
        if not user.is_active:
            raise NotFound("Player not found.")
        try:
            with transaction.atomic():
                member = TeamMember.objects.create(team=team, user=user)
        except IntegrityError as exc:
            raise AlreadyMember() from exc
        members_changed_on_commit(team_id=team.pk)
        return member


def team_member_remove(*, team_id: int, actor, user_id: int) -> None:
    """The captain removes a member, or a member leaves. The captain cannot leave their own team."""
    with transaction.atomic():
        team = _team_for(team_id)
        if actor.pk not in (team.captain_id, user_id):
            raise PermissionDenied("Only the captain or the member themselves can do this.")
        if user_id == team.captain_id:
            raise CaptainCannotLeave()
        deleted, _ = TeamMember.objects.filter(team=team, user_id=user_id).delete()
        if not deleted:
            raise NotFound("That player is not in the team.")
        members_changed_on_commit(team_id=team.pk)
