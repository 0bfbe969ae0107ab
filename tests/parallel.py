"""Each test process owns its outside state, so pytest-xdist workers never see each other's.

pytest-django already gives every worker its own PostgreSQL database (`test_<name>_gw0`, ...).
Here each worker also gets its own Redis database (the tests flush theirs between tests) and
its own localstripe (webhook targets and test clocks are global to a localstripe). Loaded
with `-p tests.parallel` (pyproject.toml) so that it runs before pytest-django reads the
settings, which take both from the environment. For the same reason it turns the development
tools on (DRIFTWOOD_DEV_TOOLS: the fake bank, the Firebase doubles, `seed_demo`), which the
tests, unlike production, use.
"""

import os
import shutil
import tempfile
from contextlib import ExitStack
from urllib.parse import urlsplit, urlunsplit

import pytest

from driftwood.core import embedded

# Redis databases 0-15: a worker takes two, its own and the one beside it for a test's Celery
# broker (tests/core/test_celery_worker.py), so up to 8 workers fit.
REDIS_DATABASES_PER_WORKER = 2


def worker_index() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ...; unset without xdist
    return int(worker.removeprefix("gw")) if worker else None


def redis_url_for_worker(url: str, index: int) -> str:
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + REDIS_DATABASES_PER_WORKER * index) % 16}"))


def _is_xdist_controller(config: pytest.Config) -> bool:
    return worker_index() is None and bool(getattr(config.known_args_namespace, "numprocesses", None))


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser, args):
    """Before any other plugin's version of this hook, pytest-django's included."""
    os.environ.setdefault("DRIFTWOOD_DEV_TOOLS", "true")
    if "MEDIA_ROOT" not in os.environ:
        # Uploads made by tests (and by the servers they start) go to a folder of this run's own
        # (the workers inherit it), never into the checkout's .data/media, which `make run` serves and backups read.
        media = tempfile.mkdtemp(prefix="driftwood-test-media-")
        os.environ["MEDIA_ROOT"] = media
        early_config.add_cleanup(lambda: shutil.rmtree(media, ignore_errors=True))
    index = worker_index()
    if index is not None and os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], index)
    if os.environ.get("REDIS_URL") and not _is_xdist_controller(early_config):
        # Redis pub/sub (the channel layer) ignores the database number: without a prefix of its
        # own, a socket of worker 0's user 1 would hear what worker 1's server says to its user 1.
        database = urlsplit(os.environ["REDIS_URL"]).path.strip("/") or "0"
        os.environ["CHANNEL_LAYER_PREFIX"] = f"{os.environ.get('CHANNEL_LAYER_PREFIX', 'driftwood')}-db{database}"
    if not os.environ.get("STRIPE_API_BASE") and not _is_xdist_controller(early_config):
        services = ExitStack()
        early_config.add_cleanup(services.close)
        embedded.start_localstripe(services, port=embedded.free_port(), from_scratch=True)
    return (yield)
