"""Brackets: check in, start, list matches, report and resolve scores."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.pagination import PagePagination
from driftwood.core.parsers import DecimalJSONParser
from driftwood.core.schema import ERRORS, ErrorSerializer
from driftwood.core.text import TextField
from tournaments import bracket_selectors, evidence, selectors
from tournaments.api.events import NOT_FOUND, NOT_ORGANIZER, require_visible_event
from tournaments.models import Dispute, Entry, Event, Match
from tournaments.services import checkin, matches, seeding, start


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


MATCH_NOT_FOUND = _error("`not_found`: no such match, or one of an event the caller may not see.")


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
            "winner": _entry_ref(match.winner),
            "status": match.status,
        }


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


class ScoreSerializer(serializers.Serializer):
    score_a = serializers.IntegerField(min_value=0, max_value=999)
    score_b = serializers.IntegerField(min_value=0, max_value=999)


def _match_response(match_id: int) -> Response:
    return Response(MatchSerializer(selectors.matches_of_event().get(pk=match_id)).data)


def _require_visible_match(user, match_id: int) -> None:
    event_id = Match.objects.filter(pk=match_id).values_list("event_id", flat=True).first()
    if event_id is None or not selectors.events_visible_to(user).filter(pk=event_id).exists():
        raise NotFound("Match not found.")


class EventCheckInApi(APIView):
    """A registered player (any member of a registered team) checks their entry in.

    Open from `check_in_minutes` before `starts_at` until the organizer starts the event.
    Checking in again changes nothing and answers the same.
    """

    class OutputSerializer(serializers.Serializer):
        entry_id = serializers.IntegerField(source="pk")
        checked_in_at = serializers.DateTimeField()
        checked_in_by = serializers.IntegerField(source="checked_in_by_id")

    @extend_schema(
        operation_id="event_check_in",
        request=None,
        responses={
            200: OutputSerializer,
            401: ERRORS["401"],
            404: NOT_FOUND,
            409: _error("`check_in_closed` (not open yet, or the event started), or `not_registered`."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        entry = checkin.entry_check_in(event_id=event_id, actor=request.user)
        return Response(self.OutputSerializer(entry).data)


class EventStartApi(APIView):
    """The organizer starts the event: entries that did not check in are dropped (and refunded
    per `no_show_refund_percent`), the rest are seeded and the matches generated."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.ChoiceField(choices=[Event.Status.ONGOING])
        entries = serializers.IntegerField(help_text="Entries in the bracket.")
        dropped = serializers.IntegerField(help_text="Entries dropped for not checking in.")
        matches = serializers.IntegerField(help_text="Matches generated (Swiss: the first round).")

    @extend_schema(
        operation_id="event_start",
        request=None,
        responses={
            200: OutputSerializer,
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: _error("`invalid_status` (not open/closed for registration), or `not_enough_entries`."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        stage = start.event_start(event_id=event_id, actor=request.user)
        entries = Entry.objects.filter(event_id=event_id)
        return Response(
            self.OutputSerializer(
                {
                    "id": event_id,
                    "status": Event.Status.ONGOING,
                    "entries": entries.filter(status=Entry.Status.ACTIVE).count(),
                    "dropped": entries.filter(status=Entry.Status.NO_SHOW).count(),
                    "matches": stage.matches.count(),
                }
            ).data
        )


class EventMatchListApi(APIView):
    """Every match of the event in bracket order (winners, losers, final, groups; by round and position)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="event_match_list", responses={200: MatchSerializer(many=True), 401: ERRORS["401"], 404: NOT_FOUND}
    )
    def get(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.matches_of_event(event_id), request, view=self)
        return paginator.get_paginated_response(MatchSerializer(page, many=True).data)


class MatchDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(operation_id="match_detail", responses={200: MatchSerializer, 404: MATCH_NOT_FOUND})
    def get(self, request, match_id: int):
        _require_visible_match(request.user, match_id)
        return _match_response(match_id)


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
            200: MatchSerializer,
            400: _error("`invalid`, or `invalid_score` (a draw in elimination, beyond best-of)."),
            403: _error("`permission_denied`: not a player of this match nor the organizer."),
            404: MATCH_NOT_FOUND,
            409: _error("`match_not_playable` (waiting for players, or finished), `invalid_status`."),
        },
    )
    def post(self, request, match_id: int):
        _require_visible_match(request.user, match_id)
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        matches.match_report(match_id=match_id, actor=request.user, **data.validated_data)
        return _match_response(match_id)


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
            200: MatchSerializer,
            400: _error("`invalid`, or `invalid_score`."),
            403: _error("`permission_denied`: only the organizer or staff."),
            404: MATCH_NOT_FOUND,
            409: _error("`match_not_playable`, `reopen_refused` (a dependant was played), `invalid_status`."),
        },
    )
    def post(self, request, match_id: int):
        if not request.user.is_staff:
            _require_visible_match(request.user, match_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        matches.match_resolve(match_id=match_id, actor=request.user, **data.validated_data)
        return _match_response(match_id)


class MatchReopenApi(APIView):
    """The organizer (or staff) reopens a completed match whose dependants have not been played."""

    @extend_schema(
        operation_id="match_reopen",
        request=None,
        responses={
            200: MatchSerializer,
            403: _error("`permission_denied`: only the organizer or staff."),
            404: MATCH_NOT_FOUND,
            409: _error("`reopen_refused`, `match_not_playable` (not completed), `invalid_status`."),
        },
    )
    def post(self, request, match_id: int):
        if not request.user.is_staff:
            _require_visible_match(request.user, match_id)
        matches.match_reopen(match_id=match_id, actor=request.user)
        return _match_response(match_id)


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
            400: _error(
                "`invalid` (no reason, evidence too large); `unsupported_file` (the evidence's bytes are not "
                "PNG, JPEG, WebP, GIF, PDF or MP4)."
            ),
            403: _error("`permission_denied`: not a player of this match."),
            404: MATCH_NOT_FOUND,
            409: _error("`dispute_open` (one is already open), `match_not_playable` (no result yet)."),
        },
    )
    def post(self, request, match_id: int):
        _require_visible_match(request.user, match_id)
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
            404: _error("`not_found`: no such dispute or file, or the caller is not involved."),
        },
    )
    def get(self, request, dispute_id: int):
        dispute = bracket_selectors.dispute_evidence_get(user=request.user, dispute_id=dispute_id)
        response = evidence.evidence_response(dispute) if dispute is not None else None
        if response is None:
            raise NotFound("No such file.")
        return response


class EntryListSerializer(EntryRefSerializer):
    status = serializers.ChoiceField(choices=Entry.Status.choices)
    checked_in_at = serializers.DateTimeField(allow_null=True)
    placement = serializers.IntegerField(allow_null=True, help_text="Final place once completed (ties share one).")


class EventEntryListApi(APIView):
    """The event's entries with seed, check-in and final placement, best seed first.

    Entries follow the confirmed registrations until the start (each read brings them up to date)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PagePagination

    @extend_schema(
        operation_id="event_entry_list",
        responses={200: EntryListSerializer(many=True), 401: ERRORS["401"], 404: NOT_FOUND},
    )
    def get(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        checkin.entries_refresh(event_id=event_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.entries_of_event(event_id), request, view=self)
        return paginator.get_paginated_response(EntryListSerializer(page, many=True).data)


class EventSeedingApi(APIView):
    """The organizer seeds the entries: `registration` order, `random`, or `manual` with `order`
    (every entry id once, best seed first). Before the start the seeds need confirming again
    (`/seeding/confirm`); after it the bracket is regenerated, until a match has a result."""

    class InputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=Event.Seeding.choices)
        order = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1024)

    @extend_schema(
        operation_id="event_seeding",
        request=InputSerializer,
        responses={
            200: EntryListSerializer(many=True),
            400: _error("`invalid`: unknown method, or a manual `order` that does not list every entry once."),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: _error("`seeding_locked` (a match has a result), `invalid_status`."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entries = seeding.seeding_apply(event_id=event_id, actor=request.user, **data.validated_data)
        return Response(EntryListSerializer(entries, many=True).data)


class EventSeedingConfirmApi(APIView):
    """The organizer accepts the seeds as they stand; the start generates the bracket from them."""

    @extend_schema(
        operation_id="event_seeding_confirm",
        request=None,
        responses={
            200: EntryListSerializer(many=True),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: _error("`invalid_status`."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        entries = seeding.seeding_confirm(event_id=event_id, actor=request.user)
        return Response(EntryListSerializer(entries, many=True).data)
