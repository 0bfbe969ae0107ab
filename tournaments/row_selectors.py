"""The API's list rows as plain values (`.values()` dicts), rendered by `tournaments.api.events.event_row`
and `tournaments.brackets.api.serializers.match_row`.

Same rows, order and keyset cursors as the model lists in `tournaments.selectors`, without a model
for each event, game, organizer or match side: for 100 rows those cost more than the query. The
querysets are built once per process and filtered per call, as setting up a values() of joined
columns and annotations costs more Python than running it (bench/events.py, bench/brackets.py).
"""

import functools

from django.db.models import Exists, OuterRef, QuerySet

from tournaments.models import Event, Match, RoundSchedule
from tournaments.selectors import (
    EVENT_LIST_ORDER,
    annotate_counts,
    events_filtered,
    events_visible_to,
    in_bracket_order,
)

EVENT_ROW_FIELDS = (
    "pk",
    "name",
    "game_id",
    "game__name",
    "game__slug",
    "tier",
    "event_type",
    "format",
    "organizer_id",
    "organizer__username",
    "status",
    "is_solo",
    "team_size",
    "max_participants",
    "entry_fee",
    "prize_pool",
    "prize_distribution",
    "starts_at",
    "registration_closes_at",
    "confirmed_count",
    "pending_count",
    "waitlist_count",
)
MATCH_SIDE_FIELDS = (
    "id",
    "seed",
    "registration__user_id",
    "registration__team_id",
    "registration__user__username",
    "registration__user__display_name",
    "registration__team__name",
)
MATCH_ROW_FIELDS = (
    "pk",
    "key",
    "stage__number",
    "round",
    "position",
    "bracket",
    "group",
    "best_of",
    "a_source",
    "b_source",
    "score_a",
    "score_b",
    "status",
    "stage_id",  # the sort keys: the keyset cursor reads them from the row
    "bracket_rank",
    "group_rank",
    "winner_id",  # one of the two sides (`Match.winner_side`), not joined a third time
    *(f"{side}__{field}" for side in ("entry_a", "entry_b") for field in MATCH_SIDE_FIELDS),
)


@functools.cache
def _event_rows() -> QuerySet[dict]:
    return annotate_counts(Event.objects.all()).order_by(*EVENT_LIST_ORDER).values(*EVENT_ROW_FIELDS)


@functools.cache
def _match_rows() -> QuerySet[dict]:
    # `planned`: whether the organizer set a plan for the match's round (an index probe per row), so
    # the list reads schedules only for the matches that have one, and none for most events.
    planned = RoundSchedule.objects.filter(
        event_id=OuterRef("event_id"),
        stage_number=OuterRef("stage__number"),
        bracket=OuterRef("bracket"),
        round=OuterRef("round"),
    )
    return in_bracket_order(Match.objects.all()).values(*MATCH_ROW_FIELDS, planned=Exists(planned))


def event_list_rows(
    *, user, status: str | None = None, game: str | None = None, search: str | None = None
) -> QuerySet[dict]:
    """`selectors.event_list` as dicts of EVENT_ROW_FIELDS."""
    return events_filtered(_event_rows(), user=user, status=status, game=game, search=search)


def match_list_rows(event_id: int, *, user) -> QuerySet[dict]:
    """`selectors.matches_of_event(event_id)` as dicts of MATCH_ROW_FIELDS; none unless `user` may see
    the event (a one-time EXISTS in the same query)."""
    return _match_rows().filter(Exists(events_visible_to(user).filter(pk=event_id)), event_id=event_id)
