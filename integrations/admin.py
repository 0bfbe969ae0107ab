"""Staff see organizers' webhook endpoints and every delivery with its attempts (read-only: changes go
through the services); a delivery can be sent again. An endpoint's secret is never shown here."""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from driftwood.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from integrations.exceptions import EndpointPaused
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.endpoints import webhook_delivery_replay


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "url", "owner", "active", "created_at")
    list_filter = ("active",)
    list_select_related = ("owner",)
    search_fields = ("url", "owner__username")
    ordering = ("-created_at", "-id")
    fields = ("owner", "url", "description", "event_types", "active", "created_at", "updated_at")
    readonly_fields = fields


class WebhookAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "started_at", "duration_ms", "response_code", "outcome", "error")
    readonly_fields = fields
    ordering = ("number",)
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "event_type",
        "event_id",
        "endpoint",
        "status",
        "attempts",
        "last_response_code",
    )
    list_filter = ("status", "event_type")
    list_select_related = ("endpoint",)
    search_fields = ("event_id", "endpoint__url", "endpoint__owner__username")
    ordering = ("-created_at", "-id")
    fields = (
        "endpoint",
        "event_type",
        "event_id",
        "status",
        "attempts",
        "failures",
        "last_response_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "payload",
    )
    readonly_fields = fields
    inlines = (WebhookAttemptInline,)
    actions = ("replay_selected",)

    def has_replay_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    @admin.action(description=gettext_lazy("Send the selected deliveries again"), permissions=["replay"])
    def replay_selected(self, request, queryset: QuerySet[WebhookDelivery]):
        replayed = paused = 0
        for delivery_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                webhook_delivery_replay(delivery_id=delivery_id, actor=request.user)
            except EndpointPaused:
                paused += 1
            else:
                replayed += 1
        sent = ngettext("%(count)d delivery sent again", "%(count)d deliveries sent again", replayed) % {
            "count": replayed
        }
        self.message_user(
            request, _("%(sent)s; %(paused)s of paused endpoints left alone.") % {"sent": sent, "paused": paused}
        )
