"""The first middleware: a request id for every request, one log line and the metrics for it.

The id is the trusted proxy's X-Request-ID (see `context.request_id_from`) or a new one; it is
returned in X-Request-ID, stamped on every log line written while the request runs, put on tasks
queued meanwhile (`celery_hooks`) and tagged on Sentry events.
"""

import logging
import time

from django.conf import settings
from django.db import connections

from driftwood.observability import errors, metrics
from driftwood.observability.context import REQUEST_ID_HEADER, request_id_from, request_id_var, request_var
from driftwood.observability.logs import user_id_of

logger = logging.getLogger("driftwood.requests")

UNMATCHED_ROUTE = "<unmatched>"


class QueryCounter:
    """Counts the statements a request sends to the database (Django's execute wrapper)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def route_of(request) -> str:
    """The URL pattern that served the request (`api/v1/events/<int:event_id>`): a bounded label."""
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route is not None else UNMATCHED_ROUTE


class RequestObservabilityMiddleware:
    """Logs method, path, route, status, duration, queries and user; adds X-Process-Time (seconds)
    and X-Request-ID; records the request's latency and query count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        id_token, request_token = request_id_var.set(request_id), request_var.set(request)
        errors.tag_request(request_id)
        queries = QueryCounter()
        started = time.perf_counter()
        try:
            with connections["default"].execute_wrapper(queries):
                response = self.get_response(request)
            duration = time.perf_counter() - started
            self._record(request, response, duration, queries.count)
            return response
        finally:
            request_id_var.reset(id_token)
            request_var.reset(request_token)

    @staticmethod
    def _record(request, response, duration: float, query_count: int) -> None:
        response["X-Process-Time"] = f"{duration:.4f}"
        response[REQUEST_ID_HEADER] = request.request_id
        route = route_of(request)
        metrics.http_request_duration.labels(route, request.method, str(response.status_code)).observe(duration)
        metrics.http_request_db_queries.labels(route, request.method).observe(query_count)
        slow = duration > settings.SLOW_REQUEST_SECONDS
        user_id = user_id_of(request)
        (logger.warning if slow else logger.info)(
            "%s %s %s %.1fms user=%s%s",
            request.method,
            request.path,
            response.status_code,
            duration * 1000,
            user_id,
            " slow" if slow else "",
            extra={
                "event": "request",
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "db_queries": query_count,
                "user_id": user_id,
                "slow": slow,
            },
        )
