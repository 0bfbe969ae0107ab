"""Who is in an event's or a team's room: chat reads these (through `tournaments.selectors`), never
the models."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from driftwood.core.generations import generations
from tournaments.models import Event, Registration, RegistrationMember, Team, TeamMember


def _confirmed_player_ids(*, event_id: int | None = None, user_id: int | None = None) -> QuerySet:
    players = RegistrationMember.objects.filter(registration__status=Registration.Status.CONFIRMED)
    if event_id is not None:
        players = players.filter(event_id=event_id)
    if user_id is not None:
        players = players.filter(user_id=user_id)
    return players


def event_member_ids(event_id: int) -> QuerySet:
    """User ids of the event's people: its confirmed players and its organizer (a lazy query,
    usable as a subquery: `pk__in=event_member_ids(...)`)."""
    confirmed = _confirmed_player_ids(event_id=event_id).values("user_id")
    organizer = Event.objects.filter(pk=event_id).values("organizer_id")
    return get_user_model().objects.filter(Q(pk__in=confirmed) | Q(pk__in=organizer)).values_list("pk", flat=True)


def event_has_member(*, event_id: int, user_id: int) -> bool:
    """Whether the user is one of the event's people (`event_member_ids`)."""
    confirmed = _confirmed_player_ids(event_id=event_id, user_id=user_id)
    return Event.objects.filter(pk=event_id, organizer_id=user_id).exists() or confirmed.exists()


def events_with_member(user_id: int) -> QuerySet[Event]:
    """The events the user is one of the people of: confirmed in, or organizing."""
    # A UNION, not `id IN (...) OR organizer_id = ?`: the OR is a scan of every event.
    confirmed = _confirmed_player_ids(user_id=user_id).values("event_id")
    return Event.objects.filter(pk__in=confirmed.union(Event.objects.filter(organizer_id=user_id).values("pk")))


def team_member_ids(team_id: int) -> QuerySet:
    """User ids of the team's members (a lazy query, usable as a subquery)."""
    return TeamMember.objects.filter(team_id=team_id).values_list("user_id", flat=True)


def team_has_member(*, team_id: int, user_id: int) -> bool:
    return TeamMember.objects.filter(team_id=team_id, user_id=user_id).exists()


def teams_with_member(user_id: int) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=TeamMember.objects.filter(user_id=user_id).values("team_id"))


def event_name(event_id: int) -> str | None:
    return Event.objects.filter(pk=event_id).values_list("name", flat=True).first()


# Generations (driftwood.core.generations) of who belongs to an event or team: the services that
# change a roster or a confirmed entry bump them on commit (`services.membership`), so a cached
# member list keyed by them is never served after a change.
EVENT_MEMBERS = "event-members"
TEAM_MEMBERS = "team-members"


def members_generation(*, event_id: int | None = None, team_id: int | None = None) -> int:
    """The current generation of the event's people or the team's members."""
    namespace, ident = (EVENT_MEMBERS, event_id) if event_id is not None else (TEAM_MEMBERS, team_id)
    return generations(namespace, [ident])[ident]


def team_name(team_id: int) -> str | None:
    return Team.objects.filter(pk=team_id).values_list("name", flat=True).first()
