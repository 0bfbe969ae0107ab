"""The organizer's webhooks over the API: endpoints (the secret answered once, on creation), their
delivery logs, and sending a delivery again. Another organizer's endpoint or delivery is a 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.pagination import PagePagination
from driftwood.core.schema import ERRORS, error_response
from driftwood.core.text import TextField
from integrations import selectors
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.services import endpoints
from integrations.services.endpoints import DESCRIPTION_MAX_LENGTH

ENDPOINT_NOT_FOUND = error_response("`not_found`: no such endpoint, or one of another organizer.")
EVENT_TYPES_HELP = "Events to send: " + ", ".join(f"`{value}`" for value in WebhookEvent.values) + "."


class EndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    description = serializers.CharField(allow_blank=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    active = serializers.BooleanField(help_text="A paused endpoint keeps its deliveries until it is resumed.")
    created_at = serializers.DateTimeField()


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_...`): answered only here, once. Verify `Driftwood-Signature` with it."
    )


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.CharField(help_text="The event's `id` (also the `Driftwood-Event-Id` header).")
    event_type = serializers.ChoiceField(choices=WebhookEvent.choices)
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    last_response_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True, help_text="When the next attempt is due (pending).")
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


def _endpoint_or_404(request, endpoint_id: int) -> WebhookEndpoint:
    endpoint = selectors.endpoint_get(user=request.user, endpoint_id=endpoint_id)
    if endpoint is None:
        raise NotFound(_("Webhook endpoint not found."))
    return endpoint


class WebhookListCreateApi(APIView):
    """GET: the caller's endpoints, newest first. POST: add one (a public https URL)."""

    pagination_class = PagePagination

    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=2000)
        description = TextField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default="")
        event_types = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices),
            required=False,
            default=list(WebhookEvent.values),
            help_text=EVENT_TYPES_HELP + " Default: all of them.",
        )

    @extend_schema(
        operation_id="webhook_list",
        responses={200: EndpointSerializer(many=True), 400: ERRORS["400"], 401: ERRORS["401"]},
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.endpoints_of(request.user), request, view=self)
        return paginator.get_paginated_response(EndpointSerializer(page, many=True).data)

    @extend_schema(
        operation_id="webhook_create",
        request=InputSerializer,
        responses={
            201: CreatedEndpointSerializer,
            400: error_response(
                "`invalid` with `errors`: not https (in production), credentials in the URL, a host that does not "
                "resolve or resolves to a private, loopback or link-local address, no event types."
            ),
            401: ERRORS["401"],
            409: error_response("`too_many_endpoints`."),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = endpoints.webhook_endpoint_create(owner=request.user, **data.validated_data)
        body = {**EndpointSerializer(endpoint).data, "secret": secret}
        return Response(CreatedEndpointSerializer(body).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(APIView):
    """GET one endpoint; PATCH pause/resume it or change its events; DELETE it (and its log)."""

    class InputSerializer(serializers.Serializer):
        active = serializers.BooleanField(required=False)
        description = TextField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True)
        event_types = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False, help_text=EVENT_TYPES_HELP
        )

    @extend_schema(operation_id="webhook_detail", responses={200: EndpointSerializer, 404: ENDPOINT_NOT_FOUND})
    def get(self, request, endpoint_id: int):
        return Response(EndpointSerializer(_endpoint_or_404(request, endpoint_id)).data)

    @extend_schema(
        operation_id="webhook_update",
        request=InputSerializer,
        responses={200: EndpointSerializer, 400: ERRORS["400"], 404: ENDPOINT_NOT_FOUND},
    )
    def patch(self, request, endpoint_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = endpoints.webhook_endpoint_update(endpoint_id=endpoint_id, actor=request.user, **data.validated_data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(operation_id="webhook_delete", responses={204: None, 404: ENDPOINT_NOT_FOUND})
    def delete(self, request, endpoint_id: int):
        endpoints.webhook_endpoint_delete(endpoint_id=endpoint_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(APIView):
    """The endpoint's delivery log, newest first."""

    pagination_class = PagePagination

    @extend_schema(
        operation_id="webhook_delivery_list",
        responses={200: DeliverySerializer(many=True), 400: ERRORS["400"], 404: ENDPOINT_NOT_FOUND},
    )
    def get(self, request, endpoint_id: int):
        endpoint = _endpoint_or_404(request, endpoint_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.deliveries_of(endpoint), request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)


class WebhookDeliveryReplayApi(APIView):
    """Send a delivery again: the same body and event id, with a fresh set of retries."""

    @extend_schema(
        operation_id="webhook_delivery_replay",
        request=None,
        responses={
            202: DeliverySerializer,
            404: error_response("`not_found`: no such delivery of this endpoint, or another organizer's."),
            409: error_response("`endpoint_paused`: resume the endpoint first."),
        },
    )
    def post(self, request, endpoint_id: int, delivery_id: int):
        endpoint = _endpoint_or_404(request, endpoint_id)
        if selectors.delivery_get(user=request.user, endpoint_id=endpoint.pk, delivery_id=delivery_id) is None:
            raise NotFound(_("Delivery not found."))
        delivery = endpoints.webhook_delivery_replay(delivery_id=delivery_id, actor=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
