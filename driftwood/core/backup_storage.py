"""Where backups go: a directory, or an S3-compatible bucket (`s3://bucket/prefix`).

Both stores hold the same layout, one folder per backup (`driftwood-<UTC time>/`) with
`database.dump`, `media.tar.gz` and `manifest.json`, the manifest written last: a backup without
its manifest is unfinished and `restore` refuses it.

S3 goes through boto3 with its usual credential chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
an instance role, ~/.aws); `BACKUP_S3_ENDPOINT_URL` points it at another S3-compatible service
(MinIO, Ceph, R2, a local test server).
"""

import os
import shutil
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit


class BackupStore(Protocol):
    """A folder of files, local or in a bucket."""

    location: str

    def put(self, local: Path, name: str) -> None: ...

    def get(self, name: str, local: Path) -> None: ...

    def exists(self, name: str) -> bool: ...


class DirectoryStore(BackupStore):
    def __init__(self, path: Path):
        self.path = path
        self.location = str(path)

    def put(self, local: Path, name: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, self.path / name)

    def get(self, name: str, local: Path) -> None:
        shutil.copyfile(self.path / name, local)

    def exists(self, name: str) -> bool:
        return (self.path / name).is_file()


class S3Store(BackupStore):
    def __init__(self, bucket: str, prefix: str):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.client = boto3.client("s3", endpoint_url=os.environ.get("BACKUP_S3_ENDPOINT_URL") or None)

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, local: Path, name: str) -> None:
        self.client.upload_file(str(local), self.bucket, self._key(name))

    def get(self, name: str, local: Path) -> None:
        self.client.download_file(self.bucket, self._key(name), str(local))

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def store_for(location: str) -> BackupStore:
    """The store behind a path or an `s3://bucket/prefix` URL."""
    parts = urlsplit(location)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"{location}: an S3 URL names its bucket, s3://bucket/prefix")
        return S3Store(parts.netloc, parts.path)
    if parts.scheme and parts.scheme != "file":
        raise ValueError(f"{location}: backups go to a directory or an s3:// URL")
    return DirectoryStore(Path(parts.path if parts.scheme == "file" else location).expanduser().resolve())


def child(store: BackupStore, name: str) -> BackupStore:
    """The store of one backup inside a store of backups."""
    if isinstance(store, S3Store):
        return S3Store(store.bucket, f"{store.prefix}/{name}" if store.prefix else name)
    assert isinstance(store, DirectoryStore)
    return DirectoryStore(store.path / name)
