from django.core.management.base import BaseCommand, CommandError

from driftwood.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format, one consistent snapshot) and the media files "
        "into a new folder under DESTINATION: a directory or s3://bucket/prefix."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="a directory, or s3://bucket/prefix")
        parser.add_argument("--database-url", help="the database to dump (default: the configured one)")

    def handle(self, *args, destination, database_url=None, **options):
        try:
            result = backup(destination=destination, database_url=database_url)
        except (BackupError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        files = result.manifest["files"]
        self.stdout.write(f"Database {result.manifest['database']}: {files['database.dump']['bytes']} bytes")
        self.stdout.write(f"Media: {result.manifest['media_files']} files")
        self.stdout.write(self.style.SUCCESS(f"Backed up to {result.location}"))
