"""Match scheduling over the API: the organizer's round plans (start, best-of, match check-in and its
deadline), a player's check-in to a match, and the organizer's forfeit queue and decisions.

The matches endpoints answer with `ScheduledMatchSerializer`: the match as ever, plus its schedule
(additive fields)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound, PermissionDenied
from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS
from tournaments import selectors
from tournaments.api.events import NOT_FOUND, NOT_ORGANIZER, require_visible_event
from tournaments.brackets.api.matches import match_response, require_visible_match
from tournaments.brackets.api.schedule_serializers import ForfeitRefSerializer, ScheduledMatchSerializer
from tournaments.brackets.api.serializers import MATCH_NOT_FOUND, EntryRefSerializer, error_response
from tournaments.brackets.schedule_models import BEST_OF_CHOICES
from tournaments.brackets.schedule_selectors import event_rounds, forfeit_get, forfeits_of_event
from tournaments.brackets.services import forfeits, schedule
from tournaments.brackets.services.schedule import MAX_MINUTES
from tournaments.models import Event, ForfeitProposal, Match


class RoundPlanSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(allow_null=True, required=False, help_text="Null: no start time.")
    best_of = serializers.ChoiceField(
        choices=[games for games, _label in BEST_OF_CHOICES],
        allow_null=True,
        required=False,
        help_text="Games per match in this round; null: the event's.",
    )
    check_in_minutes = serializers.IntegerField(
        min_value=0,
        max_value=MAX_MINUTES,
        required=False,
        default=0,
        help_text="Match check-in opens this long before `starts_at`; 0: no match check-in.",
    )
    deadline_minutes = serializers.IntegerField(
        min_value=0,
        max_value=MAX_MINUTES,
        required=False,
        default=15,
        help_text="A side not checked in this long after the match's start is proposed for a forfeit.",
    )


class RoundSerializer(RoundPlanSerializer):
    stage = serializers.IntegerField(help_text="The stage's number in the event.")
    bracket = serializers.ChoiceField(choices=Match.Bracket.choices)
    round = serializers.IntegerField()
    planned = serializers.BooleanField(help_text="Whether the organizer set a plan for this round.")


def _round_json(row: dict) -> dict:
    plan = row["plan"]
    values = {"starts_at": None, "best_of": None, "check_in_minutes": 0, "deadline_minutes": 15}
    if plan is not None:
        values = {name: getattr(plan, name) for name in values}
    return {
        "stage": row["stage"],
        "bracket": row["bracket"],
        "round": row["round"],
        "planned": plan is not None,
        **values,
    }


class EventScheduleApi(APIView):
    """Every round of the event's drawn stages (Swiss rounds still to be paired included) with its plan."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    class OutputSerializer(serializers.Serializer):
        rounds = RoundSerializer(many=True)

    @extend_schema(operation_id="event_schedule", responses={200: OutputSerializer, 401: ERRORS["401"], 404: NOT_FOUND})
    def get(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        event = selectors.events_visible_to(request.user).get(pk=event_id)
        return Response(self.OutputSerializer({"rounds": [_round_json(row) for row in event_rounds(event)]}).data)


class RoundPlanApi(APIView):
    """The organizer (or staff) sets one round's plan. The best-of applies at once to the round's
    unplayed matches (and to Swiss rounds when paired); refused once one of them has a result."""

    @extend_schema(
        operation_id="round_plan_set",
        request=RoundPlanSerializer,
        responses={
            200: RoundSerializer,
            400: error_response("`invalid`: a bad value, or a round the stage does not have."),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`round_started` (best-of of a round with results), `invalid_status`."),
        },
    )
    def put(self, request, event_id: int, stage: int, bracket: str, round_number: int):
        require_visible_event(user=request.user, event_id=event_id)
        data = RoundPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = schedule.round_schedule_set(
            event_id=event_id,
            actor=request.user,
            stage_number=stage,
            bracket=bracket,
            round=round_number,
            **data.validated_data,
        )
        row = {"stage": plan.stage_number, "bracket": plan.bracket, "round": plan.round, "plan": plan}
        return Response(RoundSerializer(_round_json(row)).data)


class MatchCheckInApi(APIView):
    """A player of the match (any member of a team's roster) checks their side in. Open from the
    round's `check_in_minutes` before its start until the match is finished; again changes nothing."""

    @extend_schema(
        operation_id="match_check_in",
        request=None,
        responses={
            200: ScheduledMatchSerializer,
            403: error_response("`permission_denied`: not a player of this match."),
            404: MATCH_NOT_FOUND,
            409: error_response(
                "`check_in_closed` (not open yet, or not asked), `match_not_playable`, `invalid_status`."
            ),
        },
    )
    def post(self, request, match_id: int):
        require_visible_match(request.user, match_id)
        schedule.match_check_in(match_id=match_id, actor=request.user)
        return match_response(match_id)


class ForfeitSerializer(ForfeitRefSerializer):
    match_id = serializers.IntegerField()
    match_key = serializers.CharField(source="match.key")
    entry_a = EntryRefSerializer(source="match.entry_a")
    entry_b = EntryRefSerializer(source="match.entry_b")
    deadline_at = serializers.DateTimeField()
    proposed_at = serializers.DateTimeField()
    winner = EntryRefSerializer(allow_null=True, help_text="Who advanced, once confirmed.")
    decided_at = serializers.DateTimeField(allow_null=True)


class EventForfeitListApi(APIView):
    """The organizer's (or staff's) forfeit queue: proposals waiting for a decision, oldest first
    (`?status=` for decided ones)."""

    pagination_class = PagePagination

    @extend_schema(
        operation_id="event_forfeit_list",
        parameters=[OpenApiParameter("status", enum=ForfeitProposal.Status.values, default="proposed")],
        responses={200: ForfeitSerializer(many=True), 401: ERRORS["401"], 403: NOT_ORGANIZER, 404: NOT_FOUND},
    )
    def get(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        status = request.query_params.get("status") or ForfeitProposal.Status.PROPOSED
        if status not in ForfeitProposal.Status.values:
            raise serializers.ValidationError({"status": [_("Not a forfeit status.")]})
        _require_organizer(request.user, event_id)
        rows = forfeits_of_event(event_id, status=status)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ForfeitSerializer(page, many=True).data)


def _require_organizer(user, event_id: int) -> None:
    if not (user.is_staff or Event.objects.filter(pk=event_id, organizer=user).exists()):
        raise PermissionDenied(_("Only the event's organizer can do this."))


def _forfeit_response(proposal_id: int) -> Response:
    return Response(ForfeitSerializer(forfeit_get(proposal_id)).data)


FORFEIT_NOT_FOUND = error_response("`not_found`: no such forfeit, or one of an event the caller may not see.")


def _require_visible_forfeit(user, proposal_id: int) -> None:
    event_id = ForfeitProposal.objects.filter(pk=proposal_id).values_list("match__event_id", flat=True).first()
    if event_id is None or not selectors.events_visible_to(user).filter(pk=event_id).exists():
        raise NotFound(_("Forfeit not found."))


class ForfeitConfirmApi(APIView):
    """The organizer (or staff) confirms a proposed forfeit: the side that checked in wins by the games
    its best-of needs to nothing (`winner` chooses when neither did); the bracket moves on."""

    class InputSerializer(serializers.Serializer):
        winner = serializers.ChoiceField(
            choices=["a", "b"], required=False, help_text="Needed only when neither side checked in."
        )

    @extend_schema(
        operation_id="forfeit_confirm",
        request=InputSerializer,
        responses={
            200: ForfeitSerializer,
            400: error_response("`invalid`: neither side checked in and no `winner`."),
            403: NOT_ORGANIZER,
            404: FORFEIT_NOT_FOUND,
            409: error_response("`not_pending` (already decided or withdrawn), `match_not_playable`."),
        },
    )
    def post(self, request, forfeit_id: int):
        _require_visible_forfeit(request.user, forfeit_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        forfeits.forfeit_confirm(proposal_id=forfeit_id, actor=request.user, **data.validated_data)
        return _forfeit_response(forfeit_id)


class ForfeitRejectApi(APIView):
    """The organizer (or staff) rejects a proposed forfeit: the match stays open."""

    @extend_schema(
        operation_id="forfeit_reject",
        request=None,
        responses={
            200: ForfeitSerializer,
            403: NOT_ORGANIZER,
            404: FORFEIT_NOT_FOUND,
            409: error_response("`not_pending` (already decided or withdrawn), `match_not_playable`."),
        },
    )
    def post(self, request, forfeit_id: int):
        _require_visible_forfeit(request.user, forfeit_id)
        forfeits.forfeit_reject(proposal_id=forfeit_id, actor=request.user)
        return _forfeit_response(forfeit_id)
