"""Core migrations 0001-0004 in one, for new databases.

Made as `manage.py squashmigrations` makes them (`replaces`: a database that applied any of the
replaced migrations goes on with those; only a fresh one runs this), but written from the app's
final migration state: one CreateModel per model, columns in the order the replaced migrations left
them. Django's optimizer cannot fold a later AddField/AlterField/AddIndex into a CreateModel across
a RunPython, a RunSQL or a trigger, so those run last, in their original order; on the new, empty
tables each does what it did in core 0003_pg_trgm (the function is copied from there unchanged).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def create_where_available(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is not None:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):

    replaces = [('core', '0001_initial'), ('core', '0002_idempotency_key_finished'), ('core', '0003_pg_trgm'), ('core', '0004_verbose_names_translatable')]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('endpoint', models.CharField(max_length=255, verbose_name='endpoint')),
                ('key', models.CharField(max_length=255, verbose_name='key')),
                ('fingerprint', models.CharField(max_length=64, verbose_name='fingerprint')),
                ('response_status', models.PositiveSmallIntegerField(verbose_name='response status')),
                ('response_body', models.JSONField(verbose_name='response body')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='created at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('finished', models.BooleanField(default=True, verbose_name='finished')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'endpoint', 'key'), name='idempotency_key_unique')],
                'indexes': [],
                'verbose_name': 'idempotency key',
                'verbose_name_plural': 'idempotency keys',
            },
        ),
        migrations.RunPython(
            code=create_where_available,
            reverse_code=migrations.RunPython.noop,
        ),
    ]
