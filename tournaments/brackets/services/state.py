"""What every operation on a match reads first: the event's row lock (the engine's one lock), then
the match as it now is, with everything the engine reads about it, in one query."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Exists, ExpressionWrapper, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.expressions import Star
from django.db.models.functions import JSONObject
from django.db.models.lookups import LessThan
from django.utils.translation import gettext as _

from driftwood.core.compiled import CompiledQuery
from driftwood.core.exceptions import NotFound
from tournaments.models import Dispute, Event, Match, MatchCheckIn, MatchReport, RoundSchedule

# Compiled once: every score report and decision takes this lock first (bench/brackets.py).
_EVENT_OF_MATCH = CompiledQuery(
    lambda match_id: Event.objects.select_for_update(of=("self",)).filter(
        pk=Subquery(Match.objects.filter(pk=match_id).values("event_id"))
    ),
    "match_id",
)


def event_lock_of_match(match_id: int) -> Event | None:
    """`event_lock` (tournaments.services.events) for the event of a match, found by the match's id
    in the same query (None if no such match). Without the organizer's row: playing a match reads
    only `organizer_id` (paying out locks the event afresh)."""
    return _EVENT_OF_MATCH.one(match_id=match_id)


def match_locked(match_id: int) -> tuple[Event, Match]:
    """Lock the match's event (the engine's one lock), then read the match as it now is, with all
    an operation on it reads (`_MATCH_STATE`): two queries."""
    event = event_lock_of_match(match_id)
    if event is None:
        raise NotFound(_("Match not found."))
    # Read after the lock is granted: every write to a bracket holds it, so nobody else changes
    # what this reads until the transaction ends.
    match = _MATCH_STATE_OF.one(match_id=match_id)
    match.event = event
    match.dependants = [_dependant(row) for row in match.dependant_rows]
    return event, match


def _dependant(row: dict) -> Match:
    """A match fed by the one being played, from its `dependant_rows` item (what advancing reads)."""
    reported = row.pop("reported")
    dependant = Match(**row)
    dependant.reported = reported
    return dependant


_THIS_ATTEMPT = Q(match=OuterRef("pk"), attempt=OuterRef("attempt"))
_MATCH_STATE = {
    # This attempt's reports (every version of every side).
    "report_rows": ArraySubquery(
        MatchReport.objects.filter(_THIS_ATTEMPT)
        .order_by()
        .values(row=JSONObject(side="side", version="version", score_a="score_a", score_b="score_b"))
    ),
    "has_open_dispute": Exists(Dispute.objects.filter(match=OuterRef("pk"), status=Dispute.Status.OPEN)),
    # The matches this one feeds, each with whether it was reported in its own current attempt.
    "dependant_rows": ArraySubquery(
        Match.objects.filter(Q(a_source_match=OuterRef("pk")) | Q(b_source_match=OuterRef("pk")))
        .order_by("pk")
        .values(
            row=JSONObject(
                id="id",
                key="key",
                conditional="conditional",
                a_source="a_source",
                b_source="b_source",
                a_source_match_id="a_source_match_id",
                b_source_match_id="b_source_match_id",
                entry_a_id="entry_a_id",
                entry_b_id="entry_b_id",
                status="status",
                attempt="attempt",
                reported=Exists(MatchReport.objects.filter(_THIS_ATTEMPT)),
            )
        )
    ),
    # How many other matches of the stage are still to be finished.
    "others_unfinished": Subquery(
        Match.objects.filter(stage=OuterRef("stage"))
        .exclude(pk=OuterRef("pk"))
        .exclude(status__in=Match.FINISHED_STATUSES)
        .order_by()
        # COUNT(*) as a plain function: no GROUP BY, so always one row (0 when none are left).
        .values(count=Func(Star(), function="COUNT", output_field=IntegerField()))
    ),
}


# The round asks both sides to check in to the match (tournaments.brackets.schedule_selectors) and
# one has not yet: the sides' reports wait (MatchPermissions).
_CHECK_IN_ASKED = RoundSchedule.objects.filter(
    event=OuterRef("event"),
    stage_number=OuterRef("stage__number"),
    bracket=OuterRef("bracket"),
    round=OuterRef("round"),
    starts_at__isnull=False,
    check_in_minutes__gt=0,
)
_CHECKED_IN_SIDES = Subquery(
    MatchCheckIn.objects.filter(match=OuterRef("pk"))
    .order_by()
    .values(count=Func(Star(), function="COUNT", output_field=IntegerField()))
)
_MATCH_STATE["check_in_missing"] = ExpressionWrapper(
    Q(Exists(_CHECK_IN_ASKED)) & Q(LessThan(_CHECKED_IN_SIDES, 2)), output_field=BooleanField()
)


# Compiled once (per process), then only run: resolving these annotations cost more Python than the
# rest of a report (bench/brackets.py).
_MATCH_STATE_OF = CompiledQuery(
    lambda match_id: (
        Match.objects.select_related("entry_a__registration__team", "entry_b__registration__team", "stage")
        .annotate(**_MATCH_STATE)
        .filter(pk=match_id)
        .order_by()  # one row: the model's ordering would only add a sort
    ),
    "match_id",
)
