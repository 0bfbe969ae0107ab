"""The test databases' template is rebuilt whenever any migration of the project changes."""

from pathlib import Path

from django.apps import apps

from tests import template_db


def test_the_digest_covers_every_project_apps_migrations():
    covered = {path.parent.parent for path in template_db.migration_files()}

    # apps at the top level and under driftwood/ alike
    assert Path(apps.get_app_config("wallet").path) in covered
    assert Path(apps.get_app_config("accounts").path) in covered
    assert Path(apps.get_app_config("notifications").path) in covered
    # and no installed package's (Django's own apps never change within a checkout)
    assert Path(apps.get_app_config("auth").path) not in covered


def test_the_digest_changes_with_any_migration(tmp_path, monkeypatch):
    files = [tmp_path / "a.py", tmp_path / "b.py"]
    for file in files:
        file.write_text("operations = []\n")
    monkeypatch.setattr(template_db, "BASE_DIR", tmp_path)
    monkeypatch.setattr(template_db, "migration_files", lambda: files)
    before = template_db.migrations_digest()

    files[1].write_text("operations = ['changed']\n")

    assert template_db.migrations_digest() != before
