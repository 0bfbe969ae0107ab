"""The site's URLs plus the bare baseline view the events benchmark compares against."""

from django.http import JsonResponse
from django.urls import include, path

from tournaments import selectors


def bare_events(request):
    """The API's rows (same query, counts included) as plain `.values()` dicts, no DRF."""
    rows = list(
        selectors.event_list(user=None).values(
            "id",
            "name",
            "game__id",
            "game__name",
            "game__slug",
            "tier",
            "event_type",
            "format",
            "organizer__id",
            "organizer__username",
            "status",
            "is_solo",
            "team_size",
            "max_participants",
            "entry_fee",
            "prize_pool",
            "prize_distribution",
            "starts_at",
            "registration_closes_at",
            "confirmed_count",
            "pending_count",
        )[:100]
    )
    return JsonResponse({"results": rows})


urlpatterns = [
    path("bench/bare-events", bare_events),
    path("", include("driftwood.urls")),
]
