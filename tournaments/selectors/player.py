"""A player's own tournament life, for their dashboard: the next match, the check-ins waiting for
them, the events they are in, and their prizes (held for the dispute window, or paid).

Each read is a fixed number of queries however many events, matches or prizes the player has;
labels and amounts are worked out in Python from the rows loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tournaments.brackets.drawing import match_slots
from tournaments.brackets.formats import Placement
from tournaments.brackets.rules import NOT_STARTED, match_permissions
from tournaments.models import (
    Dispute,
    Entry,
    Event,
    Match,
    PrizePayout,
    Registration,
    RegistrationMember,
    TeamMember,
)
from tournaments.prizes import event_prize_split, split_evenly
from tournaments.services.checkin import check_in_window

Status = Event.Status
# How many of the player's events the dashboard lists: every current one up to this, and the latest past ones.
CURRENT_SHOWN = 20
PAST_SHOWN = 5
PAID_SHOWN = 5
PHASES = {
    Status.REGISTRATION_OPEN: ("upcoming", gettext_lazy("Upcoming")),
    Status.REGISTRATION_CLOSED: ("upcoming", gettext_lazy("Upcoming")),
    Status.ONGOING: ("live", gettext_lazy("Live")),
    Status.COMPLETED: ("completed", gettext_lazy("Completed")),
    Status.CANCELLED: ("cancelled", gettext_lazy("Cancelled")),
}
FINAL_TITLES = {
    "GF": gettext_lazy("Grand final"),
    "GF-reset": gettext_lazy("Grand final reset"),
    "3P": gettext_lazy("Third-place match"),
}


def _flag(condition: Q) -> Case:
    """1 where `condition` holds, else 0: a sort key or a side marker computed in the query."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


# --- The events the player is in


@dataclass(frozen=True)
class EventEntry:
    """One event the player is in (alone or through a team), as the dashboard lists it."""

    event: Event
    registration: Registration
    phase: str  # "upcoming", "live", "completed" or "cancelled"
    phase_label: str
    checked_in: bool
    placement: int | None
    check_in_opens_at: datetime | None  # set while check-in is still to open for a confirmed entry
    check_in_open: bool  # confirmed, not checked in, and check-in open now

    @property
    def team_name(self) -> str | None:
        return self.registration.team.name if self.registration.team_id else None


def registrations_of(*, user) -> QuerySet[Registration]:
    """The player's entries: on an active roster (solo or a team's), or waitlisted alone or with a team."""
    # A UNION of indexed lookups: OR-ing them would read every registration.
    on_roster = RegistrationMember.objects.filter(user=user).values("registration_id")
    waitlisted = Registration.objects.filter(status=Registration.Status.WAITLISTED)
    teams = TeamMember.objects.filter(user=user).values("team_id")
    ids = on_roster.union(waitlisted.filter(user=user).values("pk"), waitlisted.filter(team_id__in=teams).values("pk"))
    return Registration.objects.filter(pk__in=ids).select_related("event__game", "team", "entry")


def _event_entry(registration: Registration) -> EventEntry:
    event = registration.event
    phase, label = PHASES.get(event.status, ("upcoming", event.get_status_display()))
    entry = getattr(registration, "entry", None)
    checked_in = entry is not None and entry.checked_in_at is not None
    confirmed = registration.status == Registration.Status.CONFIRMED
    opens_at, is_open = check_in_window(event) if confirmed and not checked_in else (None, False)
    waiting = opens_at is not None and not is_open and event.status in NOT_STARTED
    return EventEntry(
        event=event,
        registration=registration,
        phase=phase,
        phase_label=label,
        checked_in=checked_in and event.status in NOT_STARTED,
        placement=entry.placement if entry is not None and entry.status == Entry.Status.ACTIVE else None,
        check_in_opens_at=opens_at if waiting else None,
        check_in_open=is_open,
    )


def event_entries_of(*, user) -> tuple[list[EventEntry], list[EventEntry]]:
    """(current, past): the events being played, then those still to come soonest first (at most
    CURRENT_SHOWN in all), and the latest finished ones (at most PAST_SHOWN). Two queries."""
    mine = registrations_of(user=user)
    current = (
        mine.filter(event__status__in=(*NOT_STARTED, Status.ONGOING))
        .annotate(later=_flag(~Q(event__status=Status.ONGOING)))
        .order_by("later", "event__starts_at", "event_id")
    )
    past = mine.filter(event__status__in=(Status.COMPLETED, Status.CANCELLED)).order_by(
        "-event__starts_at", "-event_id"
    )
    return [_event_entry(row) for row in current[:CURRENT_SHOWN]], [_event_entry(row) for row in past[:PAST_SHOWN]]


# --- The next match


@dataclass(frozen=True)
class NextMatch:
    match: Match
    event: Event
    me: str  # the player's side as named in the bracket (their name, or their team's)
    opponent: str  # the other side's name, or where it comes from ("Winner of W1-2")
    opponent_known: bool
    round_label: str
    can_report: bool  # the player speaks for their side (solo, or their team's captain)

    @property
    def is_playable(self) -> bool:
        return self.match.status in Match.PLAYABLE_STATUSES

    @property
    def ready_since(self) -> datetime | None:
        """When the match became ready to play (its last change while it waits for a score)."""
        return self.match.updated_at if self.match.status == Match.Status.READY else None


def round_label(match: Match, event_format: str) -> str:
    if match.bracket == Match.Bracket.FINAL:
        return str(FINAL_TITLES.get(match.key, _("Final")))
    if match.bracket == Match.Bracket.LOSERS:
        return _("Losers bracket")
    if match.bracket == Match.Bracket.GROUP and match.group:
        return _("Group %(group)s, round %(round)s") % {"group": match.group, "round": match.round}
    if event_format == Event.Format.DOUBLE_ELIMINATION:
        return _("Winners bracket, round %(round)s") % {"round": match.round}
    return _("Round %(round)s") % {"round": match.round}


def next_match_of(*, user) -> NextMatch | None:
    """The player's next match in an event being played: one waiting for a score first, else one
    waiting for its opponent; the earliest event first, then the earliest round. One query."""
    mine = Entry.objects.filter(registration__members__user=user, status=Entry.Status.ACTIVE).values("pk")
    match = (
        Match.objects.filter(
            Q(entry_a__in=mine) | Q(entry_b__in=mine),
            event__status=Status.ONGOING,
            status__in=(*Match.PLAYABLE_STATUSES, Match.Status.PENDING),
        )
        .select_related(
            "event__game",
            "stage",
            "a_source_match",
            "b_source_match",
            "entry_a__registration__user",
            "entry_a__registration__team",
            "entry_b__registration__user",
            "entry_b__registration__team",
        )
        .annotate(
            waiting=_flag(Q(status=Match.Status.PENDING)),
            mine_is_a=_flag(Q(entry_a__in=mine)),
            group_rank=Coalesce("group", 0),
        )
        .order_by("waiting", "event__starts_at", "event_id", "round", "group_rank", "position", "pk")
        .first()
    )
    if match is None:
        return None
    slot_a, slot_b = match_slots(match)
    mine_slot, other = (slot_a, slot_b) if match.mine_is_a else (slot_b, slot_a)
    return NextMatch(
        match=match,
        event=match.event,
        me=mine_slot.label,
        opponent=other.label,
        opponent_known=other.entry is not None,
        round_label=round_label(match, match.stage.format),
        can_report=match_permissions(match, user).can_report,
    )


# --- Prizes


@dataclass(frozen=True)
class Prize:
    event: Event
    place: int
    amount: Decimal
    paid_at: datetime | None = None
    held_until: datetime | None = None  # the end of the dispute window, for a prize not paid yet
    disputed: bool = False  # a dispute is open: held until the organizer decides it

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def is_due(self) -> bool:
        """Held no longer: the window is over and nothing is disputed, the next payout run pays it."""
        return not self.is_paid and not self.disputed and self.held_until <= timezone.now()


def prizes_paid_to(*, user) -> list[Prize]:
    """The player's latest prize payouts (at most PAID_SHOWN), newest first. One query."""
    payouts = PrizePayout.objects.filter(user=user).select_related("event").order_by("-created_at", "-pk")
    return [
        Prize(event=payout.event, place=payout.place, amount=payout.amount, paid_at=payout.created_at)
        for payout in payouts[:PAID_SHOWN]
    ]


def prizes_held_for(*, user) -> list[Prize]:
    """The player's share of prizes won in completed events that are not paid yet: held until the
    dispute window ends (or an open dispute is decided). The amounts follow the payout's own rules
    (tournaments.services.results): the event's split by placement, a team's prize shared evenly by
    its roster, the odd sen to the lowest user ids. One query, three more when anything is held."""
    won = list(
        Entry.objects.filter(
            registration__members__user=user,
            status=Entry.Status.ACTIVE,
            placement__isnull=False,
            event__status=Status.COMPLETED,
            event__prizes_paid_at__isnull=True,
            event__prize_pool__gt=0,
        )
        .select_related("event")
        .order_by("-event__completed_at", "-event_id")
    )
    if not won:
        return []
    event_ids = [entry.event_id for entry in won]
    placements: dict[int, list[Placement]] = {}
    placed = Entry.objects.filter(event_id__in=event_ids, status=Entry.Status.ACTIVE, placement__isnull=False)
    for event_id, seed, place in placed.values_list("event_id", "seed", "placement"):
        placements.setdefault(event_id, []).append(Placement(seed=seed, place=place))
    rosters: dict[int, list[int]] = {}
    members = RegistrationMember.objects.filter(registration_id__in=[entry.registration_id for entry in won])
    for registration_id, user_id in members.order_by("user_id").values_list("registration_id", "user_id"):
        rosters.setdefault(registration_id, []).append(user_id)
    disputed = set(
        Dispute.objects.filter(match__event_id__in=event_ids, status=Dispute.Status.OPEN).values_list(
            "match__event_id", flat=True
        )
    )
    held = []
    for entry in won:
        share = _share_of(entry, placements.get(entry.event_id, []), rosters.get(entry.registration_id, []), user.pk)
        if share:
            event = entry.event
            held.append(
                Prize(
                    event=event,
                    place=entry.placement,
                    amount=share,
                    held_until=event.completed_at + settings.RESULTS_DISPUTE_WINDOW,
                    disputed=event.pk in disputed,
                )
            )
    return held


def _share_of(entry: Entry, placements: list[Placement], roster: list[int], user_id: int) -> Decimal | None:
    event = entry.event
    try:
        split = event_prize_split(event, placements)
    except ValueError:
        return None  # placements the payout would refuse too: nothing is promised
    amount = split.by_seed.get(entry.seed)
    if not amount or user_id not in roster:
        return None
    return split_evenly(amount, len(roster))[roster.index(user_id)]
