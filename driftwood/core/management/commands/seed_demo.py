"""Demo data for a fresh platform: a staff member and a few players (safe to re-run)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from driftwood.accounts.models import User
from driftwood.accounts.services import user_create

DEMO_PASSWORD = "driftwood-demo-2026"
STAFF = ("admin", "Driftwood Staff")
PLAYERS = (
    ("aiman", "Aiman the Ace"),
    ("mei_ling", "Mei Ling"),
    ("ravi", "Ravi R."),
    ("siti", "Siti Nurhaliza"),
    ("jun_wei", "Jun Wei"),
    ("farah", "Farah K."),
)


class Command(BaseCommand):
    help = "Create demo accounts (staff and players) and print their credentials."

    def _ensure_user(self, username: str, display_name: str, *, staff: bool = False) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = user_create(
                username=username,
                email=f"{username}@demo.driftwood.my",
                password=DEMO_PASSWORD,
                display_name=display_name,
            )
        if staff and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        return user

    @transaction.atomic
    def handle(self, *args, **options):
        self._ensure_user(*STAFF, staff=True)
        for username, display_name in PLAYERS:
            self._ensure_user(username, display_name)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  staff:   {STAFF[0]}  (Django admin at /admin/)")
        self.stdout.write("  players: " + ", ".join(username for username, _ in PLAYERS))
