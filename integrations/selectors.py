"""Reads of the integrations app, scoped to the caller: an organizer sees only their own endpoints
and deliveries (another's do not exist for them)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

Status = WebhookDelivery.Status


def endpoints_of(user) -> QuerySet[WebhookEndpoint]:
    """The caller's endpoints, newest first, with how many deliveries are pending and failed."""
    if not user.is_authenticated:
        return WebhookEndpoint.objects.none()
    return (
        WebhookEndpoint.objects.filter(owner_id=user.pk)
        .annotate(
            pending_count=Count("deliveries", filter=Q(deliveries__status=Status.PENDING)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=Status.FAILED)),
        )
        .order_by("-created_at", "-pk")
    )


def endpoint_get(*, user, endpoint_id: int) -> WebhookEndpoint | None:
    return endpoints_of(user).filter(pk=endpoint_id).first()


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first, each with its attempts (oldest first): two queries a page."""
    attempts = WebhookAttempt.objects.order_by("number")
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .prefetch_related(Prefetch("attempt_log", queryset=attempts))
        .order_by("-created_at", "-pk")
    )


def delivery_get(*, user, endpoint_id: int, delivery_id: int) -> WebhookDelivery | None:
    if not user.is_authenticated:
        return None
    return (
        WebhookDelivery.objects.filter(pk=delivery_id, endpoint_id=endpoint_id, endpoint__owner_id=user.pk)
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))
        .first()
    )
