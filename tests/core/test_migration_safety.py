"""manage.py migrations_safety: migrations must be safe to apply while the previous release serves."""

from io import StringIO

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.core.management import CommandError, call_command
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from driftwood.core import migration_safety
from driftwood.core.migration_safety import migration_findings


def current_state():
    return MigrationLoader(None, ignore_no_migrations=True).project_state()


def problems_of(*operations, app_label: str = "wallet") -> list[str]:
    migration = type("Migration", (migrations.Migration,), {"operations": list(operations)})(
        "0999_synthetic", app_label
    )
    return [finding.problem for finding in migration_findings(app_label, migration, current_state())]


def test_the_projects_migrations_are_safe_or_allowlisted():
    out = StringIO()
    call_command("migrations_safety", stdout=out)
    assert "Every migration is safe" in out.getvalue()


def test_a_not_null_column_without_a_database_default_is_caught():
    problems = problems_of(
        migrations.AddField("wallet", "nickname", models.CharField(max_length=20, default="")),
    )

    assert problems == ["adds a NOT NULL column without db_default: the previous release's INSERTs fail"]


def test_nullable_columns_and_columns_with_a_database_default_pass():
    assert (
        problems_of(
            migrations.AddField("wallet", "nickname", models.CharField(max_length=20, null=True)),
            migrations.AddField("wallet", "tier", models.IntegerField(default=0, db_default=0)),
        )
        == []
    )


def test_dropping_or_renaming_columns_and_tables_is_caught():
    problems = problems_of(
        migrations.RemoveField("wallet", "bank_name"),
        migrations.RenameField("wallet", "account_holder_name", "holder"),
        migrations.RenameModel("StripeEvent", "StripeNotice"),
        migrations.DeleteModel("StripeNotice"),
    )

    assert len(problems) == 4
    assert problems[0] == "drops or renames a column the previous release still uses"
    assert problems[3] == "drops or renames a table the previous release still uses"


def test_changing_a_columns_type_or_shrinking_it_is_caught_and_widening_a_varchar_passes():
    assert problems_of(migrations.AlterField("wallet", "bank_name", models.TextField(blank=True))) == [
        "changes the column's type (CharField -> TextField)"
    ]
    assert problems_of(migrations.AlterField("wallet", "bank_name", models.CharField(max_length=100, blank=True))) == [
        "shrinks the column (max_length)"
    ]
    assert problems_of(migrations.AlterField("wallet", "bank_name", models.CharField(max_length=500, blank=True))) == []


def test_an_index_is_built_concurrently_on_an_existing_table_and_may_be_plain_on_a_new_one():
    index = models.Index(fields=["bank_name"], name="wallet_bank_name")
    assert problems_of(migrations.AddIndex("wallet", index)) == [
        "builds an index without CONCURRENTLY on an existing table (writes wait for the build)"
    ]
    assert problems_of(AddIndexConcurrently("wallet", index)) == []
    assert (
        problems_of(
            migrations.CreateModel(
                "Payslip", [("id", models.BigAutoField(primary_key=True)), ("note", models.TextField())]
            ),
            migrations.AddIndex("payslip", models.Index(fields=["note"], name="payslip_note")),
            migrations.AddField("payslip", "amount", models.IntegerField()),
        )
        == []
    )


def test_a_new_unsafe_migration_fails_the_command_and_so_does_a_stale_allowlist_entry(monkeypatch):
    # given the allowlist without one landed migration, and with one that finds nothing
    allowed = dict(migration_safety.ALLOWED)
    del allowed["wallet", "0005_topup_payment_methods"]
    allowed["wallet", "0001_initial"] = "stale"
    monkeypatch.setattr(migration_safety, "ALLOWED", allowed)
    err = StringIO()

    # when the check runs, then it fails naming both
    with pytest.raises(CommandError, match="unsafe operation"):
        call_command("migrations_safety", stdout=StringIO(), stderr=err)
    assert "wallet.0005_topup_payment_methods: Add field fpx_bank to topup" in err.getvalue()
    assert "wallet.0001_initial: allowlisted but finds nothing" in err.getvalue()


def test_a_squashed_migration_is_checked_and_so_are_the_migrations_it_replaces():
    flagged = {(finding.app_label, finding.migration) for finding in migration_safety.project_findings()}

    # replaced by wallet.0001_squashed_0009 but still run by databases that applied some of 0001-0008
    assert ("wallet", "0005_topup_payment_methods") in flagged
    # the squashes only create their tables (fresh databases run them)
    assert not [key for key in flagged if "_squashed_" in key[1]]
