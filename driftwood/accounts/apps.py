from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "driftwood.accounts"
    label = "accounts"

    def ready(self):
        from driftwood.accounts import schema  # noqa: F401 - registers the OpenAPI auth extension
