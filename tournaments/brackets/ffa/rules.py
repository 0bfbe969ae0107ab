"""Who may do what in a free-for-all: the one home of these rules, for services, pages and API.

The organizer (and staff) enter any lobby's results, choose hosts and close rounds; a lobby's
host enters that lobby's results. Results change until the organizer closes the round.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from driftwood.core.exceptions import DomainError, PermissionDenied
from tournaments.brackets.ffa.models import Lobby
from tournaments.brackets.rules import event_is_live
from tournaments.exceptions import InvalidStatus, LobbyClosed
from tournaments.models import Event


def runs_event(event: Event, user) -> bool:
    """The organizer, or staff."""
    return bool(user and user.is_authenticated and (event.organizer_id == user.pk or user.is_staff))


def may_enter_results(event: Event, lobby: Lobby, user) -> bool:
    """The organizer, staff, or the lobby's host."""
    if runs_event(event, user):
        return True
    return bool(user and user.is_authenticated and lobby.host_id == user.pk)


def results_refusal(event: Event, lobby: Lobby, user) -> DomainError | None:
    """Why `user` may not enter `lobby`'s results now (None: they may)."""
    if not may_enter_results(event, lobby, user):
        return PermissionDenied(_("Only the organizer or the lobby's host can enter its results."))
    if event.status != Event.Status.ONGOING:
        return InvalidStatus(_("Results are entered while the event is under way."))
    if lobby.is_closed:
        return LobbyClosed()
    return None


def round_refusal(event: Event, user) -> DomainError | None:
    """Why `user` may not close a round or choose a host now (None: they may)."""
    if not runs_event(event, user):
        return PermissionDenied(_("Only the event's organizer can do this."))
    if event.status != Event.Status.ONGOING:
        return InvalidStatus(_("Rounds are played while the event is under way."))
    return None


def reopen_refusal(event: Event, user) -> DomainError | None:
    """Why `user` may not open a closed round again now: the organizer (or staff) may while the
    results can still change (under way, or completed inside the dispute window)."""
    if not runs_event(event, user):
        return PermissionDenied(_("Only the event's organizer can do this."))
    if not event_is_live(event):
        return InvalidStatus(_("Prizes are paid: the results are final."))
    return None
