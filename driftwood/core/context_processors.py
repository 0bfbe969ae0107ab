from django.conf import settings


def page_waits(request) -> dict:
    """The waits base.html hands the page scripts (settings PAGE_*_MS), in milliseconds."""
    return {
        "page_waits": {
            "reconnect_min": settings.PAGE_RECONNECT_MIN_MS,
            "event_poll": settings.PAGE_EVENT_POLL_MS,
            "payment_poll": settings.PAGE_PAYMENT_POLL_MS,
        }
    }
