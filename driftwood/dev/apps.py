from django.apps import AppConfig


class DevConfig(AppConfig):
    name = "driftwood.dev"
    label = "dev"
    verbose_name = "Development tools"

    def ready(self) -> None:
        from driftwood.dev import checks  # noqa: F401 - registers the deploy check
