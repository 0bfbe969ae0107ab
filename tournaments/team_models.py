"""Teams, their rosters and the captain's invitations (re-exported by tournaments.models)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    name = models.CharField(max_length=60, verbose_name=_("name"))
    captain = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="captained_teams", verbose_name=_("captain")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(Lower("name"), name="team_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    class Role(models.TextChoices):
        CAPTAIN = "captain", _("Captain")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("user")
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER, verbose_name=_("role"))
    joined_at = models.DateTimeField(default=timezone.now, verbose_name=_("joined at"))

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_once"),
            models.UniqueConstraint(fields=["team"], condition=Q(role="captain"), name="team_one_captain"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class TeamInvite(models.Model):
    """The captain asks a player to join; the player is on the roster only once they accept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invites", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_invites", verbose_name=_("user")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("invited by")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    responded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("responded at"))

    class Meta:
        verbose_name = _("team invite")
        verbose_name_plural = _("team invites")
        constraints = [
            # Inviting twice is refused by the database too, whatever races.
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(status="pending"), name="team_invite_one_pending"
            ),
        ]
        indexes = [
            # A player's pending invitations, newest first (`GET /me/invites`, keyset by id).
            models.Index(
                fields=["user", "-created_at", "-id"], condition=Q(status="pending"), name="team_invite_pending_for"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.team}"
