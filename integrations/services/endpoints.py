"""An organizer's endpoints: add one (its secret made here and shown once), pause or resume it, choose
its events, remove it; send a delivery again (the same event id); re-encrypt the secrets.

Every call names its actor: an endpoint or delivery of someone else does not exist for them (404);
staff may replay any delivery (Django admin).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core import crypto, redis_outage
from driftwood.core.exceptions import NotFound
from integrations.exceptions import EndpointPaused, TooManyEndpoints
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.services.signing import secret_generate
from integrations.services.targets import webhook_url_validate
from integrations.tasks import webhook_deliver

DESCRIPTION_MAX_LENGTH = 200


def _event_types_clean(event_types) -> list[str]:
    chosen = sorted(set(event_types or ()))
    unknown = [name for name in chosen if name not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"event_types": [_("Unknown event type: %(name)s.") % {"name": unknown[0]}]})
    if not chosen:
        raise ValidationError({"event_types": [_("Choose at least one event to send.")]})
    return chosen


def _description_clean(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        limit = {"limit": DESCRIPTION_MAX_LENGTH}
        raise ValidationError({"description": [_("Keep the description under %(limit)s characters.") % limit]})
    return description


def webhook_endpoint_create(*, owner, url: str, event_types, description: str = "") -> tuple[WebhookEndpoint, str]:
    """A new active endpoint and its signing secret (in clear: the only time it is given out)."""
    url = (url or "").strip()
    event_types = _event_types_clean(event_types)
    description = _description_clean(description)
    webhook_url_validate(url)  # resolves the host: before the transaction, which it would hold open
    secret = secret_generate()
    with transaction.atomic():
        # The owner's row lock makes the count and the insert one step (two tabs cannot both add the last).
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        if WebhookEndpoint.objects.filter(owner=owner).count() >= settings.WEBHOOK_ENDPOINTS_PER_ORGANIZER:
            raise TooManyEndpoints()
        endpoint = WebhookEndpoint.objects.create(
            owner=owner, url=url, description=description, secret=crypto.encrypt(secret), event_types=event_types
        )
    return endpoint, secret


def _owned(endpoint_id: int, actor) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, owner_id=actor.pk).first()
    if endpoint is None:
        raise NotFound(_("Webhook endpoint not found."))
    return endpoint


def webhook_endpoint_update(
    *, endpoint_id: int, actor, active: bool | None = None, event_types=None, description: str | None = None
) -> WebhookEndpoint:
    """Pause or resume (deliveries wait while paused), change the events or the description."""
    with transaction.atomic():
        endpoint = _owned(endpoint_id, actor)
        if event_types is not None:
            endpoint.event_types = _event_types_clean(event_types)
        if description is not None:
            endpoint.description = _description_clean(description)
        resumed = active is True and not endpoint.active
        if active is not None:
            endpoint.active = active
        endpoint.save()
        if resumed:
            # What waited while it was paused is due now (the sweep sends it within a minute).
            endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(next_attempt_at=timezone.now())
    return endpoint


def webhook_endpoint_delete(*, endpoint_id: int, actor) -> None:
    """The endpoint goes, with its delivery log; nothing more is sent to it."""
    with transaction.atomic():
        _owned(endpoint_id, actor).delete()


def webhook_delivery_replay(*, delivery_id: int, actor) -> WebhookDelivery:
    """Send a delivery again, whatever became of it: the same body and event id, a fresh set of
    retries. Its owner, or staff."""
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint")
        if not actor.is_staff:
            deliveries = deliveries.filter(endpoint__owner_id=actor.pk)
        delivery = deliveries.filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound(_("Delivery not found."))
        if not delivery.endpoint.active:
            raise EndpointPaused()
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.failures = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "failures", "next_attempt_at", "updated_at"])
        transaction.on_commit(lambda: redis_outage.enqueue(webhook_deliver, delivery_id=delivery.pk), robust=True)
    return delivery


def webhook_secrets_rotate() -> int:
    """Re-encrypt every endpoint's secret under the newest FIELD_ENCRYPTION_KEYS key; returns how many."""
    rotated = 0
    for endpoint_id in WebhookEndpoint.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
            endpoint.secret = crypto.rotate(endpoint.secret)
            endpoint.save(update_fields=["secret"])
            rotated += 1
    return rotated
