"""Which sites may frame an event's embeddable bracket: the organizer lists their origins
(scheme://host[:port]), and the embed page's Content-Security-Policy `frame-ancestors` names exactly
those (none listed: no site may). Each origin is checked and written in one canonical form, so that
nothing but an origin ever reaches the policy header."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from driftwood.core.exceptions import NotFound
from tournaments.models import Event
from tournaments.services.events import event_lock

MAX_ORIGINS = 10
MAX_ORIGIN_LENGTH = 200
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(value: str) -> str:
    """`value` as a canonical origin, or ValueError."""
    value = value.strip()
    value = value.removesuffix("/")
    if not value or len(value) > MAX_ORIGIN_LENGTH:
        raise ValueError
    URLValidator(schemes=["http", "https"])(value)
    parts = urlsplit(value)
    if parts.path or parts.query or parts.fragment or parts.username or parts.password or not parts.hostname:
        raise ValueError
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname.lower()
    port = parts.port
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else "")


def embed_origins_clean(values) -> list[str]:
    """The origins in canonical form, each once, in the order given; ValidationError({"origins": ...})
    naming the first one that is not an origin."""
    origins: list[str] = []
    for value in values:
        if not value.strip():
            continue
        try:
            origin = _origin(value)
        except (ValueError, ValidationError):
            message = _("“%(value)s” is not a site origin: write it as https://example.com (a port if needed).")
            raise ValidationError({"origins": [message % {"value": value.strip()[:MAX_ORIGIN_LENGTH]}]}) from None
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise ValidationError({"origins": [_("List at most %(count)s sites.") % {"count": MAX_ORIGINS}]})
    return origins


def event_embed_origins_set(*, event_id: int, actor, origins) -> Event:
    """The organizer sets the sites allowed to frame the event's bracket (an empty list: none)."""
    origins = embed_origins_clean(origins)
    with transaction.atomic():
        try:
            event = event_lock(event_id)
        except Event.DoesNotExist:
            event = None
        if event is None or event.organizer_id != actor.pk:
            raise NotFound(_("Event not found."))
        event.embed_origins = origins
        event.save(update_fields=["embed_origins", "updated_at"])
    return event
