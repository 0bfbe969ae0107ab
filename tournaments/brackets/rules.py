"""Who may do what to a bracket: the one home of these rules.

`match_permissions(match, user)` answers for one user and one match. The services call
`permissions.require("report")` (it raises the domain error the API maps to its envelope); the
match page hands the same object to its template, which reads its flags and never queries.
`seeding_refusal` and `start_refusal` do the same for the organizer's manage page.
"""

from __future__ import annotations

from functools import cached_property

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core.exceptions import DomainError, PermissionDenied
from driftwood.core.times import malaysia_time
from tournaments.brackets.schedule_selectors import MatchSchedule, match_schedule
from tournaments.exceptions import (
    DisputeAlreadyOpen,
    InvalidStatus,
    MatchCheckInClosed,
    MatchCheckInRequired,
    MatchNotPlayable,
    SeedingLocked,
)
from tournaments.models import Dispute, Entry, Event, LobbyResult, Match, MatchReport, RegistrationMember

Side = MatchReport.Side
OFFICIAL_SIDES = (Side.ORGANIZER, Side.STAFF)
# An event whose bracket is not drawn yet: check-in, seeding and the start happen now.
NOT_STARTED = (Event.Status.REGISTRATION_OPEN, Event.Status.REGISTRATION_CLOSED)
# Match states that count as a result (a reseed would throw them away).
RESULT_STATUSES = (Match.Status.REPORTED, Match.Status.COMPLETED, Match.Status.DISPUTED)
DISPUTABLE_STATUSES = RESULT_STATUSES
RESOLVABLE_STATUSES = (*Match.PLAYABLE_STATUSES, Match.Status.COMPLETED)
ACTIONS = ("report", "resolve", "reopen", "dispute", "check_in", "forfeit")


def event_is_live(event: Event) -> bool:
    """Results can still change: the event is being played, or completed inside the dispute window."""
    return event.status == Event.Status.ONGOING or (
        event.status == Event.Status.COMPLETED and event.prizes_paid_at is None
    )


def speaks_for(entry: Entry, user) -> bool:
    """The entry's player, or its team's captain."""
    registration = entry.registration
    if registration.team_id:
        return registration.team.captain_id == user.pk
    return registration.user_id == user.pk


def match_role(match: Match, user) -> str | None:
    """How `user` may act on `match`: "organizer", "a"/"b" (the side's player, or its team's captain),
    "staff", or None."""
    if user is None or not user.is_authenticated:
        return None
    if match.event.organizer_id == user.pk:
        return Side.ORGANIZER
    for side, entry in ((Side.A, match.entry_a), (Side.B, match.entry_b)):
        if entry is not None and speaks_for(entry, user):
            return side
    return Side.STAFF if user.is_staff else None


def roster_side(match: Match, user) -> str | None:
    """The side ("a"/"b") whose roster `user` is on (any team member, not only the captain), or None."""
    if user is None or not user.is_authenticated:
        return None
    sides = {entry.registration_id: side for side, entry in (("a", match.entry_a), ("b", match.entry_b)) if entry}
    found = RegistrationMember.objects.filter(registration_id__in=list(sides), user=user)
    return sides.get(found.values_list("registration_id", flat=True).first())


class MatchPermissions:
    """What one user may do to one match, and what the match page offers them.

    `refusal(action)` / `require(action)` are the services' rules; the `can_*` flags are what the
    page shows, which is the same rule with one preference on top: the organizer decides a
    disputed match on the resolve form rather than reporting over it, and staff always resolve.
    Only what a question needs is read (the roster and the disputes at most once each).
    """

    def __init__(self, match: Match, user) -> None:
        self.match = match
        self.user = user

    @cached_property
    def role(self) -> str | None:
        return match_role(self.match, self.user)

    @property
    def is_organizer(self) -> bool:
        return self.role == Side.ORGANIZER

    @property
    def is_side(self) -> bool:
        return self.role in (Side.A, Side.B)

    @property
    def is_official(self) -> bool:
        return self.role in OFFICIAL_SIDES

    @cached_property
    def playing(self) -> bool:
        """On either side's roster (any team member, not only the captain)."""
        return self.roster_side is not None

    @cached_property
    def open_dispute(self) -> Dispute | None:
        # Prefetched on the match page; one query in the services.
        return next((dispute for dispute in self.match.disputes.all() if dispute.status == Dispute.Status.OPEN), None)

    @cached_property
    def roster_side(self) -> str | None:
        """The side whose roster `user` is on: one query, shared with `playing`."""
        return roster_side(self.match, self.user)

    @cached_property
    def schedule(self) -> MatchSchedule:
        """The match's start, check-in and forfeit (tournaments.brackets.schedule_selectors): loaded
        with the match by the pages' selectors, else read here."""
        loaded = getattr(self.match, "schedule_loaded", None)
        return loaded if loaded is not None else match_schedule(self.match.pk)

    @property
    def check_in_missing(self) -> bool:
        """The round asks for match check-in and a side has not checked in (read with the match
        where the services lock it, else from the schedule)."""
        missing = getattr(self.match, "check_in_missing", None)
        if missing is not None:
            return missing
        return self.schedule.times.check_in_required and not self.schedule.both_checked_in

    @property
    def live(self) -> bool:
        return event_is_live(self.match.event)

    @property
    def needs_decision(self) -> bool:
        return self.match.status == Match.Status.DISPUTED or self.open_dispute is not None

    # --- The services' rules

    def refusal(self, action: str) -> DomainError | None:
        """Why `action` is refused (the error to raise), or None when it is allowed."""
        if action not in ACTIONS:
            raise ValueError(f"Unknown match action {action!r}; one of {', '.join(ACTIONS)}.")
        return getattr(self, f"_{action}_refusal")()

    def require(self, action: str) -> None:
        refusal = self.refusal(action)
        if refusal is not None:
            raise refusal

    def allows(self, action: str) -> bool:
        return self.refusal(action) is None

    def _not_playable(self) -> MatchNotPlayable:
        return MatchNotPlayable(_("This match is %(lower)s.") % {"lower": self.match.get_status_display().lower()})

    def _report_refusal(self) -> DomainError | None:
        if self.role is None:
            return PermissionDenied(_("Only the players of this match or the organizer can report it."))
        if self.match.event.status != Event.Status.ONGOING:
            return InvalidStatus(_("The event is not being played."))
        if self.match.status not in Match.PLAYABLE_STATUSES:
            return self._not_playable()
        if self.is_side and self.check_in_missing:
            return MatchCheckInRequired()
        return None

    def _check_in_refusal(self) -> DomainError | None:
        if self.roster_side is None:
            return PermissionDenied(_("Only the players of this match can check in to it."))
        if self.match.event.status != Event.Status.ONGOING:
            return InvalidStatus(_("The event is not being played."))
        if self.match.status not in Match.PLAYABLE_STATUSES:
            return self._not_playable()
        times = self.schedule.times
        if not times.check_in_required:
            return MatchCheckInClosed(_("This match does not ask for check-in."))
        if timezone.now() < times.check_in_opens_at:
            opens = malaysia_time(times.check_in_opens_at)
            return MatchCheckInClosed(_("Check-in for this match opens at %(time)s.") % {"time": opens})
        if self.schedule.check_in_closed(timezone.now()):
            closed = malaysia_time(times.deadline_at)
            return MatchCheckInClosed(_("Check-in for this match closed at %(time)s.") % {"time": closed})
        return None

    def _forfeit_refusal(self) -> DomainError | None:
        refusal = self._official_refusal()
        if refusal is None and self.match.status not in Match.PLAYABLE_STATUSES:
            return self._not_playable()
        return refusal

    def _official_refusal(self) -> DomainError | None:
        if not self.is_official:
            return PermissionDenied(_("Only the organizer or staff can do this."))
        if not self.live:
            return InvalidStatus(_("The event is not being played."))
        return None

    def _resolve_refusal(self) -> DomainError | None:
        refusal = self._official_refusal()
        if refusal is None and self.match.status not in RESOLVABLE_STATUSES:
            return self._not_playable()
        return refusal

    def _reopen_refusal(self) -> DomainError | None:
        refusal = self._official_refusal()
        if refusal is None and self.match.status != Match.Status.COMPLETED:
            return MatchNotPlayable(_("Only a completed match can be reopened."))
        return refusal

    def _dispute_refusal(self) -> DomainError | None:
        if not self.playing:
            return PermissionDenied(_("Only the players of this match can dispute it."))
        if not self.live:
            return InvalidStatus(_("The event is not being played."))
        if self.match.status not in DISPUTABLE_STATUSES:
            return MatchNotPlayable(_("There is no result to dispute yet."))
        if self.open_dispute is not None:
            return DisputeAlreadyOpen()
        return None

    # --- What the match page offers

    @property
    def can_report(self) -> bool:
        offered = self.is_side or (self.is_organizer and not self.needs_decision)
        return offered and self.allows("report")

    @property
    def can_resolve(self) -> bool:
        if not self.allows("resolve"):
            return False
        return self.role == Side.STAFF or self.needs_decision or self.match.status == Match.Status.COMPLETED

    @property
    def can_reopen(self) -> bool:
        return self.allows("reopen")

    @property
    def can_dispute(self) -> bool:
        return self.allows("dispute")

    @property
    def can_check_in(self) -> bool:
        """Check-in is open to this user's side, which has not checked in yet."""
        return self.allows("check_in") and self.roster_side not in self.schedule.checked_in

    @property
    def can_act(self) -> bool:
        return self.can_report or self.can_resolve or self.can_dispute or self.can_reopen or self.can_check_in

    @property
    def can_see_disputes(self) -> bool:
        """The disputes and their evidence: the organizer, staff and the players of the match."""
        user = self.user
        if user is None or not user.is_authenticated:
            return False
        return user.is_staff or self.match.event.organizer_id == user.pk or self.playing


def match_permissions(match: Match, user) -> MatchPermissions:
    """`user`'s permissions on `match` (whose event, sides and their teams should be loaded)."""
    return MatchPermissions(match, user)


# --- The organizer's bracket set-up


def bracket_has_results(event: Event) -> bool:
    """Whether any match was reported, played or disputed, now or before it was reopened (or a
    free-for-all lobby's results were entered)."""
    return (
        Match.objects.filter(Q(status__in=RESULT_STATUSES) | Q(reports__isnull=False), event=event).exists()
        or LobbyResult.objects.filter(lobby__stage__event=event).exists()
    )


def seeding_refusal(event: Event) -> DomainError | None:
    """Seeds change until the start, and after it (the bracket drawn again) until a match has a result."""
    if event.status in NOT_STARTED:
        return None
    if event.status != Event.Status.ONGOING:
        return InvalidStatus(_("Seeding can change only until the event is under way."))
    if bracket_has_results(event):
        return SeedingLocked()
    return None


def start_refusal(event: Event) -> DomainError | None:
    if event.status not in NOT_STARTED:
        return InvalidStatus(_("Only an event taking or done taking registrations can start."))
    return None
