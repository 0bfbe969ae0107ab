"""manage.py backup / restore: a backup restores every balance, ledger row and chat message into
an empty database, whose books then reconcile; restore never touches a database that has tables."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from chat.services import message_post, room_for
from driftwood.core.backup import database_settings, relation_count
from tests.core.backup_support import (
    create_empty_database,
    drop_database,
    reconcile_in,
    scratch_database_name,
    snapshot,
    worker,
)
from tests.factories import UserFactory
from tests.wallet.bank_support import ready_to_withdraw
from tournaments.models import Event, Registration
from wallet.services.withdrawals import withdrawal_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_database():
    name = scratch_database_name(f"restore_{worker()}")
    url = create_empty_database(name)
    yield name, url
    drop_database(name)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def books_with_chat() -> None:
    """Demo players with funds, paid entries, a played match; chat in an event room; a withdrawal; an upload."""
    call_command("seed_demo", stdout=StringIO())
    registration = Registration.objects.filter(event__entry_fee__gt=0, team__isnull=True).first()
    room = room_for(user_id=registration.user_id, room_id=f"event_{registration.event_id}")
    for text in ("gg all", "who is streaming tonight?", "Selamat maju jaya!"):
        message_post(room=room, sender=registration.user, text=text)
    player = UserFactory()
    ready_to_withdraw(player, "80.00")
    withdrawal_request(user=player, amount=Decimal("30.00"), ip="203.0.113.9", user_agent="pytest")
    default_storage.save("disputes/evidence.png", ContentFile(b"\x89PNG evidence"))


def the_only_backup(directory: Path) -> Path:
    (backup,) = directory.iterdir()
    assert sorted(path.name for path in backup.iterdir()) == ["database.dump", "manifest.json", "media.tar.gz"]
    return backup


def test_a_backup_restores_every_balance_ledger_row_and_message_and_reconciles(tmp_path, media_root, scratch_database):
    # given books with money in wallets, escrow and fees, chat messages and an uploaded file
    books_with_chat()
    before = snapshot(connection.settings_dict["NAME"])
    assert before["wallet_ledgerentry"] and before["chat_chatmessage"] and before["wallet_withdrawal"]
    assert Event.objects.filter(escrow_wallet__current_balance__gt=0).exists()

    # when it is backed up, and the files and database are lost
    out = StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    backup = the_only_backup(tmp_path / "backups")
    assert f"Backed up to {backup}" in out.getvalue()
    (media_root / "disputes" / "evidence.png").unlink()

    # and restored into an empty database
    name, url = scratch_database
    call_command("restore", str(backup), "--database-url", url, stdout=StringIO())

    # then every row came back as it was, the file too, and the books reconcile there
    after = snapshot(name)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert (media_root / "disputes" / "evidence.png").read_bytes() == b"\x89PNG evidence"
    reconciled = reconcile_in(name)
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert "Ledger total (must be 0): 0.00" in reconciled.stdout
    assert "Reconciled" in reconciled.stdout


def test_restore_refuses_a_database_that_has_tables(tmp_path, media_root, scratch_database):
    # given a backup, restored once into the scratch database
    UserFactory()
    call_command("backup", str(tmp_path / "backups"), stdout=StringIO())
    backup = the_only_backup(tmp_path / "backups")
    name, url = scratch_database
    call_command("restore", str(backup), "--database-url", url, "--no-media", stdout=StringIO())
    rows = snapshot(name)

    # when it is restored there again
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup), "--database-url", url, "--no-media", stdout=StringIO())

    # then nothing changed
    assert snapshot(name) == rows


def test_restore_refuses_a_dump_that_does_not_match_its_manifest(tmp_path, media_root, scratch_database):
    # given a backup whose dump was damaged afterwards
    call_command("backup", str(tmp_path / "backups"), stdout=StringIO())
    backup = the_only_backup(tmp_path / "backups")
    with (backup / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    _name, url = scratch_database

    # when it is restored, then it is refused and the database stays empty
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(backup), "--database-url", url, stdout=StringIO())
    assert relation_count(database_settings(url)) == 0
