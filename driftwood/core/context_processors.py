from django.conf import settings

from driftwood.core.js_strings import js_strings


def live_page(request) -> dict:
    """What base.html hands the page scripts as <body data-*>: where their sockets connect
    (WEBSOCKET_ORIGIN; empty = the page's own origin) and their waits (settings PAGE_*_MS)."""
    return {
        "live_page": {
            "websocket_origin": settings.WEBSOCKET_ORIGIN,
            "reconnect_min": settings.PAGE_RECONNECT_MIN_MS,
            "event_poll": settings.PAGE_EVENT_POLL_MS,
            "payment_poll": settings.PAGE_PAYMENT_POLL_MS,
        }
    }


def page_strings(request) -> dict:
    """The page scripts' words in the page's language (driftwood.core.js_strings), for base.html."""
    return {"js_strings": js_strings()}
