"""Figures for the metrics (`/metrics`, driftwood/observability/collectors.py): aggregates over
the `created_at` indexes, so a scrape stays cheap however many rows there are."""

from datetime import datetime

from django.db.models import Count, Sum

from driftwood.core.money import ZERO
from tournaments.models import PrizePayout, Registration


def entry_metrics(*, since: datetime) -> dict:
    """Joins (registrations) created since `since` by status, {status: count}; prizes paid since
    then, (count, amount)."""
    joins = Registration.objects.filter(created_at__gte=since).order_by().values_list("status").annotate(Count("pk"))
    prizes = PrizePayout.objects.filter(created_at__gte=since).aggregate(count=Count("pk"), amount=Sum("amount"))
    return {"joins": dict(joins), "prizes_paid": (prizes["count"], prizes["amount"] or ZERO)}
