"""Where a webhook may be sent: the endpoint URL's rules and the address it is sent to.

An organizer chooses the URL and we make the request, so the URL must not point inside our own
network (server-side request forgery): every address its host resolves to must be public
(not private, loopback, link-local such as a cloud metadata service, shared or reserved).
That is checked when the endpoint is saved and again at each attempt, and the request goes to the
address just checked (the host name still used for TLS and the Host header), so a DNS answer that
changes in between (rebinding) cannot slip a private address in. WEBHOOK_ALLOW_PRIVATE_ADDRESSES
(DEBUG, tests) lifts the address rule; WEBHOOK_REQUIRE_HTTPS (production) refuses plain http.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

_DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeTarget(Exception):
    """The URL may not be called (its reason is the message, in the active language)."""


class TargetNotFound(UnsafeTarget):
    """The host name does not resolve (now: DNS may answer later)."""


@dataclass(frozen=True)
class Target:
    """A checked URL: send to `address` (the host's checked address), name `host` in TLS and Host."""

    url: str  # the URL with the address in place of the host name
    host: str  # the host name, for SNI and certificate checks
    host_header: str


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _url_rules(url: str):
    """The parsed URL, or UnsafeTarget for a URL we never call whatever it resolves to."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise UnsafeTarget(_("Enter a full URL starting with https://.")) from None
    parts = urlsplit(url)
    if parts.scheme != "https" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise UnsafeTarget(_("Webhook URLs must use https://."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("Leave user names and passwords out of the URL: verify our signature instead."))
    if not parts.hostname:
        raise UnsafeTarget(_("Enter a full URL starting with https://."))
    return parts


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetNotFound(_("%(host)s could not be found (DNS).") % {"host": host}) from None
    # getaddrinfo may name an IPv6 address with its zone (fe80::1%eth0). IPv4 first: a host whose
    # IPv6 route is broken is common, the other way round rare.
    addresses = dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found)
    return sorted(addresses, key=lambda address: address.version)


def target_check(url: str) -> Target:
    """The URL ready to call, or UnsafeTarget: a refused scheme, credentials in the URL, a host
    that does not resolve, or one with any address that is not public (unless allowed)."""
    parts = _url_rules(url)
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    addresses = _addresses(parts.hostname, port)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        private = [address for address in addresses if not _is_public(address)]
        if private:
            raise UnsafeTarget(
                _("%(host)s points to a private or local address (%(address)s): webhooks go to public addresses only.")
                % {"host": parts.hostname, "address": private[0]}
            )
    address = addresses[0]
    shown = f"[{address}]" if address.version == 6 else str(address)
    netloc = shown if parts.port is None else f"{shown}:{parts.port}"
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if ":" in parts.hostname:  # an IPv6 literal keeps its brackets in the Host header
        host_header = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
    return Target(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host=parts.hostname,
        host_header=host_header,
    )


def webhook_url_validate(url: str) -> None:
    """For forms and the API: ValidationError({"url": [...]}) unless the URL may be called now."""
    try:
        target_check(url)
    except UnsafeTarget as exc:
        raise ValidationError({"url": [str(exc)]}) from None
