from django.core.management.base import BaseCommand, CommandError

from driftwood.core.migration_safety import project_findings, unsafe_migrations


class Command(BaseCommand):
    help = (
        "Check the project's migrations for operations that break the previous release while it still "
        "serves (NOT NULL columns without db_default, dropped or renamed columns and tables, type changes, "
        "indexes built without CONCURRENTLY). Exits non-zero on any outside the allowlist."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="list every finding, allowlisted ones too")

    def handle(self, *args, all=False, **options):
        if all:
            for finding in project_findings():
                self.stdout.write(str(finding))
        new, stale = unsafe_migrations()
        for finding in new:
            self.stderr.write(self.style.ERROR(str(finding)))
        for app_label, name in stale:
            self.stderr.write(self.style.ERROR(f"{app_label}.{name}: allowlisted but finds nothing: remove it"))
        if new or stale:
            raise CommandError(f"{len(new)} unsafe operation(s), {len(stale)} stale allowlist entr(ies)")
        self.stdout.write(self.style.SUCCESS("Every migration is safe to apply while the previous release serves."))
