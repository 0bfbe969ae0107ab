"""Times as people read them: Malaysia time, whatever time zone a request runs in (the API's is UTC)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat


def malaysia_time(moment: datetime) -> str:
    """'10 Dec 2026, 05:05 MYT' (in Malay '10 Dis 2026, 05:05 MYT'), for messages and e-mails:
    the month's name comes from the active language's catalogue."""
    return f"{dateformat.format(moment.astimezone(ZoneInfo(settings.TIME_ZONE)), 'd M Y, H:i')} MYT"
