from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/new/", views.webhook_create_view, name="webhook_create"),
    path("webhooks/<int:endpoint_id>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:endpoint_id>/active/", views.webhook_active_view, name="webhook_active"),
    path("webhooks/<int:endpoint_id>/remove/", views.webhook_delete_view, name="webhook_delete"),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay/",
        views.webhook_replay_view,
        name="webhook_replay",
    ),
]
