"""The match JSON's schedule fields (additive): `ScheduledMatchSerializer` is what the matches
endpoints answer with, `schedule_json` the same fields for a list row."""

from rest_framework import serializers

from tournaments.brackets.api.serializers import MatchSerializer
from tournaments.brackets.schedule_selectors import MatchSchedule, match_schedule
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
        allow_null=True, help_text="A side not checked in by then is proposed to the organizer for a forfeit."
    )
    check_in_required = serializers.BooleanField(help_text="Both sides check in before they may report.")
    checked_in_a_at = serializers.DateTimeField(allow_null=True)
    checked_in_b_at = serializers.DateTimeField(allow_null=True)
    forfeit = ForfeitRefSerializer(allow_null=True, help_text="This attempt's forfeit proposal, whatever its status.")


class ScheduledMatchSerializer(MatchSerializer, MatchScheduleSerializer):
    """A match and its schedule. `context["schedules"]` may hold them by match id (a page of matches)."""

    def to_representation(self, match: Match) -> dict:
        schedules = self.context.get("schedules") or {}
        found = schedules.get(match.pk) or match_schedule(match.pk)
        return {**MatchSerializer.to_representation(self, match), **schedule_json(found)}


def schedule_json(found: MatchSchedule) -> dict:
    return MatchScheduleSerializer(found.as_json()).data
