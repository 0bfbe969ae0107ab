"""Move chat messages older than N days to the archive table (beat runs the same daily at 02:00)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from chat.services import messages_archive

DEFAULT_DAYS = 90
DEFAULT_BATCH = 1000


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Move chat messages older than --older-than days to the archive, --batch-size rows per transaction."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=_positive, default=DEFAULT_DAYS, metavar="DAYS", help=f"default {DEFAULT_DAYS}"
        )
        parser.add_argument(
            "--batch-size", type=_positive, default=DEFAULT_BATCH, metavar="ROWS", help=f"default {DEFAULT_BATCH}"
        )

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(days=options["older_than"])
        moved = messages_archive(older_than=cutoff, batch_size=options["batch_size"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Archived {moved} message{'s' if moved != 1 else ''} older than {options['older_than']} days."
            )
        )
