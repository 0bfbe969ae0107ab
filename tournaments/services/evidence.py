"""Re-checking dispute evidence already stored (`manage.py quarantine_evidence`).

Files uploaded before the byte check (tournaments/evidence.py) may be HTML, SVG or anything
else. Each stored file is read again: an allowed one gets its type recorded, any other is moved
under `quarantine/` in the same storage and marked, so no view serves it again.
"""

from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from tournaments.evidence import kind_of_file
from tournaments.models import Dispute

QUARANTINE_PREFIX = "quarantine/"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    QUARANTINED = "quarantined"
    ALREADY_QUARANTINED = "already quarantined"
    MISSING = "missing"
    NO_FILE = "no file"


def dispute_evidence_recheck(*, dispute_id: int, dry_run: bool = False) -> Outcome:
    """Check one dispute's stored file by its bytes; quarantine it unless it is an allowed kind."""
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        if not dispute.evidence:
            return Outcome.NO_FILE
        if dispute.evidence_quarantined_at is not None:
            return Outcome.ALREADY_QUARANTINED
        storage, name = dispute.evidence.storage, dispute.evidence.name
        try:
            with storage.open(name, "rb") as handle:
                kind = kind_of_file(handle)
                if kind is None and not dry_run:
                    quarantined_name = storage.save(f"{QUARANTINE_PREFIX}{name}", handle)
        except FileNotFoundError:
            return Outcome.MISSING
        if kind is not None:
            if dispute.evidence_type != kind.content_type and not dry_run:
                dispute.evidence_type = kind.content_type
                dispute.save(update_fields=["evidence_type"])
            return Outcome.ALLOWED
        if dry_run:
            return Outcome.QUARANTINED
        dispute.evidence.name = quarantined_name
        dispute.evidence_type = ""
        dispute.evidence_quarantined_at = timezone.now()
        dispute.save(update_fields=["evidence", "evidence_type", "evidence_quarantined_at"])
        # The original goes once the row points at the copy; a rollback leaves both, neither served.
        transaction.on_commit(lambda: storage.delete(name))
    return Outcome.QUARANTINED
