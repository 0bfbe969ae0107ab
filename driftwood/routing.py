"""WebSocket routes of every app, gathered in one list for asgi.py."""

from django.urls import path

from chat.consumers import ChatConsumer
from driftwood.core.consumers import HealthConsumer
from driftwood.notifications.consumers import NotificationConsumer
from tournaments.consumers import EventUpdatesConsumer

websocket_urlpatterns = [
    path("ws/health", HealthConsumer.as_asgi()),
    path("ws/notifications", NotificationConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/events/<int:event_id>/", EventUpdatesConsumer.as_asgi()),
    path("ws/chat/<str:room_id>", ChatConsumer.as_asgi()),
    path("ws/chat/<str:room_id>/", ChatConsumer.as_asgi()),
]
