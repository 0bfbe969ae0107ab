"""Pay the prizes and fees of completed events whose dispute window has passed (beat runs the same every 10 minutes)."""

from django.core.management.base import BaseCommand

from tournaments.services.results import results_process_due


class Command(BaseCommand):
    help = "Pay prizes and entry fees of every completed event whose dispute window has passed."

    def handle(self, *args, **options):
        paid = results_process_due()
        self.stdout.write(self.style.SUCCESS(f"Paid results of {paid} event{'s' if paid != 1 else ''}."))
