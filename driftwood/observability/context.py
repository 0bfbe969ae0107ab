"""The request id and user id of what is running now: an HTTP request, a WebSocket session or a
Celery task. Context variables, so threads (asgiref's sync_to_async copies them) and asyncio
tasks each see their own, and every log line written meanwhile carries them."""

import re
import uuid
from contextvars import ContextVar

from django.conf import settings

request_id_var: ContextVar[str | None] = ContextVar("driftwood_request_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("driftwood_user_id", default=None)
# The HTTP request being served, for its user once authentication has run (see logs.user_id_of).
request_var: ContextVar = ContextVar("driftwood_request", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy may hand us: nginx's $request_id (32 hex digits), a UUID, or similar tokens.
ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(peer: str | None, offered: str | None) -> str:
    """The proxy's X-Request-ID when the socket peer is one of TRUSTED_PROXIES and the value looks
    like an id; otherwise a new one (a client cannot choose the id that its log lines carry)."""
    if offered and peer and peer in settings.TRUSTED_PROXIES and ACCEPTABLE_ID.fullmatch(offered):
        return offered
    return new_request_id()


def current_request_id() -> str | None:
    return request_id_var.get()
