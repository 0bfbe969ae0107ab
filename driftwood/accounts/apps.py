from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "driftwood.accounts"
    verbose_name = _("Accounts")
    label = "accounts"

    def ready(self):
        from driftwood.accounts import schema  # noqa: F401 - registers the OpenAPI auth extension
