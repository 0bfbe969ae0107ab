from django.core.management.base import BaseCommand

from integrations.services.endpoints import webhook_secrets_rotate
from wallet.services.bank_accounts import encryption_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored bank account number and webhook signing secret with the first key of "
        "FIELD_ENCRYPTION_KEYS. Put the new key first, deploy, run this, then remove the old key."
    )

    def handle(self, *args, **options):
        rotated = encryption_keys_rotate()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} bank account number(s) with the newest key."))
        secrets = webhook_secrets_rotate()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {secrets} webhook signing secret(s) with the newest key."))
