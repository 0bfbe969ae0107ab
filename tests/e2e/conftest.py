"""Browser tests: Playwright's sync API driving Debian's chromium (its headless shell) against a real daphne server.

Playwright never downloads a browser here (no `playwright install`): it launches the
system chromium. Without it the tests skip locally and fail in CI (`tests.services.require`).

One chromium serves the browser tests a process runs back to back (each test gets fresh
contexts, closed after it), and so does one daphne per configuration: the database is flushed
between tests as before, and the servers share the tests' Redis database, which the autouse
`cache.clear()` empties between tests. Both stop when a test of another kind comes next.

Every page of every context a test opens is watched for Content-Security-Policy violations
(`CspWatch`): a test that triggers one fails, so every flow proves the policy lets it work.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests import services
from tests.wallet.stripe_support import registered_webhook

# Debian's headless build of chromium (package chromium-headless-shell, the same engine without the
# desktop browser around it, as Playwright itself runs headless): the browser tests take two thirds
# of the time they take in the full /usr/bin/chromium on two shared cores. E2E_CHROMIUM picks another.
CHROMIUM = Path(
    os.environ.get("E2E_CHROMIUM")
    or next(
        (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(path).exists()),
        "/usr/bin/chromium-headless-shell",
    )
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# As players in Malaysia see the pages; with reduced motion, the pages' endless animations (the
# pulsing "live" badges) stop after one round instead of having chromium paint frames all test long.
CONTEXT_OPTIONS = {"locale": "en-MY", "timezone_id": "Asia/Kuala_Lumpur", "reduced_motion": "reduce"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
# The pages' waits on the servers (settings PAGE_*_MS), shortened: a dropped socket's first retry
# (1 s in production, doubling from there), the event page's polling while its socket is down
# (5 s), and the polling for a card payment's webhook (1 s).
RECONNECT_MIN_MS = 300
PAGE_WAITS = {
    "PAGE_RECONNECT_MIN_MS": str(RECONNECT_MIN_MS),
    "PAGE_EVENT_POLL_MS": "250",
    "PAGE_PAYMENT_POLL_MS": "200",
}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Servers:
    """The session's daphne servers on the test database, one per configuration, started on first use.

    With plain static URLs: nothing is collected for tests, and with DEBUG off the settings pick
    the manifest storage, which refuses `{% static %}` names that have no manifest entry. The
    servers keep Django's async-safety check even while the browser fixture relaxes it here.
    Uploads land in one media folder for the session; withdrawals are paid by the session's
    fake bank; the pages wait less between tries (PAGE_WAITS). There is no dispute window: an
    event's prizes are paid the moment its final completes (the bracket flow waits for nothing).
    Their database connections come from a pool, as production's web processes' do, instead of one
    new PostgreSQL backend per request (under ASGI each request runs on a new thread, so a kept
    connection, CONN_MAX_AGE, was never used again: 91 backends for one bracket night; idle between
    requests, pooled ones hold no lock the flush between tests would wait for).
    """

    def __init__(self, media_root: Path, bank) -> None:
        self.media_root = media_root
        self._env = {
            "STATIC_MANIFEST": "false",
            "DJANGO_ALLOW_ASYNC_UNSAFE": "",
            "MEDIA_ROOT": str(media_root),
            "BANK_API_URL": bank.url,
            "BANK_API_KEY": bank.api_key,
            "RESULTS_DISPUTE_WINDOW_HOURS": "0",
            "DATABASE_POOL": "true",
            # A test's pages rarely have more than a few requests in flight; up to three workers
            # with up to four configurations each stay well inside PostgreSQL's 100 connections,
            # beside the races that open a connection per thread.
            "DATABASE_POOL_MIN": "1",
            "DATABASE_POOL_MAX": "4",
            **PAGE_WAITS,
        }
        self._running: dict[tuple, tuple] = {}

    def url(self, **env_overrides: str) -> str:
        key = tuple(sorted(env_overrides.items()))
        if key not in self._running:
            self._running[key] = services.start_daphne(**{**self._env, **env_overrides})
        return self._running[key][1]

    def logs(self) -> str:
        """What each server logged lately: the other half of a failing browser test's story."""
        return "\n".join(
            f"--- {url} ---\n{services.server_log(process, last=5_000)}" for process, url in self._running.values()
        )

    def stop(self) -> None:
        """Stop them (they start again on next use): their pooled connections are given back."""
        for process, _url in self._running.values():
            services.stop(process, at_once=True)
        self._running.clear()


# The session's servers, stopped with chromium when the browser tests a process runs back to back end.
SESSION_SERVERS: list[Servers] = []


@pytest.fixture(scope="session")
def e2e_servers(django_db_setup, tmp_path_factory, fake_bank_server):
    servers = Servers(tmp_path_factory.mktemp("e2e-media"), fake_bank_server)
    SESSION_SERVERS.append(servers)
    yield servers
    servers.stop()
    SESSION_SERVERS.remove(servers)


# The servers cache content types by id (Django admin's change log writes them); the flush after
# each transactional test recreates content types and permissions under new ids.
_first_content_types: list[tuple] = []


def _content_types() -> list[tuple]:
    return list(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model"))


@pytest.fixture
def stable_content_types(transactional_db):
    """Content types and permissions under the ids the session's servers first saw."""
    if not _first_content_types:
        _first_content_types.extend(_content_types())
        return
    if _content_types() == _first_content_types:
        return
    permissions = list(
        Permission.objects.values_list("pk", "content_type__app_label", "content_type__model", "codename", "name")
    )
    with transaction.atomic():
        ContentType.objects.all().delete()
        content_types = ContentType.objects.bulk_create(
            ContentType(pk=pk, app_label=app_label, model=model) for pk, app_label, model in _first_content_types
        )
        by_name = {(ct.app_label, ct.model): ct for ct in content_types}
        Permission.objects.bulk_create(
            Permission(pk=pk, content_type=by_name[app_label, model], codename=codename, name=name)
            for pk, app_label, model, codename, name in permissions
            if (app_label, model) in by_name
        )
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [ContentType, Permission]):
                cursor.execute(statement)
    ContentType.objects.clear_cache()


@pytest.fixture
def asgi_server(e2e_servers, stable_content_types):
    """The session's server."""
    return e2e_servers.url()


@pytest.fixture
def stripe_server(asgi_server):
    """The session's server, registered as localstripe's webhook for the test (and no longer once
    it ends, before its rows are flushed: the server lives on)."""
    with registered_webhook(asgi_server):
        yield asgi_server


# Runs before any script of every document (Playwright injects it outside the page's policy).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__driftwoodCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${document.location.href}` +
      (event.sample ? ` (${event.sample})` : ""),
  );
});
"""


class CspWatch:
    """Collects the CSP violations of every page in the contexts it watches (DOM events and console)."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.contexts: list[BrowserContext] = []

    def watch(self, context: BrowserContext) -> None:
        self.contexts.append(context)
        context.expose_binding("__driftwoodCspViolation", lambda _source, text: self.violations.append(text))
        context.add_init_script(script=CSP_LISTENER)
        context.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def settle(self) -> None:
        """Let events already queued in open pages arrive before anyone reads the list."""
        for context in self.contexts:
            for page in context.pages:
                # a page closed or navigating meanwhile has nothing left to deliver
                with contextlib.suppress(PlaywrightError):
                    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")

    def take(self) -> list[str]:
        """The violations so far, forgetting them (for a test that provokes one on purpose)."""
        self.settle()
        taken, self.violations = self.violations, []
        return taken


@pytest.fixture
def csp_watch(monkeypatch) -> CspWatch:
    """Watches every browser context created during the test, including a test's own extra ones."""
    watch = CspWatch()
    new_context = Browser.new_context

    def watched_new_context(browser, *args, **kwargs):
        context = new_context(browser, *args, **kwargs)
        watch.watch(context)
        return context

    monkeypatch.setattr(Browser, "new_context", watched_new_context)
    return watch


class Chromium:
    """One chromium for the browser tests that a process runs back to back.

    Playwright's sync API keeps an asyncio loop running in the test thread, so while it runs,
    Django's async-safety check would refuse the tests' own ORM calls (factories, assertions on
    rows, the flush between tests): they are plain blocking calls, not coroutines, and are let
    through. Any other test would trip over that loop, so it stops before one runs.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._async_unsafe: str | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            services.require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium-headless-shell")
            self._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        return self._browser

    def stop(self) -> None:
        if self._playwright is None:
            return
        # While the loop ran, Django kept connections in context-local storage that nothing
        # else sees; close them or the test database cannot be dropped at the end.
        connections.close_all()
        with contextlib.suppress(PlaywrightError):
            self._browser.close()
        self._playwright.stop()
        self._playwright = self._browser = None
        if self._async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._async_unsafe


CHROMIUM_PROCESS = Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the test's fixtures are gone: stop chromium and the servers unless another browser
    test comes next (the tests after it may race threads for PostgreSQL's connections)."""
    result = yield
    if nextitem is None or nextitem.get_closest_marker("browser") is None:
        CHROMIUM_PROCESS.stop()
        for servers in SESSION_SERVERS:
            servers.stop()
    return result


@pytest.fixture
def browser_context(csp_watch):
    """A fresh context in the shared chromium; every context the test opened is closed after it."""
    context = CHROMIUM_PROCESS.browser().new_context(viewport=DESKTOP, **CONTEXT_OPTIONS)
    context.set_default_timeout(10_000)
    yield context
    violations = csp_watch.take()
    for opened in csp_watch.contexts:
        with contextlib.suppress(PlaywrightError):
            opened.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def browser_page(request, browser_context, e2e_servers):
    """A fresh page; if the test fails, a full-page screenshot lands in test-artifacts/ and the
    servers' recent log is printed with the failure."""
    page = browser_context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(e2e_servers.logs())
        if not page.is_closed():
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
