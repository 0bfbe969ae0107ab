"""/api/v1/: every app's API routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("driftwood.accounts.api.urls")),
    path("", include("wallet.api.urls")),
    path("", include("tournaments.api.urls")),
    path("", include("driftwood.notifications.api.urls")),
    path("", include("social.api.urls")),
    path("", include("chat.api.urls")),
    path("", include("integrations.api.urls")),
]
