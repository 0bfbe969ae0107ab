"""deploy/gunicorn.conf.py as production runs it, plus a hook that tells tests.core.graceful_app
when its worker has received SIGTERM (after gunicorn's own handler has run)."""

import signal
from pathlib import Path

exec((Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py").read_text())


def post_worker_init(worker):
    from tests.core import graceful_app

    def handle_term(signum, frame):
        worker.handle_exit(signum, frame)
        graceful_app.STOPPING.set()

    signal.signal(signal.SIGTERM, handle_term)
