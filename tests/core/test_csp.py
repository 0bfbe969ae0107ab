"""The Content-Security-Policy every response carries (issue 13: "no CSP on any page").

What the browser does with it is proven in tests/e2e (every flow fails on a violation); these
check the header itself: nonces, no inline script allowed otherwise, Stripe.js and the page's
WebSocket origin allowed, and what production's settings make of real Stripe.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

BASE_DIR = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/", "/events/", "/accounts/login/", "/accounts/signup/", "/api/docs/"])
def test_pages_carry_a_nonce_policy_and_their_inline_scripts_carry_the_nonce(client, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = directives(response)
    nonces = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    # every inline <script> (and <style>) on the page carries this response's nonce, and only it
    page = response.content.decode()
    inline = re.findall(r"<(?:script|style)(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "the page has an inline script to check"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline), inline


def test_each_response_gets_its_own_nonce(client):
    first, second = directives(client.get("/")), directives(client.get("/"))

    assert first["script-src"] != second["script-src"]


def test_the_pages_websocket_origin_and_stripe_js_are_allowed(client, settings):
    stripe_origin = re.match(r"https?://[^/]+", settings.STRIPE_JS_URL).group(0)

    plain = directives(client.get("/events/", HTTP_HOST="127.0.0.1:8000"))
    secure = directives(client.get("/events/", HTTP_HOST="localhost", secure=True))

    assert "ws://127.0.0.1:8000" in plain["connect-src"]
    assert "wss://localhost" in secure["connect-src"]
    assert stripe_origin in plain["script-src"]
    assert stripe_origin in plain["connect-src"]  # localstripe's stand-in calls its own API


def test_the_api_and_admin_answer_with_the_policy_too(client, admin_client):
    assert "default-src 'self'" in client.get("/api/v1/events")["Content-Security-Policy"]
    # Django admin has no inline script: its pages get the policy without any nonce
    admin = directives(admin_client.get("/admin/"))
    assert admin["script-src"][0] == "'self'"
    assert not any(value.startswith("'nonce-") for value in admin["script-src"])


def test_with_real_stripe_the_policy_names_stripes_hosts():
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRIPE_")}
    code = (
        "import django; django.setup(); from csp.utils import build_policy; "
        "from django.conf import settings; print(build_policy(nonce='n0nce'))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "driftwood.settings"},
        capture_output=True,
        text=True,
        check=True,
    )

    policy = {name: values for name, *values in (part.split() for part in result.stdout.strip().split(";"))}
    assert policy["script-src"] == ["'self'", "'nonce-n0nce'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert policy["frame-src"] == ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]
