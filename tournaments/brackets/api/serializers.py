"""The shapes the bracket API answers with: matches and their sides, entries, disputes, scores."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from driftwood.core.schema import ErrorSerializer
from tournaments.models import Dispute, Entry, Match
from tournaments.row_selectors import MATCH_SIDE_FIELDS


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


# A stage as the stages list and the public JSON describe it: drawn when the one before it is completed.
STAGE_STATUS_CHOICES = [("planned", "planned"), ("ongoing", "ongoing"), ("completed", "completed")]

MATCH_NOT_FOUND = error_response("`not_found`: no such match, or one of an event the caller may not see.")


class EntryRefSerializer(serializers.Serializer):
    """One side of a match: a player (`user_id`) or a team (`team_id`)."""

    id = serializers.IntegerField()
    seed = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    user_id = serializers.IntegerField(allow_null=True, source="registration.user_id")
    team_id = serializers.IntegerField(allow_null=True, source="registration.team_id")


class MatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField(help_text="The bracket's name for it: W1-3, L2-1, GF, GF-reset, 3P, R2-1, S3-4...")
    stage = serializers.IntegerField(
        source="stage_number", help_text="The stage's number: 1, or 2 for a two-stage event's playoff."
    )
    round = serializers.IntegerField()
    position = serializers.IntegerField()
    bracket = serializers.ChoiceField(choices=Match.Bracket.choices)
    group = serializers.IntegerField(allow_null=True, help_text="Round robin group, when there are several.")
    best_of = serializers.IntegerField()
    entry_a = EntryRefSerializer(allow_null=True, help_text="Null until decided (see `a_source`), or a BYE.")
    entry_b = EntryRefSerializer(allow_null=True)
    a_source = serializers.ChoiceField(choices=Match.Source.choices)
    b_source = serializers.ChoiceField(choices=Match.Source.choices)
    score_a = serializers.IntegerField(allow_null=True)
    score_b = serializers.IntegerField(allow_null=True)
    winner = EntryRefSerializer(allow_null=True, help_text="Null until completed, and for a draw (groups).")
    status = serializers.ChoiceField(choices=Match.Status.choices)

    def to_representation(self, match: Match) -> dict:
        # A page holds up to 100 matches with three sides each: building the dicts directly is
        # several times faster than DRF's field walk (bench/brackets.py). The declared fields
        # still define the shape (the schema, and a test compares the two).
        return {
            "id": match.pk,
            "key": match.key,
            "stage": stage_number(match),
            "round": match.round,
            "position": match.position,
            "bracket": match.bracket,
            "group": match.group,
            "best_of": match.best_of,
            "entry_a": _entry_ref(match.entry_a),
            "entry_b": _entry_ref(match.entry_b),
            "a_source": match.a_source,
            "b_source": match.b_source,
            "score_a": match.score_a,
            "score_b": match.score_b,
            "winner": _entry_ref(match.winner_side),
            "status": match.status,
        }


def stage_number(match: Match) -> int:
    """`matches_of_event` annotates it (no query); a match read otherwise reads its stage."""
    number = getattr(match, "stage_number", None)
    return number if number is not None else match.stage.number


def _entry_ref(entry: Entry | None) -> dict | None:
    if entry is None:
        return None
    registration = entry.registration
    return {
        "id": entry.pk,
        "seed": entry.seed,
        "name": entry.name,
        "user_id": registration.user_id,
        "team_id": registration.team_id,
    }


# Per side, the keys of its values in a `row_selectors.match_list_rows` row.
_SIDE_KEYS = {side: tuple(f"{side}__{field}" for field in MATCH_SIDE_FIELDS) for side in ("entry_a", "entry_b")}


def _side_of_row(row: dict, side: str) -> dict | None:
    entry_id, seed, user_id, team_id, username, display_name, team_name = (row[key] for key in _SIDE_KEYS[side])
    if entry_id is None:
        return None
    name = team_name if team_id else display_name or username  # Entry.name
    return {"id": entry_id, "seed": seed, "name": name, "user_id": user_id, "team_id": team_id}


def match_row(row: dict) -> dict:
    """One list row from `row_selectors.match_list_rows`: what MatchSerializer renders for the same match
    (tests/tournaments/test_match_engine.py), without four models per side."""
    entry_a, entry_b = _side_of_row(row, "entry_a"), _side_of_row(row, "entry_b")
    winner = next((side for side in (entry_a, entry_b) if side and side["id"] == row["winner_id"]), None)
    return {
        "id": row["pk"],
        "key": row["key"],
        "stage": row["stage__number"],
        "round": row["round"],
        "position": row["position"],
        "bracket": row["bracket"],
        "group": row["group"],
        "best_of": row["best_of"],
        "entry_a": entry_a,
        "entry_b": entry_b,
        "a_source": row["a_source"],
        "b_source": row["b_source"],
        "score_a": row["score_a"],
        "score_b": row["score_b"],
        "winner": winner,
        "status": row["status"],
    }


class ScoreSerializer(serializers.Serializer):
    score_a = serializers.IntegerField(min_value=0, max_value=999)
    score_b = serializers.IntegerField(min_value=0, max_value=999)


class DisputeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    match_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Dispute.Status.choices)
    reason = serializers.CharField()
    has_evidence = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField(
        help_text="Where the organizer, staff and the match's players download the file (a session or a bearer "
        "token); null without a file, or once the file was quarantined."
    )

    def get_has_evidence(self, dispute: Dispute) -> bool:
        return dispute.has_servable_evidence

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_url(self, dispute: Dispute) -> str | None:
        if not dispute.has_servable_evidence:
            return None
        path = reverse("dispute-evidence", args=[dispute.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EntryListSerializer(EntryRefSerializer):
    status = serializers.ChoiceField(choices=Entry.Status.choices)
    checked_in_at = serializers.DateTimeField(allow_null=True)
    placement = serializers.IntegerField(allow_null=True, help_text="Final place once completed (ties share one).")
