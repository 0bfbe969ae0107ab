from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "driftwood.accounts"
    label = "accounts"
