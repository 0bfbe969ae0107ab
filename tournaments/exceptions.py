from django.utils.translation import gettext_lazy as _

from driftwood.core.exceptions import Conflict, DomainError


class RegistrationClosed(Conflict):
    code = "registration_closed"
    default_message = _("Registration for this event is not open.")


class AlreadyJoined(Conflict):
    code = "already_joined"
    default_message = _("You (or a member of your team) are already registered for this event.")


class EventFull(Conflict):
    code = "event_full"
    default_message = _("This event is full.")


class AlreadyCancelled(Conflict):
    code = "already_cancelled"
    default_message = _("This event is already cancelled.")


class InvalidStatus(Conflict):
    code = "invalid_status"
    default_message = _("The event is not in a state that allows this.")


class NotRegistered(Conflict):
    code = "not_registered"
    default_message = _("You are not registered for this event.")


class FpxCannotWait(DomainError):
    code = "invalid"
    default_message = _("FPX pays at once, so it cannot wait for a seat: join the waitlist with your wallet or a card.")

    def __init__(self, message=None, **kwargs):
        message = str(message or self.default_message)
        super().__init__(message, errors={"payment_method": [message]}, **kwargs)


class TeamRequired(DomainError):
    code = "team_required"
    default_message = _("This is a team event: choose a team to register.")


class TeamSizeWrong(DomainError):
    code = "team_size"
    default_message = _("Your team does not have the number of players this event needs.")


class TeamNameTaken(Conflict):
    code = "team_name_taken"
    default_message = _("A team with that name already exists.")


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = _("That player is already in the team.")


class CaptainCannotLeave(Conflict):
    code = "captain_cannot_leave"
    default_message = _("The captain cannot leave the team.")


class AlreadyInvited(Conflict):
    code = "already_invited"
    default_message = _("That player is already in the team or invited to it.")


class InviteNotPending(Conflict):
    code = "not_pending"
    default_message = _("This invitation was already answered.")


class RosterLocked(Conflict):
    code = "roster_locked"
    default_message = _("The team is entered in an event that has not finished, and that player is on its roster.")


# --- Brackets


class CheckInClosed(Conflict):
    code = "check_in_closed"
    default_message = _("Check-in is not open for this event.")


class SeedingLocked(Conflict):
    code = "seeding_locked"
    default_message = _("Matches already have results: the seeding can no longer change.")


class NotEnoughEntries(Conflict):
    code = "not_enough_entries"
    default_message = _("At least two checked-in entries are needed to start.")


class MatchNotPlayable(Conflict):
    code = "match_not_playable"
    default_message = _("This match cannot take a result now.")


class ReopenRefused(Conflict):
    code = "reopen_refused"
    default_message = _("A match that depends on this one has already been played.")


class InvalidScore(DomainError):
    code = "invalid_score"
    default_message = _("That score is not possible for this match.")


class DisputeAlreadyOpen(Conflict):
    code = "dispute_open"
    default_message = _("This match already has an open dispute.")


class UnsupportedFile(DomainError):
    """400: an upload whose bytes are none of the allowed formats (tournaments/evidence.py)."""

    code = "unsupported_file"
    default_message = _("Upload an image (PNG, JPEG, GIF, WebP), a PDF or an MP4 video.")


# --- Match scheduling


class MatchCheckInRequired(Conflict):
    code = "check_in_required"
    default_message = _("Both sides must check in to this match before it is played.")


class MatchCheckInClosed(Conflict):
    code = "check_in_closed"
    default_message = _("Check-in for this match is not open.")


class ForfeitNotPending(Conflict):
    code = "not_pending"
    default_message = _("This forfeit was already decided.")


class RoundScheduleLocked(Conflict):
    code = "round_started"
    default_message = _("Matches of this round have results: its best-of can no longer change.")


class InvalidResults(DomainError):
    """400: a free-for-all lobby's results that cannot stand (see `tournaments.brackets.ffa`)."""

    code = "invalid_results"
    default_message = _("These results are not possible for this lobby.")


class LobbyClosed(Conflict):
    code = "lobby_closed"
    default_message = _("This round is closed: its results are final.")


class RoundNotReady(Conflict):
    code = "round_not_ready"
    default_message = _("Every lobby of the round needs its results before the round closes.")
