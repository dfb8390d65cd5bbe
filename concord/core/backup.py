"""Backup and restore of a deployment: the database and the attachments (docs/operations.md).

A backup is a directory:
- ``manifest.json``: when and from what it was made, the migration state (every applied migration,
  and the latest per app), every table's row count and checksum, the files and their SHA-256;
- ``database.sqlite3`` (SQLite, copied through its online backup API: consistent while the site
  runs) or ``database.dump`` (PostgreSQL, ``pg_dump --format=custom`` of one snapshot, the same
  snapshot the row counts and checksums are read from);
- ``media/``: the local attachments folder (MEDIA_ROOT). Attachments in S3-compatible storage are
  not copied (the manifest says so): back the bucket up with the store's own versioning or replication.

A restore refuses a backup whose migration state the code does not know (made by a newer
version: install that version first), replaces the target database's content, checks every
table's row count and checksum against the manifest, and puts the attachments back.

A table's checksum is the sum, modulo 2^256, of the SHA-256 of each row's values: independent
of row order (no sort over a million rows), equal only when the same rows come back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import json
import os
from pathlib import Path
import shutil
import sqlite3
import subprocess
import tempfile

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
_MOD = 2 ** 256


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _conn(database):
    """A database alias ("default") or a connection object (a restore target built on the fly)."""
    return connections[database] if isinstance(database, str) else database


# --- fingerprints --------------------------------------------------------------------------------

def _row_digest(row) -> int:
    parts = []
    for value in row:
        if isinstance(value, memoryview):
            value = bytes(value)
        parts.append(repr(value))
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest(), "big")


def _fingerprint_cursor(cursor, tables, quote) -> dict[str, dict]:
    out = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {quote(table)}")
        rows, total = 0, 0
        while True:
            chunk = cursor.fetchmany(2000)
            if not chunk:
                break
            rows += len(chunk)
            for row in chunk:
                total = (total + _row_digest(row)) % _MOD
        out[table] = {"rows": rows, "checksum": f"{total:064x}"}
    return out


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_file_fingerprints(path: Path) -> dict[str, dict]:
    """Row counts and checksums of every table of a SQLite file, read with a plain connection
    (no Django type converters), so that a backup and a restored copy are read alike."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return _fingerprint_cursor(con.cursor(), tables, _sqlite_quote)
    finally:
        con.close()


def _sqlite_applied(path: Path) -> list[list[str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [list(r) for r in con.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def _pg_fingerprints(connection) -> dict[str, dict]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return _fingerprint_cursor(cursor, tables, connection.ops.quote_name)


def _pg_applied(connection) -> list[list[str]]:
    """The applied migrations, read with the connection's own cursor (PostgreSQL, or any engine)."""
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return []
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(r) for r in cursor.fetchall()]


def database_fingerprints(alias="default") -> dict[str, dict]:
    """Row counts and checksums of the live database ``alias``, read as a backup reads them."""
    connection = _conn(alias)
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "copy.sqlite3"
            _sqlite_copy_out(connection, copy)
            return sqlite_file_fingerprints(copy)
    if connection.vendor == "postgresql":
        with _snapshot_transaction(connection):
            return _pg_fingerprints(connection)
    raise BackupError(f"Unsupported database engine: {connection.vendor}.")


class _snapshot_transaction:
    """A REPEATABLE READ transaction on ``connection`` (one snapshot for every table read)."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        if self.connection.in_atomic_block:
            raise BackupError("A backup cannot run inside a transaction.")
        self.connection.ensure_connection()
        self.connection.set_autocommit(False)
        with self.connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return self

    def __exit__(self, *exc):
        self.connection.rollback()  # read only
        self.connection.set_autocommit(True)
        return False


def latest_per_app(applied) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# --- backup --------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_copy_out(connection, target: Path) -> None:
    """The online backup API (sqlite3.Connection.backup): a consistent copy while others write."""
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        with connection.wrap_database_errors:
            connection.connection.backup(dest)
        # The copy carries the live database's WAL mode; one self-contained file is what a backup wants.
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()


def _pg_env(connection) -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    for key, value in (("PGHOST", s.get("HOST")), ("PGPORT", s.get("PORT")), ("PGUSER", s.get("USER")),
                       ("PGPASSWORD", s.get("PASSWORD")), ("PGDATABASE", s.get("NAME"))):
        if value:
            env[key] = str(value)
    return env


def _run(args, env):
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{args[0]} was not found: install the PostgreSQL client programs (postgresql-client).")
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


def _media_backend() -> str:
    storages = getattr(settings, "STORAGES", {}) or {}
    return (storages.get("default") or {}).get("BACKEND", "django.core.files.storage.FileSystemStorage")


def _media_is_local() -> bool:
    return _media_backend().endswith("FileSystemStorage")


def _tree_summary(root: Path) -> dict:
    files, size, digest = 0, 0, 0
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            files += 1
            size += path.stat().st_size
            line = f"{path.relative_to(root).as_posix()}\x1f{_sha256_file(path)}"
            digest = (digest + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")) % _MOD
    return {"files": files, "bytes": size, "checksum": f"{digest:064x}"}


@dataclass
class Outcome:
    directory: Path
    manifest: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def backup(directory, *, alias="default", media: bool = True) -> Outcome:
    """Write a backup of database ``alias`` (and the attachments) into ``directory``, which must
    be new or empty."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new directory.")
    directory.mkdir(parents=True, exist_ok=True)
    connection = _conn(alias)
    outcome = Outcome(directory)
    files = {}
    if connection.vendor == "sqlite":
        target = directory / SQLITE_FILE
        _sqlite_copy_out(connection, target)
        tables = sqlite_file_fingerprints(target)
        applied = _sqlite_applied(target)
        files[SQLITE_FILE] = _sha256_file(target)
    elif connection.vendor == "postgresql":
        target = directory / PG_FILE
        # One snapshot for the dump and the fingerprints: pg_dump joins this transaction's snapshot.
        with _snapshot_transaction(connection):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                  f"--file={target}"], _pg_env(connection))
            tables = _pg_fingerprints(connection)
            applied = _pg_applied(connection)
        files[PG_FILE] = _sha256_file(target)
    else:
        raise BackupError(f"Unsupported database engine: {connection.vendor}.")
    media_info = {"backend": _media_backend(), "included": False}
    if media and _media_is_local():
        root = Path(settings.MEDIA_ROOT)
        if root.exists():
            shutil.copytree(root, directory / MEDIA_DIR)
        media_info.update(included=True, **_tree_summary(directory / MEDIA_DIR))
    elif media:
        outcome.notes.append("Attachments are in object storage and were not copied: back the bucket up with its own "
                             "versioning or replication (docs/operations.md).")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "database": str(connection.settings_dict.get("NAME")),
        "migrations": latest_per_app(applied),
        "applied_migrations": applied,
        "tables": tables,
        "files": files,
        "media": media_info,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    outcome.manifest = manifest
    return outcome


# --- restore -------------------------------------------------------------------------------------

def read_manifest(directory) -> dict:
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{path} is missing: this is not a backup made by manage.py backup.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"{path} is not readable JSON: {exc}.")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not known to this version (expects {FORMAT}).")
    return manifest


def unknown_migrations(applied) -> list[tuple[str, str]]:
    """Applied migrations of the backup that this code does not have: the backup is newer."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [(app, name) for app, name in applied if (app, name) not in known]


def check_restorable(manifest: dict, alias="default") -> None:
    vendor = _conn(alias).vendor
    if manifest.get("engine") != vendor:
        raise BackupError(f"The backup is of a {manifest.get('engine')} database and the target is {vendor}: "
                          "restore into the same kind of database.")
    unknown = unknown_migrations(manifest.get("applied_migrations", []))
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:10])
        raise BackupError(
            f"The backup comes from a newer version of Concord: its migration state has {len(unknown)} migration(s) "
            f"this code does not know ({names}). Nothing was changed. Install the version the backup was made with "
            "(or a newer one), then restore."
        )


def _check_files(directory: Path, manifest: dict) -> None:
    for name, digest in manifest.get("files", {}).items():
        path = directory / name
        if not path.exists():
            raise BackupError(f"{path} is missing from the backup.")
        if _sha256_file(path) != digest:
            raise BackupError(f"{path} does not match its SHA-256 in the manifest: the backup is damaged.")


def _sqlite_restore(directory: Path, connection) -> None:
    source = sqlite3.connect(f"file:{directory / SQLITE_FILE}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        with connection.wrap_database_errors:
            source.backup(connection.connection)
    finally:
        source.close()


def _pg_restore(directory: Path, connection, manifest: dict) -> None:
    # Tables the backup does not have (added by a newer schema) are dropped first; pg_restore
    # --clean then drops and recreates every object of the dump (tables, sequences, the trigger
    # functions) in one transaction: if it fails, those objects are left as they were.
    keep = set(manifest["tables"])
    with _plain(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            extra = [r[0] for r in cursor.fetchall() if r[0] not in keep]
            if extra:
                cursor.execute("DROP TABLE " + ", ".join(connection.ops.quote_name(t) for t in extra) + " CASCADE")
    connection.close()
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={connection.settings_dict['NAME']}", str(directory / PG_FILE)],
         _pg_env(connection))


class _plain:
    """A transaction on any connection object, also one built on the fly (atomic() needs an alias)."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        self.connection.ensure_connection()
        self.connection.set_autocommit(False)

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.connection.commit()
        else:
            self.connection.rollback()
        self.connection.set_autocommit(True)
        return False


def restore(directory, *, alias="default", media: bool = True) -> Outcome:
    """Replace database ``alias`` (and the attachments) with the backup in ``directory``."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    check_restorable(manifest, alias)
    _check_files(directory, manifest)
    connection = _conn(alias)
    outcome = Outcome(directory, manifest)
    if connection.vendor == "sqlite":
        _sqlite_restore(directory, connection)
    else:
        _pg_restore(directory, connection, manifest)
    restored = database_fingerprints(alias)
    expected = manifest["tables"]
    wrong = sorted(t for t in set(expected) | set(restored) if expected.get(t) != restored.get(t))
    if wrong:
        details = "; ".join(f"{t}: expected {expected.get(t)}, found {restored.get(t)}" for t in wrong[:5])
        raise BackupError(f"The restored database differs from the backup in {len(wrong)} table(s): {details}")
    outcome.notes.append(f"{len(expected)} tables, {sum(t['rows'] for t in expected.values())} rows restored; "
                         "row counts and checksums match the backup.")
    media_info = manifest.get("media", {})
    if media and media_info.get("included"):
        if not _media_is_local():
            outcome.notes.append("The backup has local attachments but this site stores them in object storage: "
                                 f"copy {directory / MEDIA_DIR} into the bucket yourself.")
        else:
            root = Path(settings.MEDIA_ROOT)
            if root.exists() and any(root.iterdir()):
                aside = root.with_name(f"{root.name}.before-restore-{timezone.now():%Y%m%d%H%M%S}")
                root.rename(aside)
                outcome.notes.append(f"The attachments found were moved to {aside}.")
            if (directory / MEDIA_DIR).exists():
                shutil.copytree(directory / MEDIA_DIR, root, dirs_exist_ok=True)
            found = _tree_summary(root)
            if found != {k: media_info[k] for k in ("files", "bytes", "checksum")}:
                raise BackupError(f"The restored attachments differ from the backup: expected {media_info}, found {found}.")
            outcome.notes.append(f"{found['files']} attachment file(s) restored.")
    elif media and not media_info.get("included"):
        outcome.notes.append("The backup holds no attachments (object storage): restore the bucket from its own backup.")
    if _pending_migrations(alias):
        outcome.notes.append("The code has migrations the backup lacks: run manage.py migrate now.")
    return outcome


def _pending_migrations(alias) -> bool:
    """Whether the code has migrations that the restored database has not applied."""
    connection = _conn(alias)
    applied = {tuple(pair) for pair in _pg_applied(connection)}  # plain SQL: works on any engine
    return bool(set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations) - applied)
