"""`manage.py check --deploy`: refuse to ship the development secrets of the wallet."""

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_BANK_API_KEY = "bank-dev-key"


@register(Tags.security, deploy=True)
def wallet_secrets_check(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    if settings.DEV_FIELD_ENCRYPTION_KEY in settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS still contains the development key: bank account numbers would be "
                "encrypted with a key published in the source code.",
                hint="Generate one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`, put it first, then run `manage.py rotate_encryption_keys`.",
                id="wallet.E001",
            )
        )
    if settings.BANK_API_KEY == DEV_BANK_API_KEY:
        errors.append(
            Error(
                "BANK_API_KEY is the development default.",
                hint="Set BANK_API_KEY to the key your bank issued for payouts.",
                id="wallet.E002",
            )
        )
    return errors
