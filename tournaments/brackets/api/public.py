"""A published event's bracket and standings as one public JSON document, for organizers' own sites.

Open to anyone without credentials (a token sent along is ignored), the same answer for every caller,
so it can be cached: an ETag of the content (`If-None-Match` answers 304), `Cache-Control: public`
for a few seconds, and `Access-Control-Allow-Origin: *` so that a page on any site can read it.
Every match at once (no pages), in bracket order; standings for round robin and Swiss; lobbies and
standings for a free-for-all; the final places once the event is completed. Drafts do not exist
here, also for their organizer.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.schema import ERRORS, error_response
from tournaments.brackets import selectors
from tournaments.brackets.api.schedule_serializers import ScheduledMatchSerializer
from tournaments.brackets.api.serializers import STAGE_STATUS_CHOICES, EntryRefSerializer
from tournaments.brackets.ffa.selectors import ffa_stage_summaries, ffa_view
from tournaments.brackets.ffa.serializers import FfaSerializer
from tournaments.models import Event

MAX_AGE_SECONDS = 10


class _GameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class _EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    game = _GameSerializer()
    format = serializers.ChoiceField(choices=Event.Format.choices)
    status = serializers.ChoiceField(choices=Event.Status.choices)
    is_solo = serializers.BooleanField()
    team_size = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class _StandingSerializer(serializers.Serializer):
    place = serializers.IntegerField()
    entry = EntryRefSerializer()
    points = serializers.IntegerField(source="standing.points")
    wins = serializers.IntegerField(source="standing.wins")
    draws = serializers.IntegerField(source="standing.draws")
    losses = serializers.IntegerField(source="standing.losses")
    difference = serializers.IntegerField(source="standing.difference", help_text="Games won less games lost.")
    buchholz = serializers.IntegerField(source="standing.buchholz", help_text="The opponents' points (tie-break).")
    had_bye = serializers.BooleanField(source="standing.had_bye")


class _GroupSerializer(serializers.Serializer):
    group = serializers.IntegerField(source="number", allow_null=True, help_text="Null when there is one table.")
    rows = _StandingSerializer(many=True)


class _PlacementSerializer(serializers.Serializer):
    place = serializers.IntegerField(source="placement", help_text="Ties share a place.")
    entry = EntryRefSerializer(source="*")


class _StageSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    format = serializers.ChoiceField(choices=Event.Format.choices)
    status = serializers.ChoiceField(choices=STAGE_STATUS_CHOICES)
    advance = serializers.IntegerField(allow_null=True, help_text="A playoff: how many of each group reach it.")


class PublicBracketSerializer(serializers.Serializer):
    event = _EventSerializer()
    stages = _StageSummarySerializer(
        many=True,
        help_text="The stages in order (one for most events; groups then a playoff for two-stage ones, the "
        "playoff `planned` until the groups are played). Matches are listed stage by stage.",
    )
    matches = ScheduledMatchSerializer(
        many=True, help_text="Every match, in bracket order, with its stage and schedule; empty before the start."
    )
    standings = _GroupSerializer(
        many=True, source="groups", help_text="Round robin and Swiss: the tables, best first. Empty otherwise."
    )
    placements = _PlacementSerializer(many=True, help_text="The final places, once the event is completed.")
    ffa = FfaSerializer(allow_null=True, help_text="Free-for-all: rounds, lobbies and standings. Null otherwise.")


def _etag(body: dict) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()
    return f'"{digest[:32]}"'


class EventBracketPublicApi(APIView):
    """A published event's bracket and standings, for anyone (see the module's note on caching)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="event_bracket_public",
        auth=[],
        responses={
            200: PublicBracketSerializer,
            304: OpenApiResponse(description="Not modified: the `If-None-Match` ETag is still current."),
            404: error_response("`not_found`: no such event, or a draft."),
            429: ERRORS["429"],
        },
    )
    def get(self, request, event_id: int):
        event = selectors.public_event_get(event_id)
        if event is None:
            raise NotFound(_("Event not found."))
        view = selectors.bracket_view(event)
        view.ffa = ffa_view(event) if event.format == Event.Format.FREE_FOR_ALL else None
        if view.ffa is not None:
            view.stages = ffa_stage_summaries(view.ffa)
        body = PublicBracketSerializer(view, context={"plans": view.plans}).data
        etag = _etag(body)
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=304)
        else:
            response = Response(body)
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
        response["Access-Control-Allow-Origin"] = "*"
        return response
