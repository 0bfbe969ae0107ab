from driftwood.core.urls import api_path
from driftwood.notifications.api import views

urlpatterns = [
    *api_path("notifications", views.NotificationListApi.as_view(), name="notification-list"),
    *api_path("notifications/read", views.NotificationReadApi.as_view(), name="notification-read"),
]
