"""Who may join or leave an event now: the one home of the rules that the services enforce
(raising the refusal) and that pages show (a button only where the service would agree).

`registration` is the player's active entry in the event (`selectors.registration_of`), or None.
Joining also checks what only the chosen team and the event's row lock can tell (the roster,
whether any of it already has an entry, room left): `registration_join` does that after
`registration_is_open`.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core.exceptions import DomainError, PermissionDenied
from tournaments.exceptions import NotRegistered, RegistrationClosed
from tournaments.models import Event, Registration


def registration_is_open(event: Event) -> bool:
    """Entries can be made and withdrawn: published, and before registration closes."""
    return event.status == Event.Status.REGISTRATION_OPEN and event.registration_closes_at > timezone.now()


def leave_refusal(event: Event, user, registration: Registration | None) -> DomainError | None:
    """Why the player cannot withdraw their entry now, or None. A team's entry is withdrawn only
    by the captain who made it."""
    if registration is None:
        return NotRegistered()
    if registration.team_id is not None and registration.registered_by_id != user.pk:
        return PermissionDenied(_("Only the captain who registered the team can withdraw it."))
    if not registration_is_open(event):
        return RegistrationClosed(_("Registration has closed: entries can no longer be withdrawn."))
    return None


def registration_can_join(event: Event, user, registration: Registration | None) -> bool:
    """A signed-in player with no entry yet, while registration is open (the service refuses the
    rest with RegistrationClosed, AlreadyJoined, or what the roster and the room left say)."""
    return user.is_authenticated and registration is None and registration_is_open(event)


def registration_can_leave(event: Event, user, registration: Registration | None) -> bool:
    return leave_refusal(event, user, registration) is None
