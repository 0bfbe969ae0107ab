"""Let players back in whose suspensions have ended (beat runs the same every 5 minutes)."""

from django.core.management.base import BaseCommand

from social.moderation import suspensions_lift


class Command(BaseCommand):
    help = "Reactivate every player whose suspensions have all ended (banned players stay out)."

    def handle(self, *args, **options):
        lifted = suspensions_lift()
        self.stdout.write(self.style.SUCCESS(f"Lifted the suspension of {lifted} player{'s' if lifted != 1 else ''}."))
