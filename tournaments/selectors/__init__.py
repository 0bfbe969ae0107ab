"""Reads of games, events, registrations and teams, scoped to what the caller may see.

Lists carry their counts as annotations and their relations as joins, so a page costs the
same number of queries whether it shows 5 events or 100.
"""

import functools
from dataclasses import dataclass

from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from driftwood.core.compiled import CompiledQuery
from tournaments.models import (
    Announcement,
    Entry,
    Event,
    Game,
    Match,
    ParticipantPayment,
    Registration,
    RegistrationMember,
    Team,
    TeamInvite,
    TeamMember,
)
from tournaments.selectors.rooms import (  # noqa: F401 (part of the app's public reads)
    EVENT_MEMBERS,
    TEAM_MEMBERS,
    event_has_member,
    event_member_ids,
    event_name,
    events_with_member,
    members_generation,
    team_has_member,
    team_member_ids,
    team_name,
    teams_with_member,
)
from tournaments.services.registration_rules import (
    registration_can_join,
    registration_can_leave,
    registration_is_open,
)

# What a list row needs (the event, its game, its organizer's name): loading every
# timestamp and the full user row for 100 cards costs more than the query itself.
LIST_COLUMNS = [
    "id",
    "name",
    "slug",
    "game__id",
    "game__name",
    "game__slug",
    "game__icon",
    "tier",
    "event_type",
    "format",
    "organizer__id",
    "organizer__username",
    "organizer__display_name",
    "status",
    "is_solo",
    "team_size",
    "max_participants",
    "entry_fee",
    "prize_pool",
    "prize_distribution",
    "starts_at",
    "registration_closes_at",
    "check_in_minutes",
]


def games() -> QuerySet[Game]:
    return Game.objects.order_by("name", "pk")


def _visible(user) -> Q:
    visible = ~Q(status=Event.Status.DRAFT)
    return visible | Q(organizer=user) if user is not None and user.is_authenticated else visible


def events_visible_to(user) -> QuerySet[Event]:
    """Everything but drafts, plus the caller's own drafts."""
    return Event.objects.filter(_visible(user))


def _registration_count(status: str) -> Subquery:
    """COUNT(*) of the event's registrations in `status`, per row (registration_event_status index):
    a page of events counts its own rows, never GROUP BY over every visible event before the top N."""
    rows = Registration.objects.filter(event=OuterRef("pk"), status=status).order_by()
    return Subquery(rows.annotate(n=Func(Value(1), function="COUNT")).values("n"), output_field=IntegerField())


def annotate_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        confirmed_count=_registration_count(Registration.Status.CONFIRMED),
        pending_count=_registration_count(Registration.Status.PENDING),
        waitlist_count=_registration_count(Registration.Status.WAITLISTED),
    )


def with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return annotate_counts(events.select_related("game", "organizer"))


def events_filtered(events: QuerySet, *, user, status: str | None, game: str | None, search: str | None) -> QuerySet:
    """`events` (a queryset of events, or of their values) that `user` may see, filtered as the list is."""
    events = events.filter(_visible(user))
    if status:
        events = events.filter(status=status)
    if game:
        events = events.filter(game__pk=int(game)) if str(game).isdigit() else events.filter(game__slug=game)
    if search:
        # The few games are matched first, so that the events' side is two index conditions
        # (a pg_trgm index on the name, the game index) the planner can OR, or a filter on the
        # ordered walk when the term is common.
        game_ids = list(Game.objects.filter(name__search_contains=search).values_list("pk", flat=True))
        events = events.filter(Q(name__search_contains=search) | Q(game_id__in=game_ids))
    return events


# (starts_at, id) is an index (event_starts): it supplies the order and the keyset cursor.
EVENT_LIST_ORDER = ("starts_at", "pk")


def event_list(
    *, user, status: str | None = None, game: str | None = None, search: str | None = None
) -> QuerySet[Event]:
    """Filterable list, soonest first. `game` is a slug or an id."""
    events = events_filtered(Event.objects.all(), user=user, status=status, game=game, search=search)
    # The organizer is shown by name only: do not load the rest of a user row for every card.
    return with_counts(events).only(*LIST_COLUMNS).order_by(*EVENT_LIST_ORDER)


@functools.cache
def _events_with_counts() -> QuerySet[Event]:
    """Built once per process and only filtered per call (never evaluated itself): resolving the
    counts' subqueries cost a quarter of an event detail request."""
    return with_counts(Event.objects.all())


# An event's page and API detail read the event and the caller's registration by id: fixed SQL after
# the first call (Django compiling the counts' subqueries again cost more than running them).
_EVENT_FOR_ANYONE = CompiledQuery(
    lambda event_id: _events_with_counts().filter(~Q(status=Event.Status.DRAFT), pk=event_id)[:1], "event_id"
)
_EVENT_FOR_PLAYER = CompiledQuery(
    lambda event_id, user_id: _events_with_counts().filter(
        ~Q(status=Event.Status.DRAFT) | Q(organizer_id=user_id), pk=event_id
    )[:1],
    "event_id",
    "user_id",
)


def event_get(*, user, event_id: int) -> Event | None:
    """One event with its counts, or None if it does not exist or the caller may not see it
    (`_visible`: everything but drafts, and the caller's own drafts)."""
    if user is not None and user.is_authenticated:
        return _EVENT_FOR_PLAYER.one(event_id=event_id, user_id=user.pk)
    return _EVENT_FOR_ANYONE.one(event_id=event_id)


def event_participants(*, event: Event) -> QuerySet[Registration]:
    """Active registrations with their player or team (and its members) loaded."""
    return (
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE_STATUSES)
        .select_related("user", "team", "team__captain")
        .prefetch_related(Prefetch("members__user"))
        .order_by("created_at", "pk")
    )


def event_announcements(*, event_id: int) -> QuerySet[Announcement]:
    """The organizer's announcements in the event, newest first."""
    return Announcement.objects.filter(event_id=event_id).order_by("-created_at", "-id")


def registration_of(*, event: Event, user) -> Registration | None:
    """The caller's active registration in the event (solo or through a team)."""
    if user is None or not user.is_authenticated:
        return None
    return _REGISTRATION_OF.one(event_id=event.pk, user_id=user.pk)


_REGISTRATION_OF = CompiledQuery(
    lambda event_id, user_id: (
        Registration.objects.filter(
            status__in=Registration.ACTIVE_STATUSES, event_id=event_id, members__user_id=user_id
        )
        .select_related("payment")
        .order_by("pk")[:1]
    ),
    "event_id",
    "user_id",
)


def waitlist_entry_of(*, event: Event, user) -> Registration | None:
    """The caller's waitlisted entry (made by them: solo, or their team's), with `position` set."""
    if user is None or not user.is_authenticated:
        return None
    entry = Registration.objects.filter(event=event, registered_by=user, status=Registration.Status.WAITLISTED).first()
    if entry is not None:
        entry.position = waitlist_position(entry)
    return entry


def waitlist_position(registration: Registration) -> int:
    """1 for the first in line: the waitlisted entries of its event that joined before it, plus one."""
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITLISTED).filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def event_waitlist(*, event: Event) -> QuerySet[Registration]:
    """The event's waitlist in its order (index registration_waitlist)."""
    return (
        Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
        .select_related("user", "team", "registered_by")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class EntryOptions:
    """What the event page offers the player about their entry: flags its template reads, from
    the same rules the registration services enforce."""

    is_open: bool
    can_join: bool
    can_leave: bool
    # The player's own card entry waiting for its payment in the browser (a PaymentIntent is open),
    # or FPX entry waiting at the bank (its page, to go back to).
    card_payment_to_finish: ParticipantPayment | None
    bank_payment_to_finish: ParticipantPayment | None
    shows_wallet_balance: bool
    needs_stripe_js: bool


def entry_options(*, event: Event, user, registration: Registration | None) -> EntryOptions:
    """`registration` is the player's active entry (`registration_of`); no query."""
    can_join = registration_can_join(event, user, registration)
    pending = registration is not None and registration.status == Registration.Status.PENDING
    payment = getattr(registration, "payment", None) if pending else None
    to_finish = payment is not None and bool(payment.client_secret) and registration.registered_by_id == user.pk
    at_bank = to_finish and payment.method == ParticipantPayment.Method.FPX
    paid_event = bool(event.entry_fee)
    return EntryOptions(
        is_open=registration_is_open(event),
        can_join=can_join,
        can_leave=registration_can_leave(event, user, registration),
        card_payment_to_finish=payment if to_finish and not at_bank else None,
        bank_payment_to_finish=payment if at_bank and payment.redirect_url else None,
        shows_wallet_balance=user.is_authenticated and paid_event and (registration is not None or can_join),
        needs_stripe_js=(can_join and paid_event) or pending,
    )


def events_of(*, user) -> QuerySet[Event]:
    """Events the user organizes or is (or was) registered in."""
    # Ids first: filtering through registrations in the same query would multiply the counts.
    # A UNION of the three indexed conditions: an OR across them would read every event.
    solo = Registration.objects.filter(user=user).values("event_id")
    through_team = RegistrationMember.objects.filter(user=user).values("event_id")
    organized = Event.objects.filter(organizer=user).values("pk")
    ids = solo.union(through_team, organized)
    return with_counts(Event.objects.filter(pk__in=ids)).order_by("-starts_at", "-pk")


def team_get(*, team_id: int) -> Team | None:
    members = TeamMember.objects.select_related("user").order_by("joined_at", "pk")
    return (
        Team.objects.select_related("captain")
        .prefetch_related(Prefetch("memberships", queryset=members))
        .filter(pk=team_id)
        .first()
    )


def teams_of(*, user) -> QuerySet[Team]:
    # A subquery, not a join: filtering through memberships would make the count see only the caller's row.
    return (
        Team.objects.filter(pk__in=TeamMember.objects.filter(user=user).values("team_id"))
        .select_related("captain")
        .annotate(member_count=Count("memberships"))
        .order_by("name", "pk")
    )


def invites_pending_for(*, user) -> QuerySet[TeamInvite]:
    """The player's unanswered team invitations, newest first (index team_invite_pending_for)."""
    return (
        TeamInvite.objects.filter(user=user, status=TeamInvite.Status.PENDING)
        .select_related("team", "invited_by")
        .order_by("-created_at", "-pk")
    )


def invites_pending_of(*, team: Team) -> QuerySet[TeamInvite]:
    """Who the team is waiting on, for its page."""
    return team.invites.filter(status=TeamInvite.Status.PENDING).select_related("user").order_by("created_at", "pk")


BRACKET_ORDER = (Match.Bracket.WINNERS, Match.Bracket.LOSERS, Match.Bracket.FINAL, Match.Bracket.GROUP)
MATCH_SIDES = (
    "entry_a__registration__user",
    "entry_a__registration__team",
    "entry_b__registration__user",
    "entry_b__registration__team",
)


# What a side needs to be shown (a name, a seed, whose it is): not the players' whole rows. The
# winner is one of the two sides (`Match.winner_side`): joining its rows a third time made the read
# cost more to plan than to run (15 relations; `match_to_play` planned in 3.8 ms, now 2.2 ms).
MATCH_SIDE_COLUMNS = [
    f"{side}__{column}"
    for side in ("entry_a", "entry_b")
    for column in (
        "id",
        "seed",
        "registration__id",
        "registration__user__id",
        "registration__user__username",
        "registration__user__display_name",
        "registration__team__id",
        "registration__team__name",
    )
]


def matches_of_event(event_id: int | None = None) -> QuerySet[Match]:
    """Matches with both sides and the winner joined (one query), in bracket order."""
    matches = (
        Match.objects.select_related(*MATCH_SIDES)
        .only(*(field.name for field in Match._meta.concrete_fields), *MATCH_SIDE_COLUMNS)
        .annotate(stage_number=F("stage__number"))  # the match JSON's `stage`
    )
    matches = in_bracket_order(matches)
    return matches if event_id is None else matches.filter(event_id=event_id)


def in_bracket_order(matches: QuerySet[Match]) -> QuerySet[Match]:
    # Sort keys as named, non-null annotations, so that the list pages by keyset cursor too. Stage by
    # stage first (a later stage's rows are created after the earlier's): groups, then the playoff.
    return matches.annotate(
        bracket_rank=Case(
            *(When(bracket=side, then=rank) for rank, side in enumerate(BRACKET_ORDER)), default=len(BRACKET_ORDER)
        ),
        group_rank=Coalesce("group", 0),
    ).order_by("stage_id", "bracket_rank", "group_rank", "round", "position", "pk")


UNSEEDED = 2**31 - 1  # after every seed (the column's largest value)


def entries_of_event(event_id: int) -> QuerySet[Entry]:
    """Entries best seed first (unseeded after), with the player or team joined."""
    return (
        Entry.objects.filter(event_id=event_id)
        .select_related("registration__user", "registration__team")
        .annotate(seed_rank=Coalesce("seed", UNSEEDED))  # a named, non-null key for the keyset cursor
        .order_by("seed_rank", "registration__created_at", "pk")
    )
