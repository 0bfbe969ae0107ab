"""Log lines as JSON (production) or plain text (development), each carrying the request id and
user id of the request, WebSocket session or Celery task that wrote it.

LOG_FORMAT=json: one JSON object per line with `ts` (UTC), `level`, `logger`, `message`,
`request_id`, `user_id`, whatever the call passed as `extra=` (e.g. `ledger_transaction_id`), and
`exc` for a traceback. LOG_FORMAT=text: `time level logger [request id] message`.
"""

import json
import logging
from datetime import UTC, datetime

from django.utils.functional import SimpleLazyObject, empty

from driftwood.observability.context import request_id_var, request_var, user_id_var

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_CONTEXT = ("request_id", "user_id")


def user_id_of(request) -> int | None:
    """The signed-in user's id if authentication already ran; never loads the user (no query)."""
    user = request.__dict__.get("user") if request is not None else None
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


def current_user_id() -> int | None:
    user_id = user_id_var.get()
    return user_id if user_id is not None else user_id_of(request_var.get())


class ContextFilter(logging.Filter):
    """Stamps each record with the running request's id and user id (unless `extra=` set them).

    Django logs a 4xx/5xx response (`django.request`) after the middleware has finished, with the
    request in `extra`: the ids then come from that request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        if not hasattr(record, "user_id"):
            record.user_id = user_id_of(request) if hasattr(request, "request_id") else current_user_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in _CONTEXT and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: everything to stderr through one handler, in `log_format`."""
    if log_format not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"line": {"()": formatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            "daphne": {"level": "WARNING"},
        },
    }
