"""Re-check every stored dispute evidence file by its bytes; quarantine what is not an allowed type.

Safe to run again: quarantined files are skipped, allowed ones stay as they are.
"""

from collections import Counter

from django.core.management.base import BaseCommand

from tournaments.brackets.selectors import dispute_ids_with_evidence
from tournaments.services.evidence import Outcome, dispute_evidence_recheck


class Command(BaseCommand):
    help = (
        "Check stored dispute evidence by its bytes (PNG, JPEG, WebP, GIF, PDF, MP4 only); move any other "
        "file under quarantine/ and stop serving it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be quarantined; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        counts: Counter[Outcome] = Counter()
        for dispute_id in dispute_ids_with_evidence():
            outcome = dispute_evidence_recheck(dispute_id=dispute_id, dry_run=dry_run)
            counts[outcome] += 1
            if outcome == Outcome.QUARANTINED:
                verb = "would quarantine" if dry_run else "quarantined"
                self.stdout.write(self.style.WARNING(f"Dispute {dispute_id}: {verb} (not an allowed file type)."))
            elif outcome == Outcome.MISSING:
                self.stdout.write(f"Dispute {dispute_id}: the file is missing from storage.")
        checked = sum(counts.values())
        summary = ", ".join(f"{counts[outcome]} {outcome}" for outcome in Outcome if outcome != Outcome.NO_FILE)
        files = f"{checked} evidence file{'s' if checked != 1 else ''}"
        prefix = "Dry run: checked" if dry_run else "Checked"
        self.stdout.write(self.style.SUCCESS(f"{prefix} {files}: {summary}."))
