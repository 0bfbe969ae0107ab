"""Organizers' outgoing webhooks: where to send (endpoints), what was owed to each (deliveries) and
every try at it (attempts, the delivery log).

A delivery is written once per (endpoint, event id) under a unique constraint, so one happening is
delivered to an endpoint once however often it is emitted; it is sent after commit and retried with
backoff until the receiver answers 2xx or definitely refuses (`integrations.services.sending`).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """What an endpoint can subscribe to (the README's list, with each payload's `data`)."""

    REGISTRATION_CONFIRMED = "registration.confirmed", _("Entry confirmed")
    REGISTRATION_WITHDRAWN = "registration.withdrawn", _("Entry withdrawn")
    MATCH_READY = "match.ready", _("Match ready to play")
    MATCH_RESULT_REPORTED = "match.result_reported", _("Result reported by one side")
    MATCH_COMPLETED = "match.completed", _("Match completed")
    MATCH_DISPUTED = "match.disputed", _("Match disputed")
    MATCH_CHECKED_IN = "match.checked_in", _("A side checked in to a match")
    MATCH_FORFEIT_PROPOSED = "match.forfeit_proposed", _("Forfeit proposed (a side missed the check-in deadline)")
    MATCH_FORFEITED = "match.forfeited", _("Match decided by forfeit")
    FFA_ROUND_CLOSED = "ffa.round_closed", _("Free-for-all round closed (results final)")
    STAGE_COMPLETED = "stage.completed", _("Group stage completed (playoff drawn)")
    EVENT_COMPLETED = "event.completed", _("Event completed")
    EVENT_PRIZES_PAID = "event.prizes_paid", _("Prizes paid")


class WebhookEndpoint(models.Model):
    """An organizer's receiver. `secret` is the signing secret as a Fernet token
    (driftwood.core.crypto): shown to its owner once, when the endpoint is created."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.TextField()
    event_types = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices))
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "active"], name="webhook_endpoint_owner")]
        constraints = [
            models.CheckConstraint(condition=Q(event_types__len__gt=0), name="webhook_endpoint_has_events"),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event owed to one endpoint. `payload` is the whole JSON body (the same on every attempt
    and every replay: same `id`); `failures` counts failed attempts since it was last queued (a
    replay starts again from 0), `attempts` every attempt ever. While pending, `next_attempt_at`
    is when it is due, and while an attempt runs, when that attempt is presumed lost."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_log"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False), name="webhook_delivery_pending_due"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="webhook_delivery_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} -> {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One request to the receiver and what came of it: the delivery log's lines."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Delivered")
        RETRY = "retry", _("Will retry")
        FAILED = "failed", _("Failed")

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.outcome}"
