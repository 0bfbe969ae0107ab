"""Celery: the request id travels with each task, and every task ends in one log line and metrics.

- Publishing (in a request, a WebSocket session or another task): the running request id and
  user id go into the message's headers (`driftwood_request_id`, `driftwood_user_id`).
- Running (a worker, or in-process when eager): they become the task's context, so its log lines
  carry them and tasks it queues pass them on; a task queued by the beat gets a new id.
- Finishing: one `driftwood.tasks` line (task, id, state, duration, queue) and the task metrics.
- Worker logging is left to Django's LOGGING (JSON or text), not Celery's own set-up.
"""

import logging
import time

from celery import signals

from driftwood.observability import errors, metrics
from driftwood.observability.context import new_request_id, request_id_var, user_id_var
from driftwood.observability.logs import current_user_id

logger = logging.getLogger("driftwood.tasks")

REQUEST_ID = "driftwood_request_id"
USER_ID = "driftwood_user_id"
_running: dict[str, tuple] = {}  # task id -> (context tokens, start time)


@signals.setup_logging.connect
def _leave_logging_to_django(**kwargs) -> None:
    """Connected, so Celery does not install its own handlers: Django's LOGGING (set up when the
    worker loads Django) formats the worker's lines like the web's."""


@signals.before_task_publish.connect
def _send_context(headers=None, **kwargs) -> None:
    if headers is None:
        return
    request_id = request_id_var.get()
    if request_id is not None:
        headers.setdefault(REQUEST_ID, request_id)
        headers.setdefault(USER_ID, current_user_id())


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs) -> None:
    request = task.request
    # Eager tasks run inside the caller, whose context already holds the id.
    request_id = getattr(request, REQUEST_ID, None) or request_id_var.get() or new_request_id()
    user_id = getattr(request, USER_ID, None) if getattr(request, REQUEST_ID, None) else user_id_var.get()
    tokens = (request_id_var.set(request_id), user_id_var.set(user_id))
    errors.tag_request(request_id)
    _running[task_id] = (tokens, time.perf_counter())


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    tokens, started = _running.pop(task_id, (None, None))
    if started is None:
        return
    duration = time.perf_counter() - started
    state = (state or "unknown").lower()
    metrics.celery_tasks.labels(task.name, state).inc()
    metrics.celery_task_duration.labels(task.name).observe(duration)
    delivery = getattr(task.request, "delivery_info", None) or {}
    (logger.info if state == "success" else logger.warning)(
        "task %s[%s] %s in %.1fms",
        task.name,
        task_id,
        state,
        duration * 1000,
        extra={
            "event": "task",
            "task": task.name,
            "task_id": task_id,
            "state": state,
            "duration_ms": round(duration * 1000, 1),
            "queue": delivery.get("routing_key"),
            "retries": task.request.retries,
        },
    )
    user_token, id_token = tokens[1], tokens[0]
    user_id_var.reset(user_token)
    request_id_var.reset(id_token)


@signals.worker_process_shutdown.connect
def _child_stopped(**kwargs) -> None:
    metrics.process_dead()
