from django.conf import settings


def websocket_origin(request) -> dict:
    """`websocket_origin` for the pages' sockets (static/js/shared/live-socket.js); empty when
    they connect to the page's own origin."""
    return {"websocket_origin": settings.WEBSOCKET_ORIGIN}
