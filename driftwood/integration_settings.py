"""Outgoing webhook settings (read by driftwood/settings.py; the README lists each one).

Production refuses plain-http endpoints and endpoints on private, loopback or link-local addresses
(an organizer must not reach inside our network through us); DEBUG (and tests, by these settings)
allow them so that a receiver on the same machine can be used.
"""

import environ


def webhook_settings(env: environ.Env, *, debug: bool) -> dict:
    return {
        "WEBHOOK_REQUIRE_HTTPS": env.bool("WEBHOOK_REQUIRE_HTTPS", default=not debug),
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=debug),
        "WEBHOOK_TIMEOUT_SECONDS": env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0),
        "WEBHOOK_MAX_ATTEMPTS": env.int("WEBHOOK_MAX_ATTEMPTS", default=10),
        "WEBHOOK_RETRY_BASE_SECONDS": env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30),
        "WEBHOOK_RETRY_CAP_SECONDS": env.int("WEBHOOK_RETRY_CAP_SECONDS", default=3600),
        "WEBHOOK_ENDPOINTS_PER_ORGANIZER": env.int("WEBHOOK_ENDPOINTS_PER_ORGANIZER", default=10),
    }
