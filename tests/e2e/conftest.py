"""Browser tests: Playwright's sync API driving Debian's chromium against a real daphne server.

Playwright never downloads a browser here (no `playwright install`): it launches the
system chromium. Without it the tests skip locally and fail in CI (`tests.services.require`).

Every page of every context a test opens is watched for Content-Security-Policy violations
(`CspWatch`): a test that triggers one fails, so every flow proves the policy lets it work.
"""

import contextlib
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests import services

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def asgi_server(transactional_db):
    """tests/conftest.py's server, with plain static URLs.

    Nothing is collected for tests, and with DEBUG off the settings pick the manifest
    storage, which refuses `{% static %}` names that have no manifest entry. The server
    keeps Django's async-safety check even if the browser fixture relaxed it first.
    """
    process, url = services.start_daphne(STATIC_MANIFEST="false", DJANGO_ALLOW_ASYNC_UNSAFE="")
    yield url
    services.stop(process)


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


@pytest.fixture
def browser_context(monkeypatch, csp_watch):
    services.require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    # Playwright's sync API keeps an asyncio loop running in the test thread, so Django's
    # async-safety check would refuse the test's own ORM calls (factories, assertions on
    # rows). They are plain blocking calls, not coroutines.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=DESKTOP, locale="en-MY", timezone_id="Asia/Kuala_Lumpur")
        context.set_default_timeout(10_000)
        yield context
        # While that loop runs, Django keeps the test's connections in context-local storage
        # that pytest-django's teardown no longer sees; close them here or the test database
        # cannot be dropped at the end of the session.
        connections.close_all()
        violations = csp_watch.take()
        context.close()
        browser.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def browser_page(request, browser_context):
    """A fresh page; if the test fails, a full-page screenshot lands in test-artifacts/."""
    page = browser_context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
