from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from driftwood.accounts.views import language_set
from driftwood.core import views as core_views
from driftwood.core.health import healthz, readyz
from driftwood.core.schema_view import OpenApiSchemaView
from driftwood.observability.views import metrics_view
from tournaments.brackets.embed import event_bracket_embed

# The API first: most requests are API calls, and Django tries the patterns in order (no page
# route matches under api/, healthz, readyz or metrics, so the order changes no URL).
urlpatterns = [
    path("api/v1/", include("driftwood.api_urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", OpenApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", core_views.home, name="home"),
    path("accounts/", include("driftwood.accounts.urls")),
    path("i18n/setlang/", language_set, name="set_language"),
    path("wallet/", include("wallet.urls")),
    path("events/", include("tournaments.urls")),
    # Framed by organizers' own sites (frame-ancestors: the origins they list).
    path("embed/events/<int:event_id>/bracket", event_bracket_embed, name="event_bracket_embed"),
    path("notifications/", include("driftwood.notifications.urls")),
    path("chat/", include("chat.urls")),
    path("organizer/", include("integrations.urls")),
    path("", include("social.urls")),
    path("admin/", admin.site.urls),
]

if apps.is_installed("driftwood.dev"):
    urlpatterns.append(path("dev/", include("driftwood.dev.urls")))

handler400 = "driftwood.core.views.bad_request"
handler403 = "driftwood.core.views.permission_denied"
handler404 = "driftwood.core.views.page_not_found"
handler500 = "driftwood.core.views.server_error"
