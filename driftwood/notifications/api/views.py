"""The caller's in-app notifications: list them (with the unread count) and mark them read.

The contract has no notifications section; this follows its conventions (list shape, errors).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS
from driftwood.notifications import selectors, services
from driftwood.notifications.selectors import UNREAD_CAP

# Notification ids are bigints: a larger number can name no row (and must not reach PostgreSQL).
MAX_ID = 2**63 - 1
MAX_IDS = 1000


class UnreadCountPagination(PagePagination):
    """The contract's list shape plus `unread_count`, the caller's unread total (over every page)."""

    def get_paginated_response(self, data, *, unread_count: int = 0):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = unread_count
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = [*paginated["required"], "unread_count"]
        paginated["properties"]["unread_count"] = {
            "type": "integer",
            "minimum": 0,
            "description": (
                "How many of the caller's notifications are unread, on all pages (for the badge), counted "
                f"up to {UNREAD_CAP}: {UNREAD_CAP} means {UNREAD_CAP} or more (pages show 99+)."
            ),
            "maximum": UNREAD_CAP,
        }
        return paginated


class NotificationListApi(APIView):
    """The caller's notifications, newest first."""

    pagination_class = UnreadCountPagination  # also tells the schema the list is paginated

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField(help_text='What happened, e.g. "event_cancelled".')
        title = serializers.CharField()
        body = serializers.CharField()
        url = serializers.CharField(help_text='A path on the website to open, e.g. "/events/42/", or "".')
        data = serializers.DictField(help_text="Details for apps, depending on `kind` (e.g. `event_id`).")
        created_at = serializers.DateTimeField()
        read = serializers.BooleanField(source="is_read")

    @extend_schema(
        operation_id="notification_list",
        parameters=[
            OpenApiParameter("unread", bool, required=False, description="true: only unread notifications."),
        ],
        responses={
            200: OutputSerializer(many=True),
            400: ERRORS["400"],
        },
    )
    def get(self, request):
        filters = self.FilterSerializer(data={k: v for k, v in request.query_params.items() if v != ""})
        filters.is_valid(raise_exception=True)
        notifications = selectors.notification_list(
            user=request.user, unread_only=bool(filters.validated_data.get("unread"))
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(
            self.OutputSerializer(page, many=True).data,
            unread_count=selectors.notifications_unread_count(user=request.user),
        )


class NotificationReadApi(APIView):
    """Mark the caller's notifications read: those in `ids`, or every one when `ids` is left out.

    Ids that are unknown or belong to someone else are ignored.
    """

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            max_length=MAX_IDS,
            help_text=f"Up to {MAX_IDS} notification ids; leave out to mark all read.",
        )

    class OutputSerializer(serializers.Serializer):
        unread_count = serializers.IntegerField(help_text="How many of the caller's notifications are still unread.")

    @extend_schema(operation_id="notification_read", request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response(
            self.OutputSerializer({"unread_count": selectors.notifications_unread_count(user=request.user)}).data
        )
