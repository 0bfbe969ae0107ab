"""Chat over REST: open a DM, list the caller's rooms, page through history, mark a room read.

Live messages, typing and presence travel over the WebSocket (`chat.consumers`); these
endpoints give apps and the room page what a socket cannot: the inbox and older history.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors, services
from chat.presence import chat_group
from chat.selectors import HISTORY_MAX, UNREAD_CAP
from driftwood.core import redis_outage
from driftwood.core.pagination import PagePagination
from driftwood.core.schema import error_response

HISTORY_DEFAULT = 50


ROOM_NOT_FOUND = error_response("`not_found`: no such room, a malformed room id, or one the caller does not belong to.")
ROOM_ID = OpenApiParameter(
    "room_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="`dm_{low}_{high}`, `event_{event_id}` or `team_{team_id}`.",
    pattern=r"^(dm_\d+_\d+|event_\d+|team_\d+)$",
)


def _broadcast_read(*, room_id: str, user_id: int, up_to: int) -> None:
    """Open sockets in the room get a `read` frame, as if the reader had sent one over their socket."""
    redis_outage.group_send(chat_group(room_id), {"type": "chat.read", "user_id": user_id, "up_to": up_to})


class ChatRoomSerializer(serializers.Serializer):
    room_id = serializers.CharField()
    kind = serializers.CharField(help_text="`dm`, `event` or `team`.")
    title = serializers.CharField(
        source="display_title", help_text="The other player's name for a DM; the event's or team's name otherwise."
    )
    last_message = serializers.SerializerMethodField(help_text="The newest message (up to 140 characters), or null.")
    last_message_at = serializers.DateTimeField(allow_null=True)
    unread_count = serializers.IntegerField(
        max_value=UNREAD_CAP,
        help_text=f"Messages from others after the caller's read marker, counted up to {UNREAD_CAP}: "
        f"{UNREAD_CAP} means {UNREAD_CAP} or more (pages show 99+).",
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_last_message(self, room) -> str | None:
        return room.last_message_preview if room.last_message_id else None


class ChatSenderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class ChatMessageSerializer(serializers.Serializer):
    """The same shape as the WebSocket's `message` frame, without its `type`."""

    id = serializers.IntegerField()
    seq = serializers.IntegerField(
        help_text="The message's place in its room: 1, 2, 3... without gaps. A client that has seen seq N and "
        "then receives N + 2 missed N + 1: it fetches it with `history?after_seq=N`."
    )
    room_id = serializers.SerializerMethodField()
    sender = ChatSenderSerializer(allow_null=True, help_text="Null once the sender's account is gone.")
    message = serializers.CharField(source="text")
    created_at = serializers.DateTimeField()

    def get_room_id(self, message) -> str:
        return self.context["room_id"]


def _inbox_row(*, user_id: int, room_pk: int):
    return selectors.with_unread([selectors.inbox(user_id=user_id).get(pk=room_pk)], user_id=user_id)[0]


class RoomListCreateApi(APIView):
    """GET: the caller's rooms, most recent activity first. POST: open (get or create) a DM room."""

    pagination_class = PagePagination  # also tells the schema the list is paginated

    class InputSerializer(serializers.Serializer):
        user_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The other player.")

        def validate_user_id(self, value: int) -> int:
            if value == self.context["request"].user.pk:
                raise serializers.ValidationError(_("You cannot open a chat with yourself."))
            return value

    @extend_schema(operation_id="chat_room_list", responses={200: ChatRoomSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        services.rooms_ensure_for(user_id=request.user.pk)
        page = paginator.paginate_queryset(selectors.inbox(user_id=request.user.pk), request, view=self)
        selectors.with_unread(page, user_id=request.user.pk)
        return paginator.get_paginated_response(ChatRoomSerializer(page, many=True).data)

    @extend_schema(
        operation_id="chat_room_open",
        request=InputSerializer,
        responses={
            200: OpenApiResponse(ChatRoomSerializer, description="The DM room already existed."),
            201: OpenApiResponse(ChatRoomSerializer, description="The DM room was created."),
            400: error_response("`invalid`: a missing or malformed `user_id`, or the caller's own id."),
            403: error_response(
                "`permission_denied`: the players are not friends and the other does not accept messages from anyone."
            ),
            404: error_response("`not_found`: no such (active) player."),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        room, created = services.dm_open(user=request.user, other_id=data.validated_data["user_id"])
        return Response(
            ChatRoomSerializer(_inbox_row(user_id=request.user.pk, room_pk=room.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RoomHistoryApi(APIView):
    """A page of the room's messages, newest first. Pass `next_before` back as `before` for older ones.

    The cursor orders by (created_at, id), so messages with equal timestamps are neither
    repeated nor skipped, and paging continues into archived messages.

    With `after_seq=N` (catch-up): the messages with seq > N, **oldest first**, `limit` at most;
    `has_more` says more follow (ask again from the last seq); `next_before` is null. `before` is
    then ignored.
    """

    class FilterSerializer(serializers.Serializer):
        limit = serializers.IntegerField(
            min_value=1,
            required=False,
            help_text=f"Messages per page (default {HISTORY_DEFAULT}; above {HISTORY_MAX} is clamped).",
        )
        before = serializers.CharField(
            required=False, allow_blank=True, max_length=200, help_text="`next_before` of the previous page."
        )
        after_seq = serializers.IntegerField(
            min_value=0,
            max_value=2**63 - 1,
            required=False,
            help_text="Catch-up: the messages after this seq, oldest first (0 for the room's first ones).",
        )

    class OutputSerializer(serializers.Serializer):
        results = ChatMessageSerializer(many=True)
        has_more = serializers.BooleanField()
        next_before = serializers.CharField(
            allow_null=True, help_text="The cursor for the next (older) page, or null (always null with `after_seq`)."
        )

    @extend_schema(
        operation_id="chat_history",
        parameters=[ROOM_ID, FilterSerializer],
        responses={
            200: OutputSerializer,
            400: error_response(
                "`invalid`: a `limit` below 1 or not a number, a `before` this API did not give out, "
                "or an `after_seq` that is not a whole number from 0."
            ),
            404: ROOM_NOT_FOUND,
        },
    )
    def get(self, request, room_id: str):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        room = services.room_for(user_id=request.user.pk, room_id=room_id)
        limit = min(filters.validated_data.get("limit", HISTORY_DEFAULT), HISTORY_MAX)
        if "after_seq" in filters.validated_data:
            messages, has_more = selectors.history_after(
                room=room, after_seq=filters.validated_data["after_seq"], limit=limit
            )
            next_before = None
        else:
            messages, has_more, next_before = selectors.history(
                room=room, limit=limit, before=filters.validated_data.get("before") or None
            )
        body = {"results": messages, "has_more": has_more, "next_before": next_before}
        return Response(self.OutputSerializer(body, context={"room_id": room.room_id}).data)


class RoomReadApi(APIView):
    """Mark every message in the room read; sockets in the room get a `read` frame."""

    class OutputSerializer(serializers.Serializer):
        room_id = serializers.CharField()
        unread_count = serializers.IntegerField(help_text="0, unless a message arrived in the meantime.")

    @extend_schema(
        operation_id="chat_room_read",
        parameters=[ROOM_ID],
        request=None,
        responses={200: OutputSerializer, 404: ROOM_NOT_FOUND},
    )
    def post(self, request, room_id: str):
        room = services.room_for(user_id=request.user.pk, room_id=room_id)
        up_to = services.room_mark_read(room=room, user=request.user)
        transaction.on_commit(lambda: _broadcast_read(room_id=room.room_id, user_id=request.user.pk, up_to=up_to))
        unread = selectors.unread_count(room=room, user_id=request.user.pk)
        return Response(self.OutputSerializer({"room_id": room.room_id, "unread_count": unread}).data)
