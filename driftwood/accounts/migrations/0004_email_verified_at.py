from django.db import migrations, models
from django.db.models import F


def grandfather_existing_addresses(apps, schema_editor):
    """Accounts made before addresses were verified keep withdrawing: their address counts as
    verified since they joined (new sign-ups confirm theirs by link)."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(email_verified_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(grandfather_existing_addresses, migrations.RunPython.noop, elidable=True),
    ]
