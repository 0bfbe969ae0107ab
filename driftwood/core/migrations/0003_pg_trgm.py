"""pg_trgm, for the GIN trigram indexes that serve name searches (ILIKE '%term%')."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotency_key_finished")]

    operations = [TrigramExtension()]
