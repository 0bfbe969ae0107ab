"""An event's entries before and at the start: check in, list entries, seed, confirm, start."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS
from tournaments import selectors
from tournaments.api.events import NOT_FOUND, NOT_ORGANIZER, require_visible_event
from tournaments.brackets.api.serializers import EntryListSerializer, error_response
from tournaments.brackets.services import seeding, start
from tournaments.models import Entry, Event
from tournaments.services import checkin


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
            409: error_response("`check_in_closed` (not open yet, or the event started), or `not_registered`."),
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
        matches = serializers.IntegerField(help_text="Matches generated (Swiss: the first round; free-for-all: 0).")
        lobbies = serializers.IntegerField(help_text="Free-for-all: lobbies drawn for round 1 (0 for other formats).")

    @extend_schema(
        operation_id="event_start",
        request=None,
        responses={
            200: OutputSerializer,
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`invalid_status` (not open/closed for registration), or `not_enough_entries`."),
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
                    "lobbies": stage.lobbies.count(),
                }
            ).data
        )


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
            400: error_response("`invalid`: unknown method, or a manual `order` that does not list every entry once."),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`seeding_locked` (a match has a result), `invalid_status`."),
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
            409: error_response("`invalid_status`."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        entries = seeding.seeding_confirm(event_id=event_id, actor=request.user)
        return Response(EntryListSerializer(entries, many=True).data)
