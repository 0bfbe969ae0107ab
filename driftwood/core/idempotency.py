"""The Idempotency-Key mechanism for DRF views: `@idempotent` on a handler method.

For one user, endpoint and key within IDEMPOTENCY_KEY_TTL: the same body replays the
first response; a different body is 409 idempotency_key_reused; a request arriving while
the first still runs is 409 request_in_progress. The handler runs inside the transaction
that records the key, so N concurrent identical requests produce exactly one effect and a
crash leaves neither the effect nor the key behind. (Services called from an idempotent
view therefore use plain, non-durable `transaction.atomic()`.)

A call to the outside world (Stripe) never runs inside that transaction: `@idempotent(then=
"method")` names a view method that runs after the commit, outside any transaction, and
turns the committed response into the final one (e.g. opens the PaymentIntent for the
top-up row just written). The key is stored `finished=False` until it has run; a session
advisory lock keeps duplicates at 409 request_in_progress meanwhile. Should the process die
in between, the next request with the key runs `then` again (it must be idempotent itself);
should `then` fail, the key is forgotten so that a retry starts afresh.
"""

import hashlib
import json
import re
from functools import wraps

from django.db import connection, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from driftwood.core.exceptions import IdempotencyKeyReused, RequestInProgress
from driftwood.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
# 1-255 printable ASCII characters, not starting or ending with a space (servers strip those).
KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)


class _RollBack(Exception):
    """Carries a server-error response out of the transaction so nothing is kept."""

    def __init__(self, response):
        self.response = response


def _validated_key(raw: str) -> str:
    if not _KEY.match(raw):
        raise ValidationError({HEADER: [_("Must be 1-255 printable ASCII characters.")]})
    return raw


def _canonical_json(data) -> str:
    return json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))


def _fingerprint(request) -> str:
    return hashlib.sha256(_canonical_json(request.data).encode()).hexdigest()


def _try_lock(name: str) -> bool:
    """A transaction-scoped advisory lock on the key: held while its request runs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [name])
        return cursor.fetchone()[0]


def _hold_session_lock(name: str) -> None:
    # The session already holds the transaction lock, so this is granted at once; it outlives
    # the commit (and dies with the connection if the process does).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [name])


def _release_session_lock(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [name])


def _replay(record: IdempotencyKey) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response[REPLAY_HEADER] = "true"
    return response


def idempotent(handler=None, *, then: str | None = None):
    """Decorate a DRF APIView handler (e.g. `post`) to honour the Idempotency-Key header.

    `then`: the name of a view method `(request, response) -> Response` to run after the
    handler's transaction commits (see the module docstring).
    """
    if handler is None:
        return lambda function: idempotent(function, then=then)

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        finish = getattr(view, then) if then else None
        raw_key = request.headers.get(HEADER)
        if raw_key is None or not request.user.is_authenticated:
            response = handler(view, request, *args, **kwargs)
            return _run_finish(finish, view, request, response) if finish and response.status_code < 300 else response
        key = _validated_key(raw_key)
        endpoint = f"{request.method} {request.path.rstrip('/')}"
        lock_name = f"idempotency|{request.user.pk}|{endpoint}|{key}"
        fingerprint = _fingerprint(request)
        held = False
        try:
            with transaction.atomic():
                if not _try_lock(lock_name):
                    raise RequestInProgress()
                record = IdempotencyKey.objects.filter(user=request.user, endpoint=endpoint, key=key).first()
                if record is not None and record.is_expired:
                    record.delete()
                    record = None
                if record is not None and record.fingerprint != fingerprint:
                    raise IdempotencyKeyReused()
                if record is not None and record.finished:
                    return _replay(record)
                if record is None:
                    response = _run_handler(handler, view, request, *args, **kwargs)
                    if response.status_code >= 500:
                        raise _RollBack(response)
                    record = IdempotencyKey.objects.create(
                        user=request.user,
                        endpoint=endpoint,
                        key=key,
                        fingerprint=fingerprint,
                        response_status=response.status_code,
                        response_body=json.loads(_canonical_json(response.data)),
                        finished=finish is None or response.status_code >= 300,
                    )
                    if record.finished:
                        return response
                # Held past the commit, until `then` has run: duplicates answer request_in_progress.
                _hold_session_lock(lock_name)
                held = True
        except _RollBack as rollback:
            return rollback.response
        except BaseException:
            if held:  # the commit itself failed
                _release_session_lock(lock_name)
            raise
        return _finish_recorded(record, finish, view, request, lock_name)

    wrapper.idempotent = True
    return wrapper


def _finish_recorded(record: IdempotencyKey, finish, view, request, lock_name: str) -> Response:
    """Run `then` outside any transaction and store its response (or forget the key if it failed)."""
    try:
        provisional = Response(record.response_body, status=record.response_status)
        response = _run_finish(finish, view, request, provisional)
        if response.status_code >= 500:
            record.delete()
        else:
            record.response_status = response.status_code
            record.response_body = json.loads(_canonical_json(response.data))
            record.finished = True
            record.save(update_fields=["response_status", "response_body", "finished"])
        return response
    finally:
        _release_session_lock(lock_name)


def _run_finish(finish, view, request, response: Response) -> Response:
    try:
        return finish(request, response)
    except Exception as exc:  # noqa: BLE001 - a failure becomes the error envelope, like the handler's
        return view.handle_exception(exc)


def _run_handler(handler, view, request, *args, **kwargs) -> Response:
    """Run the handler in a savepoint; an error becomes its (replayable) error response."""
    try:
        with transaction.atomic():
            return handler(view, request, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure must become a stored or rolled-back response
        return view.handle_exception(exc)
