"""The match JSON everywhere (the matches endpoints, the public bracket JSON, webhook payloads): the
match and its schedule (additive fields). `ScheduledMatchSerializer` renders models, `match_rows_json`
the API list's plain rows, the same fields in the same order (tests/tournaments/test_match_json.py);
a list of either reads the schedules of all its matches at once (four queries however many, none
when `context["plans"]` holds the event's plans already and there are none)."""

import functools
from collections.abc import Iterable

from rest_framework import serializers

from tournaments.brackets.api.serializers import MatchSerializer, match_row
from tournaments.brackets.schedule_selectors import MatchSchedule, match_schedule, match_schedules
from tournaments.models import ForfeitProposal, Match


class ForfeitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ForfeitProposal.Status.choices)
    absent = serializers.ChoiceField(choices=ForfeitProposal.Absent.choices, help_text="Who did not check in.")


class MatchScheduleSerializer(serializers.Serializer):
    """A match's schedule (all null, and `check_in_required` false, when its round has no start time)."""

    scheduled_at = serializers.DateTimeField(allow_null=True, help_text="The round's start, as the organizer set it.")
    starts_at = serializers.DateTimeField(
        allow_null=True, help_text="This match's start: later than `scheduled_at` when its sides were known later."
    )
    check_in_opens_at = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Check-in closes then; a side not checked in by then is proposed to the organizer for a forfeit.",
    )
    check_in_required = serializers.BooleanField(help_text="Both sides check in before they may report.")
    checked_in_a_at = serializers.DateTimeField(allow_null=True)
    checked_in_b_at = serializers.DateTimeField(allow_null=True)
    forfeit = ForfeitRefSerializer(allow_null=True, help_text="This attempt's forfeit proposal, whatever its status.")


class _ScheduledMatchListSerializer(serializers.ListSerializer):
    def to_representation(self, data) -> list[dict]:
        matches = list(data.all() if hasattr(data, "all") else data)
        schedules = match_schedules((match.pk for match in matches), plans=self.context.get("plans"))
        return [self.child.render(match, schedules.get(match.pk, MatchSchedule())) for match in matches]


class ScheduledMatchSerializer(MatchSerializer, MatchScheduleSerializer):
    """A match and its schedule: what every match JSON is."""

    class Meta:
        list_serializer_class = _ScheduledMatchListSerializer

    def to_representation(self, match: Match) -> dict:
        return self.render(match, match_schedule(match.pk))

    def render(self, match: Match, found: MatchSchedule) -> dict:
        return {**MatchSerializer.to_representation(self, match), **schedule_json(found)}


def schedule_json(found: MatchSchedule) -> dict:
    return MatchScheduleSerializer(found.as_json()).data


@functools.cache
def _unscheduled_json() -> dict:
    """The schedule fields of a match whose round has no plan: the same for every such match."""
    return schedule_json(MatchSchedule())


def match_rows_json(rows: Iterable[dict]) -> list[dict]:
    """A page of `row_selectors.match_list_rows` rows as `ScheduledMatchSerializer` renders the matches.
    Schedules are read only for the rows whose round has a plan (`planned`): a match of an unplanned
    round has none to read (no check-in, no forfeit) and the constant fields."""
    rows = list(rows)
    schedules = match_schedules(row["pk"] for row in rows if row["planned"])
    unscheduled = _unscheduled_json()
    return [
        {**match_row(row), **(schedule_json(schedules[row["pk"]]) if row["pk"] in schedules else unscheduled)}
        for row in rows
    ]
