"""Close registration on open events whose deadline has passed (beat runs the same every 5 minutes)."""

from django.core.management.base import BaseCommand

from tournaments.services.events import registrations_close_due


class Command(BaseCommand):
    help = "Close registration on every open event whose registration deadline has passed."

    def handle(self, *args, **options):
        closed = registrations_close_due()
        self.stdout.write(self.style.SUCCESS(f"Closed registration on {closed} event{'s' if closed != 1 else ''}."))
