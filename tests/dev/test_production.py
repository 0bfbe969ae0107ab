"""Production never loads the development tools (driftwood/dev), and refuses what would need them; and a
process loads neither a WebSocket server it does not run nor an error reporter it was not given."""

import json
import logging
import secrets
import subprocess
import sys

import grimp
import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from chat.mirror import message_mirror
from driftwood.notifications.push import Delivery, LoggingPushSender, Push
from tests import services
from tests.test_import_cycles import PROJECT_PACKAGES

DEV = "driftwood.dev"

# Boots Django as production would serve and work: every URLconf and view, every task module.
PRODUCTION_BOOT = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.core.management import get_commands
from django.urls import Resolver404, get_resolver, resolve
from driftwood.notifications.push import push_sender
from driftwood.celery import app
get_resolver().url_patterns
app.loader.import_default_modules()
def routed(path):
    try:
        resolve(path)
        return True
    except Resolver404:
        return False
print(json.dumps({
    "installed": "driftwood.dev" in settings.INSTALLED_APPS,
    "imported": sorted(name for name in sys.modules if name == "driftwood.dev" or name.startswith("driftwood.dev.")),
    "shim_url": routed("/dev/localstripe-card/"),
    "shim": settings.STRIPE_LOCAL_CARD_SHIM,
    "redirect_stand_in_url": routed("/dev/stripe-redirect/pi_123/"),
    "redirect_stand_in": settings.STRIPE_REDIRECT_STAND_IN,
    "commands": sorted({"seed_demo", "fake_bank"} & set(get_commands())),
    "push_sender": type(push_sender()).__name__,
    "unused_libraries": sorted({"daphne", "twisted", "autobahn", "sentry_sdk"} & set(sys.modules)),
}))
"""


def production_env(**overrides: str) -> dict[str, str]:
    """`make check-deploy`'s settings, with localstripe as the Stripe API (as docker-compose.yml has it)."""
    env = {name: value for name, value in services.child_env().items() if name != "DRIFTWOOD_DEV_TOOLS"}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="driftwood.example",
        DJANGO_SECURE_SSL_REDIRECT="true",
        DJANGO_HSTS_SECONDS="31536000",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BANK_API_KEY=secrets.token_urlsafe(32),
        STRIPE_API_BASE="http://127.0.0.1:8420",
        FIREBASE_CREDENTIALS="",
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=services.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_never_install_or_import_the_development_tools():
    booted = run([sys.executable, "-c", PRODUCTION_BOOT], production_env())

    assert booted.returncode == 0, booted.stderr
    assert json.loads(booted.stdout.splitlines()[-1]) == {
        "installed": False,
        "imported": [],
        "shim_url": False,
        "shim": False,
        "redirect_stand_in_url": False,
        "redirect_stand_in": False,
        "commands": [],
        "push_sender": "LoggingPushSender",
        # HTTP workers, Celery and manage.py never load the WebSocket server (~0.3 s of CPU per
        # process), nor sentry-sdk without SENTRY_DSN (~0.15 s)
        "unused_libraries": [],
    }


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"STRIPE_LOCAL_CARD_SHIM": "true"}, "STRIPE_LOCAL_CARD_SHIM is served by the development tools"),
        ({"STRIPE_REDIRECT_STAND_IN": "true"}, "STRIPE_REDIRECT_STAND_IN is served by the development tools"),
        ({"CHAT_FIRESTORE_MIRROR": "true"}, "CHAT_FIRESTORE_MIRROR needs FIREBASE_CREDENTIALS"),
    ],
)
def test_production_refuses_to_start_with_what_only_the_development_tools_serve(setting, message):
    checked = run([sys.executable, "manage.py", "check"], production_env(**setting))

    assert checked.returncode != 0
    assert f"ImproperlyConfigured: {message}" in checked.stderr


def test_the_fpx_and_grabpay_stand_in_is_refused_against_real_stripe_even_with_the_development_tools():
    checked = run(
        [sys.executable, "manage.py", "check"],
        production_env(DRIFTWOOD_DEV_TOOLS="true", STRIPE_API_BASE="", STRIPE_REDIRECT_STAND_IN="true"),
    )

    assert checked.returncode != 0
    assert "ImproperlyConfigured: STRIPE_REDIRECT_STAND_IN is served by the development tools" in checked.stderr


def test_with_real_stripe_the_development_tools_leave_fpx_and_grabpay_to_stripe():
    booted = run(
        [sys.executable, "-c", PRODUCTION_BOOT],
        production_env(DRIFTWOOD_DEV_TOOLS="true", STRIPE_API_BASE="", DJANGO_DEBUG="true"),
    )

    assert booted.returncode == 0, booted.stderr
    assert json.loads(booted.stdout.splitlines()[-1])["redirect_stand_in"] is False


def test_the_deploy_check_fails_while_the_development_tools_are_installed():
    checked = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(DRIFTWOOD_DEV_TOOLS="true"),
    )

    assert checked.returncode != 0
    assert "dev.E001" in checked.stderr + checked.stdout


def development_tools_importers(graph: grimp.ImportGraph) -> set[str]:
    """Modules outside driftwood.dev that import a module of it."""
    dev = {DEV, *graph.find_descendants(DEV)}
    return {importer for module in dev for importer in graph.find_modules_that_directly_import(module)} - dev


def test_nothing_outside_the_development_tools_imports_them():
    graph = grimp.build_graph(*PROJECT_PACKAGES, cache_dir=None)

    assert f"{DEV}.fake_bank" in graph.modules
    assert development_tools_importers(graph) == set()


def test_an_import_of_the_development_tools_from_the_platform_is_found():
    # given a graph where the tools use the wallet (allowed) and a wallet view uses the tools (not)
    graph = grimp.ImportGraph()
    graph.add_module(DEV)
    graph.add_import(importer=f"{DEV}.localstripe_card", imported="wallet.stripe_gateway")
    graph.add_import(importer="wallet.views", imported=f"{DEV}.localstripe_card")

    assert development_tools_importers(graph) == {"wallet.views"}


def test_without_credentials_production_pushes_are_logged_and_none_is_retried(caplog):
    push = Push(user_id=7, title="ace in Finals", body="gg")

    with caplog.at_level(logging.INFO, logger="driftwood.notifications"):
        report = LoggingPushSender().send([Delivery(token="phone", push=push)])

    assert report.failed == [] and report.invalid_tokens == []
    assert "push not sent (no FIREBASE_CREDENTIALS) to user 7: ace in Finals" in caplog.text


def test_a_mirror_without_credentials_or_a_stand_in_is_refused(settings):
    settings.CHAT_FIRESTORE_MIRROR = True
    settings.FIREBASE_CREDENTIALS = ""
    settings.CHAT_MIRROR_STAND_IN = ""

    with pytest.raises(ImproperlyConfigured, match="CHAT_FIRESTORE_MIRROR needs FIREBASE_CREDENTIALS"):
        message_mirror()
