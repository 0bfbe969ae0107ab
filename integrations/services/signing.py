"""Webhook signatures, as Stripe signs its own: `Driftwood-Signature: t=<unix time>,v1=<hex>` where
the hex is HMAC-SHA256, keyed by the endpoint's secret, of "<t>.<the raw body>". The timestamp in
the signed text lets a receiver refuse old (replayed) requests; `signature_verify` is what a
receiver does (the README shows the same in a few lines)."""

import hashlib
import hmac
import secrets
import time

from driftwood.core import crypto
from integrations.models import WebhookEndpoint

SIGNATURE_HEADER = "Driftwood-Signature"
EVENT_ID_HEADER = "Driftwood-Event-Id"
EVENT_TYPE_HEADER = "Driftwood-Event-Type"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_hex(32)


def secret_reveal(endpoint: WebhookEndpoint) -> str:
    """The endpoint's secret in clear (stored as a Fernet token), for signing."""
    return crypto.decrypt(endpoint.secret)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def signature_verify(
    *, secret: str, body: bytes, header: str, tolerance: int = DEFAULT_TOLERANCE_SECONDS, now: int | None = None
) -> bool:
    """Does `header` sign `body` with `secret`, within `tolerance` seconds of `now`?"""
    fields: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))
