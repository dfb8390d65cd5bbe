"""Backup and restore (concord/core/backup.py, manage.py backup / restore): a round trip into a
separate database loses no row and changes no value, on SQLite (normal phase) and PostgreSQL
(when DATABASE_URL is postgres); a backup from a newer migration state is refused."""
import copy
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.utils import load_backend

from concord.core import backup
from concord.core.models import AccessLog, Event, Region
from concord.registry.models import Employment, Enterprise, Worker

TARGET = "restore_target"


@pytest.fixture
def target(tmp_path):
    """A second, empty database of the same engine as the default one, as the restore target: a
    connection object built here (the test framework lets such connections through)."""
    default = connections["default"]
    settings_dict = copy.deepcopy(default.settings_dict)
    if default.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        settings_dict["NAME"] = f"{default.settings_dict['NAME']}_restore"
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, TARGET)
    yield connection
    connection.close()
    if default.vendor == "postgresql":
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "evidence" / "2026").mkdir(parents=True)
    (root / "evidence" / "2026" / "合同.pdf").write_bytes(b"%PDF-1.4 contract" * 100)
    (root / "documents" / "notice.docx").parent.mkdir(parents=True)
    (root / "documents" / "notice.docx").write_bytes(b"PK\x03\x04 notice")
    settings.MEDIA_ROOT = str(root)
    return root


def _rows(connection):
    """Some tables read back row by row with SQL (the ORM wants a registered alias)."""
    out = {}
    for model, columns in ((Worker, "id, id_number, name, phone, birth_date, hukou_city"),
                           (Enterprise, "id, credit_code, name, region_id, head_count"),
                           (Employment, "id, worker_id, enterprise_id, start_date, monthly_wage"),
                           (Region, "id, code, path"), (Event, "id, verb, data, created_at"),
                           (AccessLog, "id, field, object_id, created_at")):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} ORDER BY id")
            out[model.__name__] = cursor.fetchall()
    return out


def test_round_trip_loses_no_row_and_changes_no_value(world, transactional_db, target, media, tmp_path):
    directory = tmp_path / "backup-1"
    before = backup.database_fingerprints("default")
    rows_before = _rows(connections["default"])
    call_command("backup", str(directory))

    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == before
    assert manifest["tables"]["registry_worker"]["rows"] == Worker.objects.count() == 3
    assert manifest["migrations"]["registry"] == max(n for a, n in manifest["applied_migrations"] if a == "registry")
    assert manifest["media"]["included"] and manifest["media"]["files"] == 2

    # The attachments change after the backup; the restore puts them back.
    (media / "evidence" / "2026" / "合同.pdf").unlink()
    (media / "stray.txt").write_text("written after the backup")
    outcome = backup.restore(directory, alias=target)  # what manage.py restore runs, into the separate database
    assert any("checksums match" in note for note in outcome.notes)

    after = backup.database_fingerprints(target)
    assert after == before  # every table: the same row count and checksum
    assert sum(t["rows"] for t in after.values()) > 50
    assert _rows(target) == rows_before  # read back through the ORM, value by value
    assert (media / "evidence" / "2026" / "合同.pdf").read_bytes() == b"%PDF-1.4 contract" * 100
    assert not (media / "stray.txt").exists()
    aside = [p for p in media.parent.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(aside) == 1 and (aside[0] / "stray.txt").exists()

    # Restoring over a database that has content (and a table the backup does not know) replaces it.
    with target.cursor() as cursor:
        cursor.execute("CREATE TABLE later_feature (id integer PRIMARY KEY)")
        cursor.execute("DELETE FROM registry_employment")
    backup.restore(directory, alias=target, media=False)
    assert backup.database_fingerprints(target) == before


def test_the_checksum_sees_a_changed_value(world, transactional_db, tmp_path):
    before = backup.database_fingerprints("default")
    Worker.objects.filter(pk=world.worker_a.pk).update(phone="13800009999")
    after = backup.database_fingerprints("default")
    assert before["registry_worker"]["rows"] == after["registry_worker"]["rows"]
    assert before["registry_worker"]["checksum"] != after["registry_worker"]["checksum"]
    assert {t: v for t, v in before.items() if t != "registry_worker"} == {t: v for t, v in after.items() if t != "registry_worker"}


def test_restore_refuses_a_backup_from_a_newer_migration_state(world, transactional_db, target, tmp_path):
    directory = tmp_path / "backup-new"
    with connections["default"].cursor() as cursor:
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('registry', '0999_from_a_newer_version', "
                       "CURRENT_TIMESTAMP)")
    try:
        call_command("backup", str(directory))
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE name = '0999_from_a_newer_version'")
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["migrations"]["registry"] == "0999_from_a_newer_version"
    workers_before = Worker.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(directory), "--noinput")
    message = str(exc.value)
    assert "newer version" in message and "registry.0999_from_a_newer_version" in message
    assert "Nothing was changed" in message
    assert Worker.objects.count() == workers_before
    with pytest.raises(backup.BackupError, match="newer version"):
        backup.restore(directory, alias=target)
    with target.cursor() as cursor:
        assert target.introspection.table_names(cursor) == []


def test_restore_refuses_a_damaged_backup(world, transactional_db, tmp_path):
    directory = tmp_path / "backup-damaged"
    call_command("backup", str(directory), "--no-media")
    name = next(iter(json.loads((directory / "manifest.json").read_text(encoding="utf-8"))["files"]))
    with open(directory / name, "r+b") as fh:
        fh.seek(200)
        fh.write(b"\0damaged\0")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(directory), "--noinput")
    assert Worker.objects.count() == 3


def test_backup_refuses_a_directory_that_is_not_empty(world, transactional_db, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"))


def test_restore_of_something_that_is_no_backup_says_so(transactional_db, tmp_path):
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(Path(tmp_path)), "--noinput")
