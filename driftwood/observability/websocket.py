"""WebSocket sessions: a request id per session, a log line when it opens and closes, and the
connection and message metrics. Wraps the WebSocket routes inside the authentication stack, so the
session's user is known."""

import logging
import time

from driftwood.observability import metrics
from driftwood.observability.context import request_id_from, request_id_var, user_id_var

logger = logging.getLogger("driftwood.websocket.sessions")

ROUTES = ("health", "notifications", "events", "chat")


def route_of(path: str) -> str:
    """`/ws/chat/<room>` -> `chat`: a bounded label (the first segment after /ws/)."""
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "ws" and parts[1] in ROUTES else "other"


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


class WebSocketObservability:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        route = route_of(scope["path"])
        peer = (scope.get("client") or (None,))[0]
        request_id = request_id_from(peer, _header(scope, b"x-request-id"))
        user = scope.get("user")
        user_id = user.pk if user is not None and user.is_authenticated else None
        scope["request_id"] = request_id
        tokens = (request_id_var.set(request_id), user_id_var.set(user_id))
        opened_at = None
        # The session's two message counters, looked up once: `labels()` takes a lock and builds a
        # key on every call, and a chat socket sends a frame per message of its room.
        counters = {}

        def counter(direction: str):
            found = counters.get(direction)
            if found is None:
                found = counters[direction] = metrics.websocket_messages.labels(route, direction)
            return found

        async def counted_receive():
            message = await receive()
            if message["type"] == "websocket.receive":
                counter("in").inc()
            return message

        async def counted_send(message):
            nonlocal opened_at
            if message["type"] == "websocket.send":
                counter("out").inc()
            elif message["type"] == "websocket.accept" and opened_at is None:
                opened_at = time.perf_counter()
                metrics.websocket_connections.labels(route).inc()
                metrics.websocket_connections_opened.labels(route).inc()
                logger.info("websocket %s opened", scope["path"], extra={"event": "websocket_open", "route": route})
            await send(message)

        try:
            return await self.app(scope, counted_receive, counted_send)
        finally:
            if opened_at is not None:
                metrics.websocket_connections.labels(route).dec()
                duration = time.perf_counter() - opened_at
                logger.info(
                    "websocket %s closed after %.1fs",
                    scope["path"],
                    duration,
                    extra={"event": "websocket_close", "route": route, "duration_ms": round(duration * 1000, 1)},
                )
            user_id_var.reset(tokens[1])
            request_id_var.reset(tokens[0])
