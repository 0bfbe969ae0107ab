from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "driftwood.notifications"
    label = "notifications"
