"""Events: list, create, read, edit, publish and cancel.

Reading is public; drafts exist only for their organizer (404 for everyone else, as if unknown).
"""

from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.money import MoneyField, format_money
from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS, error_response
from driftwood.core.text import TextField
from driftwood.core.throttles import EventCreateRateThrottle, TieredRateThrottle
from tournaments import row_selectors, selectors
from tournaments.api import JoinPaymentSerializer, UserRefSerializer
from tournaments.api.games import GameSerializer
from tournaments.models import Event, Game, Registration
from tournaments.services import events as event_services

NOT_FOUND = error_response("`not_found`: no such event, or a draft of another organizer.")
NOT_ORGANIZER = error_response("`permission_denied`: only the event's organizer may do this.")


def require_visible_event(*, user, event_id: int) -> None:
    """404 unless the event exists and the caller may see it (others' drafts do not exist for them)."""
    if not selectors.events_visible_to(user).filter(pk=event_id).exists():
        raise NotFound(_("Event not found."))


def _utc_iso(value: datetime) -> str:
    """What DRF's DateTimeField renders under the API's UTC (driftwood.core.middleware.ApiUtcMiddleware)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class EventSerializer(serializers.Serializer):
    """One event as the list shows it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    game = GameSerializer()
    tier = serializers.ChoiceField(choices=Event.Tier.choices)
    event_type = serializers.ChoiceField(choices=Event.EventType.choices)
    format = serializers.ChoiceField(choices=Event.Format.choices)
    organizer = UserRefSerializer()
    status = serializers.ChoiceField(choices=Event.Status.choices)
    is_solo = serializers.BooleanField()
    team_size = serializers.IntegerField()
    max_participants = serializers.IntegerField()
    entry_fee = MoneyField(positive=False)
    prize_pool = MoneyField(positive=False)
    prize_distribution = serializers.ListField(
        child=serializers.IntegerField(), help_text="Whole percentages for 1st, 2nd, ... summing to 100."
    )
    starts_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField()
    confirmed_count = serializers.IntegerField(help_text="Confirmed entries (players or teams).")
    pending_count = serializers.IntegerField(help_text="Entries waiting for a card payment.")
    waitlist_count = serializers.IntegerField(help_text="Entries waiting for a seat of a full event.")

    def to_representation(self, event: Event) -> dict:
        # The list renders up to 100 of these per request: building the dict directly is
        # several times faster than DRF's field-by-field walk (bench/events.py). The
        # declared fields above still define the shape (the schema, and a test compares them).
        return {
            "id": event.pk,
            "name": event.name,
            "game": {"id": event.game.pk, "name": event.game.name, "slug": event.game.slug},
            "tier": event.tier,
            "event_type": event.event_type,
            "format": event.format,
            "organizer": {"id": event.organizer.pk, "username": event.organizer.username},
            "status": event.status,
            "is_solo": event.is_solo,
            "team_size": event.team_size,
            "max_participants": event.max_participants,
            "entry_fee": format_money(event.entry_fee),
            "prize_pool": format_money(event.prize_pool),
            "prize_distribution": list(event.prize_distribution),
            "starts_at": _utc_iso(event.starts_at),
            "registration_closes_at": _utc_iso(event.registration_closes_at),
            "confirmed_count": event.confirmed_count,
            "pending_count": event.pending_count,
            "waitlist_count": event.waitlist_count,
        }


def event_row(row: dict) -> dict:
    """One list row from `row_selectors.event_list_rows`: what EventSerializer renders for the same event
    (tests/tournaments/test_event_serializer.py), without a model per row."""
    return {
        "id": row["pk"],
        "name": row["name"],
        "game": {"id": row["game_id"], "name": row["game__name"], "slug": row["game__slug"]},
        "tier": row["tier"],
        "event_type": row["event_type"],
        "format": row["format"],
        "organizer": {"id": row["organizer_id"], "username": row["organizer__username"]},
        "status": row["status"],
        "is_solo": row["is_solo"],
        "team_size": row["team_size"],
        "max_participants": row["max_participants"],
        "entry_fee": format_money(row["entry_fee"]),
        "prize_pool": format_money(row["prize_pool"]),
        "prize_distribution": list(row["prize_distribution"]),
        "starts_at": _utc_iso(row["starts_at"]),
        "registration_closes_at": _utc_iso(row["registration_closes_at"]),
        "confirmed_count": row["confirmed_count"],
        "pending_count": row["pending_count"],
        "waitlist_count": row["waitlist_count"],
    }


class MyRegistrationSerializer(serializers.Serializer):
    join_event_id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=Registration.Status.choices)
    team_id = serializers.IntegerField(allow_null=True)
    seat_held_until = serializers.DateTimeField(
        allow_null=True, help_text="A seat freed from the waitlist, held for the caller's card payment until then."
    )
    payment = JoinPaymentSerializer(
        allow_null=True,
        source="payment_to_finish",
        help_text="The card payment the caller still has to confirm (their own pending entry), else null.",
    )


class EventDetailSerializer(EventSerializer):
    """The list's fields, plus the rules and the caller's own active entry."""

    description = serializers.CharField(help_text="Rules and anything players should know.")
    stream_url = serializers.CharField(help_text="Where the matches are streamed (an http(s) address), or empty.")
    check_in_minutes = serializers.IntegerField(help_text="Check-in opens this many minutes before the start.")
    no_show_refund_percent = serializers.IntegerField()
    best_of = serializers.IntegerField()
    third_place_match = serializers.BooleanField()
    bracket_reset = serializers.BooleanField()
    groups = serializers.IntegerField()
    swiss_rounds = serializers.IntegerField(allow_null=True)
    playoff_format = serializers.ChoiceField(
        choices=Event.PlayoffFormat.choices, help_text="After round robin or Swiss groups; empty: no playoff."
    )
    playoff_advance = serializers.IntegerField(help_text="How many of each group reach the playoff.")
    playoff_best_of = serializers.IntegerField()
    seeding = serializers.ChoiceField(choices=Event.Seeding.choices)
    completed_at = serializers.DateTimeField(allow_null=True, help_text="When the last match completed.")
    prizes_paid_at = serializers.DateTimeField(
        allow_null=True, help_text="When prizes and fees left escrow (after the dispute window)."
    )
    my_registration = MyRegistrationSerializer(
        allow_null=True, help_text="The caller's active entry (alone or through a team), or null."
    )

    def to_representation(self, event: Event) -> dict:
        # One event at a time: DRF's generic walk over every declared field is fine here.
        return serializers.Serializer.to_representation(self, event)


# One field for each of the service's EVENT_WRITE_FIELDS (tests/tournaments/test_event_write_fields.py).
class EventWriteSerializer(serializers.Serializer):
    """The writable fields of an event (POST: name, game and both dates required; PATCH: any)."""

    name = TextField(max_length=120)
    game = serializers.PrimaryKeyRelatedField(
        queryset=Game.objects.all(),
        help_text="A game id (GET /games).",
        error_messages={"does_not_exist": _("Unknown game."), "incorrect_type": _("A game id (an integer).")},
    )
    tier = serializers.ChoiceField(choices=Event.Tier.choices, required=False)
    event_type = serializers.ChoiceField(choices=Event.EventType.choices, required=False)
    format = serializers.ChoiceField(choices=Event.Format.choices, required=False)
    description = TextField(multiline=True, required=False, allow_blank=True, max_length=10_000)
    stream_url = serializers.URLField(
        required=False, allow_blank=True, max_length=300, help_text="Where the matches are streamed (http or https)."
    )
    is_solo = serializers.BooleanField(required=False, help_text="Default true.")
    team_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=64,
        help_text="Players per team; 1 for solo events (default 5 for teams).",
    )
    max_participants = serializers.IntegerField(
        required=False, min_value=2, max_value=1024, help_text="Entries (players or teams); default 16."
    )
    entry_fee = MoneyField(positive=False, required=False, help_text="Default 0.00 (free).")
    prize_pool = MoneyField(
        positive=False, required=False, help_text="Held from the organizer's wallet when the event is published."
    )
    prize_distribution = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=100),
        required=False,
        max_length=1024,
        help_text="Whole percentages for 1st, 2nd, ... summing to 100; required with a prize pool.",
    )
    starts_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField(help_text="Not after `starts_at`.")
    check_in_minutes = serializers.IntegerField(
        required=False, min_value=0, max_value=1440, help_text="Check-in opens this long before the start; 0: none."
    )
    no_show_refund_percent = serializers.IntegerField(
        required=False, min_value=0, max_value=100, help_text="Refunded to entries dropped for not checking in."
    )
    best_of = serializers.IntegerField(required=False, min_value=1, max_value=9, help_text="Odd; default 1.")
    third_place_match = serializers.BooleanField(required=False, help_text="Single elimination; default false.")
    bracket_reset = serializers.BooleanField(required=False, help_text="Double elimination; default true.")
    groups = serializers.IntegerField(
        required=False, min_value=1, max_value=64, help_text="Round robin or Swiss; default 1."
    )
    swiss_rounds = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=20, help_text="Swiss; default ceil(log2 N)."
    )
    playoff_format = serializers.ChoiceField(
        choices=Event.PlayoffFormat.choices,
        required=False,
        allow_blank=True,
        help_text="Round robin or Swiss: a single or double elimination playoff after the groups "
        "(`third_place_match` and `bracket_reset` then apply to it); default empty, no playoff.",
    )
    playoff_advance = serializers.IntegerField(
        required=False, min_value=1, max_value=64, help_text="How many of each group reach the playoff; default 2."
    )
    playoff_best_of = serializers.IntegerField(
        required=False, min_value=1, max_value=9, help_text="Games per playoff match (odd); default 1."
    )
    seeding = serializers.ChoiceField(
        choices=Event.Seeding.choices, required=False, help_text="How entries are seeded at the start."
    )


def _detail_response(request, event_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    event = selectors.event_get(user=request.user, event_id=event_id)
    if event is None:
        raise NotFound(_("Event not found."))
    registration = selectors.registration_of(event=event, user=request.user)
    if registration is not None:
        # Only the payer confirms a card payment: teammates see the entry, not its client secret.
        options = selectors.entry_options(event=event, user=request.user, registration=registration)
        registration.payment_to_finish = options.card_payment_to_finish
    event.my_registration = registration
    return Response(EventDetailSerializer(event).data, status=status_code)


class EventListCreateApi(APIView):
    """GET: events, soonest first (public; drafts only for their organizer). POST: a new draft."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    # EventCreateRateThrottle counts POSTs only, so listing stays under the tiered limit alone.
    throttle_classes = [TieredRateThrottle, EventCreateRateThrottle]
    pagination_class = PagePagination  # also tells the schema the list is paginated

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Event.Status.choices, required=False, allow_blank=True)
        game = serializers.CharField(required=False, allow_blank=True, max_length=100)
        search = serializers.CharField(required=False, allow_blank=True, max_length=100)

    @extend_schema(
        operation_id="event_list",
        parameters=[
            OpenApiParameter(
                "status", enum=["", *Event.Status.values], required=False, description="Empty: any listed status."
            ),
            OpenApiParameter("game", str, required=False, description="A game's id or slug."),
            OpenApiParameter("search", str, required=False, description="Part of the event's or game's name."),
        ],
        responses={
            200: EventSerializer(many=True),
            400: error_response("`invalid`: an unknown `status`, or a bad `page`/`limit`."),
            401: ERRORS["401"],
        },
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = row_selectors.event_list_rows(user=request.user, **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([event_row(row) for row in page])

    @extend_schema(
        operation_id="event_create",
        request=EventWriteSerializer,
        responses={
            201: EventDetailSerializer,
            400: error_response(
                "`invalid` with `errors` (e.g. percentages not adding up to 100, dates in the wrong order)."
            ),
            429: error_response("`rate_limited`: 20 events per hour; see `Retry-After`."),
        },
    )
    def post(self, request):
        data = EventWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = event_services.event_create(organizer=request.user, **data.validated_data)
        return _detail_response(request, event.pk, status.HTTP_201_CREATED)


class EventDetailApi(APIView):
    """GET: one event (public). PATCH: the organizer edits a draft."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="event_detail", responses={200: EventDetailSerializer, 401: ERRORS["401"], 404: NOT_FOUND}
    )
    def get(self, request, event_id: int):
        return _detail_response(request, event_id)

    @extend_schema(
        operation_id="event_update",
        request=EventWriteSerializer(partial=True),
        responses={
            200: EventDetailSerializer,
            400: error_response("`invalid` with `errors`."),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`invalid_status`: only a draft can be edited."),
        },
    )
    def patch(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        data = EventWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        event_services.event_update(event_id=event_id, actor=request.user, **data.validated_data)
        return _detail_response(request, event_id)


class EventPublishApi(APIView):
    """The organizer opens registration. A prize pool moves from their wallet into the event's escrow."""

    @extend_schema(
        operation_id="event_publish",
        request=None,
        responses={
            200: EventDetailSerializer,
            400: error_response("`insufficient_balance`: the organizer's wallet cannot fund the prize pool."),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`invalid_status`: not a draft, or its dates have passed."),
        },
    )
    def post(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        event_services.event_publish(event_id=event_id, actor=request.user)
        return _detail_response(request, event_id)


class EventCancelApi(APIView):
    """The organizer (or staff) cancels the event.

    Every paid entry is refunded less `penalty_percent` (kept by the platform): wallet payments
    to the wallet, card payments to the card through Stripe. A held prize pool returns to the
    organizer. Players are notified.
    """

    class InputSerializer(serializers.Serializer):
        penalty_percent = serializers.DecimalField(
            max_digits=5, decimal_places=2, min_value=0, max_value=100, help_text="0 to 100, kept from each fee."
        )

    class OutputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=[Event.Status.CANCELLED])
        refunds = serializers.DictField(
            child=serializers.DictField(child=MoneyField(positive=False)),
            help_text='By payer user id: `{"wallet": "8.00"}` or `{"stripe": "8.00"}`.',
        )

    @extend_schema(
        operation_id="event_cancel",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: error_response("`invalid`: `penalty_percent` missing or outside 0-100."),
            403: error_response("`permission_denied`: only the organizer or staff may cancel."),
            404: NOT_FOUND,
            409: error_response("`already_cancelled`, or `invalid_status` for a completed event."),
        },
    )
    def post(self, request, event_id: int):
        if not request.user.is_staff:
            require_visible_event(user=request.user, event_id=event_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            refunds = event_services.event_cancel(
                event_id=event_id, actor=request.user, penalty_percent=data.validated_data["penalty_percent"]
            )
        except Event.DoesNotExist:
            raise NotFound(_("Event not found.")) from None
        return Response(self.OutputSerializer({"status": Event.Status.CANCELLED, "refunds": refunds}).data)
