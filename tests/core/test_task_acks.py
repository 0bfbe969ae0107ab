"""Tasks are acknowledged late (redelivered after a lost worker) only where a second run is harmless:
the reviewed list is driftwood.celery.LATE_ACK_TASKS."""

from driftwood.celery import LATE_ACK_TASKS, app


def test_exactly_the_reviewed_idempotent_tasks_acknowledge_late():
    app.loader.import_default_modules()
    project = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}

    late = {name for name, task in project.items() if task.acks_late}

    assert late == set(LATE_ACK_TASKS)
    for name in ("driftwood.notifications.tasks.send_email", "chat.tasks.message_push"):
        assert not project[name].acks_late, name
        assert not getattr(project[name], "reject_on_worker_lost", False), name
