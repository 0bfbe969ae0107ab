from chat.api import views
from driftwood.core.urls import api_path

urlpatterns = [
    *api_path("chat/rooms", views.RoomListCreateApi.as_view(), name="chat-rooms"),
    *api_path("chat/<str:room_id>/history", views.RoomHistoryApi.as_view(), name="chat-history"),
    *api_path("chat/<str:room_id>/read", views.RoomReadApi.as_view(), name="chat-read"),
]
