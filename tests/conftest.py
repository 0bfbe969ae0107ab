import gc
import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import translation
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from driftwood.core import ratelimit, redis_outage
from tests import fast_flush, services, template_db
from tests.factories import UserFactory
from tests.wallet.bank_support import FakeBank


def pytest_collection_finish(session):
    """What collection built (modules, thousands of test items) lives all run: out of the garbage
    collector's full passes with it, as the servers do with their start-up objects
    (driftwood/core/gc_freeze.py), and young objects collected less often (a test makes tens of
    thousands). The collector took 9% of a worker's CPU, now 4%."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Deferred checks (every ledger transaction balances, foreign keys) fire at COMMIT, which a
    test inside a rolled-back transaction never reaches: run them when the test body ends."""
    result = yield
    if connection.connection is not None and connection.in_atomic_block and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return result


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """pytest-django's hook before it creates the test database: create it from a migrated template."""
    with django_db_blocker.unblock():
        template_db.use_template()


@pytest.fixture(autouse=True, scope="session")
def _test_database_settings(django_db_setup, django_db_blocker):
    """Commits that do not wait for the disk, for every connection to the test database (servers
    and threads too); torn down just before pytest-django drops it."""
    with django_db_blocker.unblock():
        template_db.commit_without_waiting_for_the_disk()
    yield
    with django_db_blocker.unblock():
        template_db.disconnect_others()


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete():
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast_flush.install(monkeypatch)
        yield


@pytest.fixture(autouse=True)
def _english_to_start():
    """Each test starts in the default language: LocaleMiddleware leaves a request's language
    active in its thread, and a test that rendered a Malay page must not hand it to the next."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    """Cheap password hashing, and no rate-limit counters or Redis outage carried between tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    redis_outage.reset()
    ratelimit.local_windows.clear()
    cache.clear()
    yield
    redis_outage.reset()
    ratelimit.local_windows.clear()
    cache.clear()


def _run_commit_hook(func, robust: bool) -> None:
    if not robust:
        func()
        return
    try:
        func()
    except Exception:
        logging.getLogger("django.db.backends.base").exception("Error calling %s in on_commit()", func.__qualname__)


@pytest.fixture
def commit_hooks_run(db, monkeypatch):
    """On-commit callbacks run when the code's outermost atomic block ends, as after a real
    COMMIT, inside the test's rolled-back transaction. Far cheaper than `transaction=True`
    (which truncates every table after each test); keep that for tests where other threads or
    processes must see the rows."""
    default = connections[DEFAULT_DB_ALIAS]
    test_depth = len(default.atomic_blocks)
    original_exit = transaction.Atomic.__exit__
    original_on_commit = type(default).on_commit

    def atomic_exit(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        if len(default.atomic_blocks) == test_depth and not default.needs_rollback:
            while default.run_on_commit:
                _, func, robust = default.run_on_commit.pop(0)
                _run_commit_hook(func, robust)
        return result

    def on_commit(self, func, robust=False):
        if self is default and len(self.atomic_blocks) == test_depth:
            _run_commit_hook(func, robust)  # outside the code's transactions: autocommit runs it now
        else:
            original_on_commit(self, func, robust)

    monkeypatch.setattr(transaction.Atomic, "__exit__", atomic_exit)
    monkeypatch.setattr(type(default), "on_commit", on_commit)


@pytest.fixture
def plain_static_storage(settings):
    """For tests rendering pages: nothing is collected in tests, and with DEBUG off the manifest storage
    would refuse {% static %} names."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()


def bearer_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def jwt_client(user):
    """An API client authenticated as `user` with a JWT access token."""
    return bearer_client(user)


@pytest.fixture
def session_client(user):
    """An API client logged in as `user` through the session, with CSRF enforced."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def player_client(client, user):
    """Django's test client logged in as `user` (for the server-rendered pages)."""
    client.force_login(user)
    return client


@pytest.fixture
def asgi_server(transactional_db):
    """A real daphne process serving Driftwood on a free port against the test database."""
    process, url = services.start_daphne()
    yield url
    services.stop(process)


@pytest.fixture
def eager_mail(settings):
    """E-mail tasks run in-process on commit and land in `mail.outbox`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture(scope="session")
def fake_bank_server():
    bank = FakeBank()
    yield bank
    bank.stop()


@pytest.fixture
def fake_bank(fake_bank_server, settings):
    """The fake bank (wallet tests, concurrency tests), accepting and with no payouts yet, and
    the settings pointing at it."""
    fake_bank_server.mode("accept", reset=True)
    settings.BANK_API_URL = fake_bank_server.url
    settings.BANK_API_KEY = fake_bank_server.api_key
    settings.BANK_API_TIMEOUT_SECONDS = 5.0
    return fake_bank_server
