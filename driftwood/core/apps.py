from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "driftwood.core"
    label = "core"

    def ready(self) -> None:
        from driftwood.core import lookups  # noqa: F401  (registers `search_contains`)
