from driftwood.core.urls import api_path
from driftwood.notifications.api import views

urlpatterns = [
    *api_path("notifications", views.NotificationListApi.as_view(), name="notification-list"),
    *api_path("notifications/read", views.NotificationReadApi.as_view(), name="notification-read"),
    *api_path("notifications/preferences", views.EmailPreferencesApi.as_view(), name="notification-preferences"),
    *api_path("me/devices", views.DeviceRegisterApi.as_view(), name="device-register"),
    *api_path("me/devices/<str:token>", views.DeviceForgetApi.as_view(), name="device-forget"),
]
