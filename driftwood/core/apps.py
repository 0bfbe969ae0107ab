from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "driftwood.core"
    label = "core"
