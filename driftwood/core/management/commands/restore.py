from django.core.management.base import BaseCommand, CommandError

from driftwood.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` (its own folder: a directory or s3://bucket/prefix/"
        "driftwood-...) into an EMPTY database; refuses a database that has any table."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup's folder, as `backup` printed it")
        parser.add_argument("--database-url", help="the empty database to restore into (default: the configured one)")
        parser.add_argument("--no-media", action="store_true", help="restore the database only, not the media files")

    def handle(self, *args, source, database_url=None, no_media=False, **options):
        try:
            manifest = restore(source=source, database_url=database_url, media=not no_media)
        except (BackupError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        media = "skipped" if no_media else f"{manifest['media_files']} files"
        self.stdout.write(f"Backup of {manifest['created_at']}; media: {media}")
        self.stdout.write(self.style.SUCCESS("Restored. Next: `manage.py migrate`, then `manage.py wallet_reconcile`."))
