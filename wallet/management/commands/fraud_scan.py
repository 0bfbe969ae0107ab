from django.core.management.base import BaseCommand

from wallet.services.fraud import fraud_flag_codes, fraud_scan


class Command(BaseCommand):
    help = "Hold for review every pending withdrawal that now breaks a fraud rule (also run by celery beat)."

    def handle(self, *args, **options):
        moved = fraud_scan()
        for withdrawal in moved:
            self.stdout.write(f"Withdrawal #{withdrawal.pk} held for review: {', '.join(fraud_flag_codes(withdrawal))}")
        self.stdout.write(self.style.SUCCESS(f"{len(moved)} withdrawal(s) moved to review."))
