"""`/metrics`: the Prometheus text format, for a scraper holding METRICS_TOKEN.

- METRICS_TOKEN set: only `Authorization: Bearer <token>` is served; anyone else gets 401.
- METRICS_TOKEN unset: served only while DEBUG is on (development); otherwise 404, so a
  production site never publishes its figures by omission.

With PROMETHEUS_MULTIPROC_DIR set the page adds up every process's files (web workers,
WebSockets, Celery workers); without it, this process's own series. The business figures and
queue depths are read at scrape time (`collectors`).
"""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from driftwood.observability import metrics
from driftwood.observability.collectors import ScrapeTimeCollector

_scrape_time = ScrapeTimeCollector()


class _ProcessSeries:
    """This process's own series (the default registry), when there is no multiprocess directory."""

    def collect(self):
        return REGISTRY.collect()


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if metrics.MULTIPROC_DIR:
        MultiProcessCollector(registry, path=metrics.MULTIPROC_DIR)
    else:
        registry.register(_ProcessSeries())
    registry.register(_scrape_time)
    return registry


def _authorized(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        if settings.DEBUG:
            return True
        raise Http404
    scheme, _, offered = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), token.encode())


@never_cache
def metrics_view(request):
    if not _authorized(request):
        response = HttpResponse("Unauthorized: send Authorization: Bearer <METRICS_TOKEN>.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
