from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.room_list, name="rooms"),
    path("dm/<int:user_id>/", views.dm_open_view, name="dm_open"),
    path("<str:room_id>/", views.room_detail, name="room"),
]
