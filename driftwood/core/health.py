"""/healthz and /readyz.

/healthz: what this process can reach. PostgreSQL down -> 503 (nothing can be served). Redis down
-> 200 with status "degraded" and `"redis": "down"`: pages and the API still work without it
(driftwood.core.redis_outage), so a load balancer must not take the process out, nor an orchestrator
restart it. `redis_fallbacks` counts the operations served without Redis since the process started.

/readyz: may this process take traffic? Only PostgreSQL decides: 503 while it is unreachable.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from driftwood.core import redis_outage

logger = logging.getLogger("driftwood.health")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health check: database unreachable")
        return False


def _cache_ok() -> bool:
    """A round trip through the cache itself (not its fail-soft face, which would hide an outage)."""
    shared = getattr(cache, "strict", cache)
    probe = f"healthz:{uuid.uuid4().hex}"
    try:
        shared.set(probe, "1", timeout=5)
        ok = shared.get(probe) == "1"
        shared.delete(probe)
    except redis_outage.ERRORS as exc:
        redis_outage.failed("healthz", exc)
        return False
    except Exception:
        logger.exception("health check: cache unreachable")
        return False
    redis_outage.succeeded()
    return ok


@never_cache
@require_GET
def healthz(request):
    database_ok, cache_ok = _database_ok(), _cache_ok()
    redis = ("ok" if cache_ok else "down") if settings.REDIS_URL else "not used"
    status = "ok" if database_ok and cache_ok else "degraded" if database_ok else "unavailable"
    body = {
        "status": status,
        "database": "ok" if database_ok else "error",
        "cache": "ok" if cache_ok else "error",
        "redis": redis,
        "redis_fallbacks": redis_outage.snapshot()["fallbacks"],
    }
    return JsonResponse(body, status=200 if database_ok else 503)


@never_cache
@require_GET
def readyz(request):
    database_ok = _database_ok()
    body = {"status": "ready" if database_ok else "unavailable", "database": "ok" if database_ok else "error"}
    return JsonResponse(body, status=200 if database_ok else 503)
