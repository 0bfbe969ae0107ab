"""The Idempotency-Key mechanism for DRF views: `@idempotent` on a handler method.

For one user, endpoint and key within IDEMPOTENCY_KEY_TTL: the same body replays the
first response; a different body is 409 idempotency_key_reused; a request arriving while
the first still runs is 409 request_in_progress. The handler runs inside the transaction
that records the key, so N concurrent identical requests produce exactly one effect and a
crash leaves neither the effect nor the key behind. (Services called from an idempotent
view therefore use plain, non-durable `transaction.atomic()`.)
"""

import hashlib
import json
from functools import wraps

from django.db import connection, transaction
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from driftwood.core.exceptions import IdempotencyKeyReused, RequestInProgress
from driftwood.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


class _RollBack(Exception):
    """Carries a server-error response out of the transaction so nothing is kept."""

    def __init__(self, response):
        self.response = response


def _validated_key(raw: str) -> str:
    if not 1 <= len(raw) <= 255 or not raw.isprintable():
        raise ValidationError({HEADER: ["Must be 1-255 printable characters."]})
    return raw


def _canonical_json(data) -> str:
    return json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))


def _fingerprint(request) -> str:
    return hashlib.sha256(_canonical_json(request.data).encode()).hexdigest()


def _try_lock(user_id: int, endpoint: str, key: str) -> bool:
    """A transaction-scoped advisory lock on the key: held while its request runs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"idempotency|{user_id}|{endpoint}|{key}"],
        )
        return cursor.fetchone()[0]


def _replay(record: IdempotencyKey) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response[REPLAY_HEADER] = "true"
    return response


def idempotent(handler):
    """Decorate a DRF APIView handler (e.g. `post`) to honour the Idempotency-Key header."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw_key = request.headers.get(HEADER)
        if raw_key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        key = _validated_key(raw_key)
        endpoint = f"{request.method} {request.path.rstrip('/')}"
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                if not _try_lock(request.user.pk, endpoint, key):
                    raise RequestInProgress()
                record = IdempotencyKey.objects.filter(user=request.user, endpoint=endpoint, key=key).first()
                if record is not None and record.is_expired:
                    record.delete()
                    record = None
                if record is not None:
                    if record.fingerprint != fingerprint:
                        raise IdempotencyKeyReused()
                    return _replay(record)
                response = _run_handler(handler, view, request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _RollBack(response)
                IdempotencyKey.objects.create(
                    user=request.user,
                    endpoint=endpoint,
                    key=key,
                    fingerprint=fingerprint,
                    response_status=response.status_code,
                    response_body=json.loads(_canonical_json(response.data)),
                )
                return response
        except _RollBack as rollback:
            return rollback.response

    wrapper.idempotent = True
    return wrapper


def _run_handler(handler, view, request, *args, **kwargs) -> Response:
    """Run the handler in a savepoint; an error becomes its (replayable) error response."""
    try:
        with transaction.atomic():
            return handler(view, request, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure must become a stored or rolled-back response
        return view.handle_exception(exc)
