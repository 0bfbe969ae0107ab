"""`make run` runs the beat's schedule in a thread of the web process (no broker, no beat process)."""

from driftwood.core.embedded_beat import ENV_FLAG, embedded_beat_start


def test_the_beat_thread_starts_only_when_make_run_asks_and_tasks_run_eagerly(monkeypatch, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.delenv(ENV_FLAG, raising=False)
    assert embedded_beat_start() is None

    monkeypatch.setenv(ENV_FLAG, "true")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert embedded_beat_start() is None  # with a broker, the real beat process does it

    settings.CELERY_TASK_ALWAYS_EAGER = True
    service = embedded_beat_start()
    try:
        assert service.is_alive() and service.daemon
        assert "wallet.tasks.card_refunds_retry" in {entry["task"] for entry in service.app.conf.beat_schedule.values()}
    finally:
        service.stop()
    assert (tmp_path / ".data").is_dir()
