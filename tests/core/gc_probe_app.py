"""Driftwood's applications plus one test route, `/_test/gc`, that answers how many objects the
serving process has frozen out of the garbage collector (tests/core/test_gc_freeze.py)."""

import gc

from driftwood.asgi import application as driftwood_asgi
from driftwood.wsgi import application as driftwood_wsgi

PROBE_PATH = "/_test/gc"


def _count() -> bytes:
    return str(gc.get_freeze_count()).encode()


def wsgi_application(environ, start_response):
    if environ.get("PATH_INFO") != PROBE_PATH:
        return driftwood_wsgi(environ, start_response)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [_count()]


async def asgi_application(scope, receive, send):
    if scope["type"] != "http" or scope["path"] != PROBE_PATH:
        await driftwood_asgi(scope, receive, send)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": _count()})
