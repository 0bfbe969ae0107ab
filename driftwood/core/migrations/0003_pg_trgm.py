"""pg_trgm, for the GIN trigram indexes that serve name searches (ILIKE '%term%'), where the server
has it: the embedded development server (pgserver) has no contrib extensions, and there
driftwood.core.indexes.TrigramIndex builds plain b-tree indexes instead."""

from django.db import migrations


def create_where_available(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is not None:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotency_key_finished")]

    operations = [migrations.RunPython(create_where_available, migrations.RunPython.noop)]
