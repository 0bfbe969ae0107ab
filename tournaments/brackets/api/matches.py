"""Matches: list and read them, report and resolve scores, reopen, dispute, and the evidence file."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.pagination import PagePagination
from driftwood.core.parsers import DecimalJSONParser
from driftwood.core.schema import ERRORS
from driftwood.core.text import TextField
from tournaments import evidence, row_selectors, selectors
from tournaments.api.events import NOT_FOUND, require_visible_event
from tournaments.brackets import selectors as bracket_selectors
from tournaments.brackets.api.schedule_serializers import ScheduledMatchSerializer, match_rows_json
from tournaments.brackets.api.serializers import (
    MATCH_NOT_FOUND,
    DisputeSerializer,
    ScoreSerializer,
    error_response,
)
from tournaments.brackets.services import matches
from tournaments.models import Match


def match_response(match_id: int) -> Response:
    """The match as the matches endpoints answer: its JSON and its schedule (additive fields)."""
    return Response(ScheduledMatchSerializer(selectors.matches_of_event().get(pk=match_id)).data)


def require_visible_match(user, match_id: int) -> None:
    event_id = Match.objects.filter(pk=match_id).values_list("event_id", flat=True).first()
    if event_id is None or not selectors.events_visible_to(user).filter(pk=event_id).exists():
        raise NotFound("Match not found.")


class EventMatchListApi(APIView):
    """Every match of the event in bracket order: stage by stage (the groups, then a playoff), and in a
    stage winners, losers, final, groups; by round and position."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="event_match_list",
        responses={200: ScheduledMatchSerializer(many=True), 401: ERRORS["401"], 404: NOT_FOUND},
    )
    def get(self, request, event_id: int):
        paginator = self.pagination_class()
        rows = row_selectors.match_list_rows(event_id, user=request.user)  # none of an event the caller cannot see
        try:
            page = paginator.paginate_queryset(rows, request, view=self)
        except serializers.ValidationError:
            require_visible_event(user=request.user, event_id=event_id)  # 404 before 400, as ever
            raise
        if not page:  # no matches, or an event the caller cannot see (one query saved on every other page)
            require_visible_event(user=request.user, event_id=event_id)
        return paginator.get_paginated_response(match_rows_json(page))


class MatchDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(operation_id="match_detail", responses={200: ScheduledMatchSerializer, 404: MATCH_NOT_FOUND})
    def get(self, request, match_id: int):
        require_visible_match(request.user, match_id)
        return match_response(match_id)


class MatchReportApi(APIView):
    """A side's player (its captain, for teams) reports the score, or the organizer enters it.

    Both sides' latest reports agreeing, or the organizer's report, completes the match and
    advances the winner (and the loser, in double elimination); different reports make it
    `disputed`. Reports are kept as versions; reporting again adds one.
    """

    @extend_schema(
        operation_id="match_report",
        request=ScoreSerializer,
        responses={
            200: ScheduledMatchSerializer,
            400: error_response("`invalid`, or `invalid_score` (a draw in elimination, beyond best-of)."),
            403: error_response("`permission_denied`: not a player of this match nor the organizer."),
            404: MATCH_NOT_FOUND,
            409: error_response("`match_not_playable` (waiting for players, or finished), `invalid_status`."),
        },
    )
    def post(self, request, match_id: int):
        require_visible_match(request.user, match_id)
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        matches.match_report(match_id=match_id, actor=request.user, **data.validated_data)
        return match_response(match_id)


class MatchResolveApi(APIView):
    """The organizer or staff decide the score of a disputed (or any unfinished) match.

    On a completed match, the same score closes its open disputes (the result stands); a
    different one replaces the result while nothing it fed has been played.
    """

    class InputSerializer(ScoreSerializer):
        resolution = TextField(multiline=True, required=False, allow_blank=True, max_length=2000)

    @extend_schema(
        operation_id="match_resolve",
        request=InputSerializer,
        responses={
            200: ScheduledMatchSerializer,
            400: error_response("`invalid`, or `invalid_score`."),
            403: error_response("`permission_denied`: only the organizer or staff."),
            404: MATCH_NOT_FOUND,
            409: error_response("`match_not_playable`, `reopen_refused` (a dependant was played), `invalid_status`."),
        },
    )
    def post(self, request, match_id: int):
        if not request.user.is_staff:
            require_visible_match(request.user, match_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        matches.match_resolve(match_id=match_id, actor=request.user, **data.validated_data)
        return match_response(match_id)


class MatchReopenApi(APIView):
    """The organizer (or staff) reopens a completed match whose dependants have not been played."""

    @extend_schema(
        operation_id="match_reopen",
        request=None,
        responses={
            200: ScheduledMatchSerializer,
            403: error_response("`permission_denied`: only the organizer or staff."),
            404: MATCH_NOT_FOUND,
            409: error_response("`reopen_refused`, `match_not_playable` (not completed), `invalid_status`."),
        },
    )
    def post(self, request, match_id: int):
        if not request.user.is_staff:
            require_visible_match(request.user, match_id)
        matches.match_reopen(match_id=match_id, actor=request.user)
        return match_response(match_id)


class MatchDisputeApi(APIView):
    """A player of the match disputes its result: `reason`, and optionally an `evidence` file
    (multipart, up to DISPUTE_EVIDENCE_MAX_BYTES): PNG, JPEG, WebP, GIF, PDF or MP4, recognised
    from the file's bytes, not its name or declared type. The organizer is told."""

    parser_classes = [MultiPartParser, FormParser, DecimalJSONParser]

    class InputSerializer(serializers.Serializer):
        reason = TextField(multiline=True, max_length=4000)
        # An empty file is just another file that is none of the allowed kinds (`unsupported_file`).
        evidence = serializers.FileField(
            required=False,
            allow_empty_file=True,
            help_text="PNG, JPEG, WebP, GIF, PDF or MP4, told by its bytes; anything else is refused.",
        )

    @extend_schema(
        operation_id="match_dispute",
        request={"multipart/form-data": InputSerializer},
        responses={
            201: DisputeSerializer,
            400: error_response(
                "`invalid` (no reason, evidence too large); `unsupported_file` (the evidence's bytes are not "
                "PNG, JPEG, WebP, GIF, PDF or MP4)."
            ),
            403: error_response("`permission_denied`: not a player of this match."),
            404: MATCH_NOT_FOUND,
            409: error_response("`dispute_open` (one is already open), `match_not_playable` (no result yet)."),
        },
    )
    def post(self, request, match_id: int):
        require_visible_match(request.user, match_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = matches.dispute_open(match_id=match_id, actor=request.user, **data.validated_data)
        return Response(DisputeSerializer(dispute, context={"request": request}).data, status=status.HTTP_201_CREATED)


class IgnoreAcceptNegotiation(DefaultContentNegotiation):
    """The file answers in its own type whatever the client accepts (errors stay JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DisputeEvidenceApi(APIView):
    """The dispute's evidence file, for the organizer, staff and the match's players (404 for anyone
    else, signed in or not). Always a download (`Content-Disposition: attachment`) of the type its
    bytes show, with `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`."""

    permission_classes = [AllowAny]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        operation_id="dispute_evidence",
        responses={
            **{(200, kind.content_type): OpenApiTypes.BINARY for kind in evidence.KINDS},
            401: ERRORS["401"],
            404: error_response("`not_found`: no such dispute or file, or the caller is not involved."),
        },
    )
    def get(self, request, dispute_id: int):
        dispute = bracket_selectors.dispute_evidence_get(user=request.user, dispute_id=dispute_id)
        response = evidence.evidence_response(dispute) if dispute is not None else None
        if response is None:
            raise NotFound("No such file.")
        return response
