"""manage.py backup / restore through an S3-compatible bucket: moto's S3 server, a real HTTP server
on this machine that boto3 talks to as it would to S3 or MinIO (BACKUP_S3_ENDPOINT_URL)."""

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.core.backup_support import create_empty_database, drop_database, scratch_database_name, snapshot, worker
from tests.factories import UserFactory, funded_wallet
from tests.services import require

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def s3_server(monkeypatch):
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        require(False, "moto's S3 server is not installed (requirements-dev.txt)")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for key, value in {
        "BACKUP_S3_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "driftwood-test",
        "AWS_SECRET_ACCESS_KEY": "driftwood-test-secret",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(key, value)
    import boto3

    client = boto3.client("s3", endpoint_url=f"http://{host}:{port}")
    # moto keeps its buckets per process, not per server: each test has its own
    bucket = f"driftwood-backups-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    yield client, bucket
    server.stop()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test's own, empty MEDIA_ROOT: a restore refuses to write over files already there."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def scratch_database():
    name = scratch_database_name(f"s3restore_{worker()}")
    url = create_empty_database(name)
    yield name, url
    drop_database(name)


def test_a_backup_in_a_bucket_restores_the_books(s3_server, scratch_database, media_root):
    client, bucket = s3_server
    # given a funded wallet, and media files on disk
    funded_wallet(UserFactory(), "125.50")
    media_root.mkdir()
    (media_root / "note.txt").write_text("kept")
    from django.db import connection

    before = snapshot(connection.settings_dict["NAME"])

    # when it is backed up to s3://bucket/nightly
    out = StringIO()
    call_command("backup", f"s3://{bucket}/nightly", stdout=out)
    location = out.getvalue().rsplit("Backed up to ", 1)[1].strip()
    keys = sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"])

    # then the bucket holds the dump, the media and the manifest under one folder
    folder = location.removeprefix(f"s3://{bucket}/")
    assert folder.startswith("nightly/driftwood-")
    assert keys == [f"{folder}/database.dump", f"{folder}/manifest.json", f"{folder}/media.tar.gz"]

    # and restored from there into an empty database (media files lost meanwhile)
    (media_root / "note.txt").unlink()
    name, url = scratch_database
    call_command("restore", location, "--database-url", url, stdout=StringIO())
    assert snapshot(name) == before
    assert (media_root / "note.txt").read_text() == "kept"


def test_a_folder_without_a_manifest_is_not_restored(s3_server, scratch_database):
    client, bucket = s3_server
    # given an unfinished backup: a dump but no manifest
    client.put_object(Bucket=bucket, Key="half/database.dump", Body=b"PGDMP")
    _name, url = scratch_database

    # when it is restored, then it is refused
    with pytest.raises(CommandError, match=r"no manifest\.json"):
        call_command("restore", f"s3://{bucket}/half", "--database-url", url, stdout=StringIO())
