from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "wallet"

    def ready(self):
        from wallet import checks  # noqa: F401 - registers the deploy checks
