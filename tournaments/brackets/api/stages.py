"""An event's stages: the group stage and the playoff drawn from it (or one stage for most events)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.schema import ERRORS
from tournaments import selectors
from tournaments.api.events import NOT_FOUND
from tournaments.brackets import selectors as bracket_selectors
from tournaments.brackets.api.serializers import STAGE_STATUS_CHOICES, EntryRefSerializer
from tournaments.models import Event

STAGE_FORMATS = [(value, label) for value, label in Event.Format.choices]


class _StageGroupSerializer(serializers.Serializer):
    group = serializers.IntegerField(help_text="From 1; Swiss is one group.")
    entries = EntryRefSerializer(many=True, help_text="Best first, as the standings rank them now.")


class StageSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 for the first stage.")
    format = serializers.ChoiceField(choices=STAGE_FORMATS)
    status = serializers.ChoiceField(
        choices=STAGE_STATUS_CHOICES,
        help_text="`planned`: drawn when the stage before it is completed.",
    )
    best_of = serializers.IntegerField()
    advance = serializers.IntegerField(
        allow_null=True, help_text="A playoff: how many of each group of the stage before reach it."
    )
    third_place = serializers.BooleanField(source="options.third_place", default=None, allow_null=True)
    bracket_reset = serializers.BooleanField(source="options.bracket_reset", default=None, allow_null=True)
    match_count = serializers.IntegerField()
    groups = _StageGroupSerializer(many=True, help_text="A group stage's tables; empty for a playoff.")
    entries = EntryRefSerializer(
        many=True, help_text="A playoff's entrants in its seed order (group winners first); empty until drawn."
    )


class EventStageListApi(APIView):
    """The event's stages in order; a playoff not drawn yet is `planned`. Empty before the start."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="event_stage_list",
        responses={200: StageSerializer(many=True), 401: ERRORS["401"], 404: NOT_FOUND},
    )
    def get(self, request, event_id: int):
        event = selectors.events_visible_to(request.user).filter(pk=event_id).first()
        if event is None:
            raise NotFound(_("Event not found."))
        return Response(StageSerializer(bracket_selectors.event_stages(event), many=True).data)
