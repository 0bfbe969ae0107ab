"""Times as people read them: Malaysia time, whatever time zone a request runs in (the API's is UTC)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def malaysia_time(moment: datetime) -> str:
    """'10 Dec 2026, 05:05 MYT', for messages and e-mails."""
    return f"{moment.astimezone(ZoneInfo(settings.TIME_ZONE)):%d %b %Y, %H:%M} MYT"
