"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "driftwood.settings")
# Django must be set up before the consumers (and their models) are imported.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from driftwood.accounts.channels_auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402
from driftwood.core.daphne_bodies import leave_request_bodies_to_django  # noqa: E402
from driftwood.core.embedded_beat import embedded_beat_start  # noqa: E402
from driftwood.core.gc_freeze import freeze_startup_objects  # noqa: E402
from driftwood.core.websocket import AllowedHostsBrowserOriginValidator  # noqa: E402
from driftwood.observability.websocket import WebSocketObservability  # noqa: E402
from driftwood.routing import websocket_urlpatterns  # noqa: E402

leave_request_bodies_to_django()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsBrowserOriginValidator(
            TokenOrSessionAuthMiddlewareStack(WebSocketObservability(URLRouter(websocket_urlpatterns)))
        ),
    }
)

embedded_beat_start()
# Last: everything above lives as long as the process (driftwood/core/gc_freeze.py).
freeze_startup_objects()
