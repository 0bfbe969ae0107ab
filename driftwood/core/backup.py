"""`manage.py backup` and `manage.py restore`: the database (pg_dump, custom format) and the media
files, to and from a directory or an S3-compatible bucket (driftwood.core.backup_storage).

Consistency: pg_dump reads one snapshot of the whole database (a single repeatable-read
transaction), so every balance, ledger row and message in a dump agree with each other. The media
files are packed after the dump: uploads are only ever added, so every file a dumped row names is
in the archive (a file uploaded meanwhile is there too, unreferenced and harmless).

Restore goes only into an empty database (no table, view or sequence outside PostgreSQL's own
schemas): it never merges into or overwrites live data. It checks every file against the
manifest's SHA-256 first, then runs pg_restore in one transaction, so a failed restore leaves
the database empty again.

The client tools: the newest pg_dump / pg_restore among `PG_BIN_DIR`, the pip-installed
pgserver's (the embedded mode's server) and `PATH`. pg_dump must be at least the server's major
version, pg_restore at least the version that wrote the dump; each refusal says so.
"""

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connections
from django.utils import timezone

from driftwood.core.backup_storage import BackupStore, child, store_for

DUMP, MEDIA, MANIFEST = "database.dump", "media.tar.gz", "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class Tool:
    path: str
    major: int


def _version(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"\) (\d+)", out)
    return int(found.group(1)) if found else None


def _candidate_dirs() -> list[str]:
    dirs = [os.environ["PG_BIN_DIR"]] if os.environ.get("PG_BIN_DIR") else []
    # The embedded mode's PostgreSQL (pgserver) ships its client tools; found without importing it.
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        dirs.append(str(Path(spec.origin).parent / "pginstall" / "bin"))
    return dirs


def find_tool(name: str, *, at_least: int) -> Tool:
    """The newest `name` available; it must be of major version `at_least` or later."""
    paths = [str(Path(directory) / name) for directory in _candidate_dirs()]
    if found := shutil.which(name):
        paths.append(found)
    tools = [Tool(path, major) for path in paths if (major := _version(path)) is not None]
    if not tools:
        raise BackupError(f"{name} not found: install PostgreSQL's client tools or set PG_BIN_DIR")
    best = max(tools, key=lambda tool: tool.major)
    if best.major < at_least:
        raise BackupError(
            f"{name} {best.major} ({best.path}) is older than {at_least}, which this needs: "
            f"install PostgreSQL {at_least}'s client tools or set PG_BIN_DIR"
        )
    return best


def libpq_env(database: dict) -> dict[str, str]:
    """The environment that points pg_dump / pg_restore at a Django database's settings."""
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database["NAME"],
        "PGSSLMODE": (database.get("OPTIONS") or {}).get("sslmode", ""),
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def database_settings(url: str | None) -> dict:
    """Django's settings for `url`, or the default database's."""
    if not url:
        return connections["default"].settings_dict
    import environ

    parsed = environ.Env.db_url_config(url)
    if not parsed.get("HOST") and "host" in parsed.get("OPTIONS", {}):
        parsed["HOST"] = parsed["OPTIONS"].pop("host")
    return parsed


def _connect(database: dict) -> psycopg.Connection:
    options = database.get("OPTIONS") or {}
    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "sslmode": options.get("sslmode"),
    }
    return psycopg.connect(autocommit=True, **{key: value for key, value in params.items() if value})


def server_major(database: dict) -> int:
    with _connect(database) as conn:
        return conn.info.server_version // 10000


USER_RELATIONS_SQL = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
"""


def relation_count(database: dict) -> int:
    with _connect(database) as conn:
        return conn.execute(USER_RELATIONS_SQL).fetchone()[0]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pack_media(media_root: Path, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media_root)))
                    count += 1
    return count


@dataclass(frozen=True)
class BackupResult:
    location: str
    manifest: dict


def backup(*, destination: str, database_url: str | None = None) -> BackupResult:
    """Dump the database and pack the media files into a new folder under `destination`."""
    database = database_settings(database_url)
    pg_dump = find_tool("pg_dump", at_least=server_major(database))
    started = timezone.now()
    name = f"driftwood-{started:%Y%m%dT%H%M%S.%fZ}"
    store = child(store_for(destination), name)
    with tempfile.TemporaryDirectory(prefix="driftwood-backup-") as scratch:
        dump, media = Path(scratch) / DUMP, Path(scratch) / MEDIA
        command = [pg_dump.path, "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)]
        result = subprocess.run(command, env=libpq_env(database), capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        media_files = _pack_media(Path(settings.MEDIA_ROOT), media)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": started.isoformat(),
            "database": database["NAME"],
            "pg_dump_major": pg_dump.major,
            "media_files": media_files,
            "files": {file.name: {"sha256": _sha256(file), "bytes": file.stat().st_size} for file in (dump, media)},
        }
        (Path(scratch) / MANIFEST).write_text(json.dumps(manifest, indent=2))
        for file_name in (DUMP, MEDIA, MANIFEST):  # the manifest last: it marks the backup complete
            store.put(Path(scratch) / file_name, file_name)
    return BackupResult(location=store.location, manifest=manifest)


def _fetch(store: BackupStore, scratch: Path) -> dict:
    if not store.exists(MANIFEST):
        raise BackupError(f"{store.location}: no {MANIFEST}; not a backup, or an unfinished one")
    store.get(MANIFEST, scratch / MANIFEST)
    manifest = json.loads((scratch / MANIFEST).read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{store.location}: backup format {manifest.get('format')}, expected {FORMAT_VERSION}")
    for file_name, expected in manifest["files"].items():
        store.get(file_name, scratch / file_name)
        if _sha256(scratch / file_name) != expected["sha256"]:
            raise BackupError(f"{store.location}/{file_name} does not match its checksum in the manifest")
    return manifest


def _unpack_media(archive_path: Path, media_root: Path) -> int:
    with tarfile.open(archive_path, "r:gz") as archive:
        members = archive.getmembers()
        archive.extractall(media_root, filter="data")
    return sum(1 for member in members if member.isfile())


def restore(*, source: str, database_url: str | None = None, media: bool = True) -> dict:
    """Restore the backup at `source` (a backup's own folder) into an empty database."""
    database = database_settings(database_url)
    if tables := relation_count(database):
        raise BackupError(
            f"database {database['NAME']} is not empty ({tables} tables, views or sequences): "
            "restore only into a new, empty database"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media and media_root.is_dir() and any(path.is_file() for path in media_root.rglob("*")):
        raise BackupError(f"MEDIA_ROOT {media_root} already holds files: empty it, or pass --no-media")
    with tempfile.TemporaryDirectory(prefix="driftwood-restore-") as scratch_dir:
        scratch = Path(scratch_dir)
        manifest = _fetch(store_for(source), scratch)
        pg_restore = find_tool("pg_restore", at_least=manifest["pg_dump_major"])
        command = [
            pg_restore.path,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            database["NAME"],
            str(scratch / DUMP),
        ]
        result = subprocess.run(command, env=libpq_env(database), capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
        if media:
            media_root.mkdir(parents=True, exist_ok=True)
            _unpack_media(scratch / MEDIA, media_root)
    return manifest
