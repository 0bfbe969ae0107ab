from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "driftwood.core"
    verbose_name = _("Core")
    label = "core"

    def ready(self) -> None:
        from driftwood.core import lookups  # noqa: F401  (registers `search_contains`)
