"""/api/v1/ routes of the integrations app (the organizer's webhooks)."""

from driftwood.core.urls import api_path
from integrations.api import views

urlpatterns = [
    *api_path("webhooks", views.WebhookListCreateApi.as_view(), name="webhook-list"),
    *api_path("webhooks/<int:endpoint_id>", views.WebhookDetailApi.as_view(), name="webhook-detail"),
    *api_path(
        "webhooks/<int:endpoint_id>/deliveries", views.WebhookDeliveryListApi.as_view(), name="webhook-deliveries"
    ),
    *api_path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay",
        views.WebhookDeliveryReplayApi.as_view(),
        name="webhook-delivery-replay",
    ),
]
