"""The caller's in-app notifications: list them (with the unread count) and mark them read.

Also the caller's e-mail choices per kind and the devices that get pushes (contract "Notifications").
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS
from driftwood.core.text import StrictCharField
from driftwood.notifications import selectors, services
from driftwood.notifications.kinds import PLAYER_KINDS
from driftwood.notifications.models import Device
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
        read_at = serializers.DateTimeField(allow_null=True)
        read = serializers.BooleanField(source="is_read", help_text="Whether `read_at` is set.")

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


class EmailPreferencesApi(APIView):
    """Which notification kinds the caller also gets by e-mail (in-app ones always arrive)."""

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        label = serializers.CharField()
        email = serializers.BooleanField()
        required = serializers.BooleanField(help_text="Always e-mailed (account standing, failed money).")

    class InputSerializer(serializers.Serializer):
        email = serializers.DictField(
            child=serializers.BooleanField(),
            allow_empty=False,
            help_text='Kind -> e-mail on or off, e.g. {"event_started": true}. Kinds left out keep their setting.',
        )

        def validate_email(self, choices):
            if len(choices) > len(PLAYER_KINDS):
                raise serializers.ValidationError(_("Too many kinds."))
            unknown = sorted(kind for kind in choices if kind not in PLAYER_KINDS)
            if unknown:
                raise serializers.ValidationError(_("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)[:200]})
            locked = sorted(kind for kind, on in choices.items() if not on and PLAYER_KINDS[kind].required)
            if locked:
                raise serializers.ValidationError(
                    _("These e-mails cannot be turned off: %(kinds)s.") % {"kinds": ", ".join(locked)}
                )
            return choices

    @extend_schema(operation_id="notification_preferences", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        return Response(self.OutputSerializer(services.email_preferences(user=request.user), many=True).data)

    @extend_schema(
        operation_id="notification_preferences_update",
        request=InputSerializer,
        responses={200: OutputSerializer(many=True), 400: ERRORS["400"]},
    )
    def patch(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preferences = services.email_preferences_set(user=request.user, choices=data.validated_data["email"])
        return Response(self.OutputSerializer(preferences, many=True).data)


class DeviceRegisterApi(APIView):
    """Register the caller's device for push notifications (idempotent per token; a token another
    player had moves to the caller)."""

    class InputSerializer(serializers.Serializer):
        token = StrictCharField(max_length=Device._meta.get_field("token").max_length)
        platform = serializers.ChoiceField(choices=Device.Platform.choices)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        platform = serializers.CharField()

    @extend_schema(
        operation_id="device_register",
        request=InputSerializer,
        responses={201: OutputSerializer, 400: ERRORS["400"]},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device, _ = services.device_register(user=request.user, **data.validated_data)
        return Response(self.OutputSerializer(device).data, status=status.HTTP_201_CREATED)


class DeviceForgetApi(APIView):
    """Stop pushing to one of the caller's devices (on sign-out). Unknown tokens are a 404."""

    @extend_schema(operation_id="device_forget", responses={204: None, 404: ERRORS["404"]})
    def delete(self, request, token: str):
        if not services.device_forget(user=request.user, token=token):
            raise NotFound(_("No such device."))
        return Response(status=status.HTTP_204_NO_CONTENT)
