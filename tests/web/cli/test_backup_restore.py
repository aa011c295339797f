"""`anagen backup` / `anagen restore`: every row and file comes back; damage and a wrong
passphrase are refused before anything is written.

Runs on SQLite, and on PostgreSQL when the suite runs with DATABASE_URL (the restore target is a
fresh database created here and dropped afterwards).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ANAGEN = [sys.executable, "-m", "anagen.cli"]
PASSPHRASE = "saffron-monsoon-ledger-42"


def _source() -> Any:
    from django.db import connection

    from anagen.backup.archive import Database

    return Database.from_settings(connection.settings_dict)


def _env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_", "DATABASE_URL"))}
    # This test's own checkpoint file (tests/conftest.py): the database is emptied between tests.
    env.update({"ANAGEN_ENV": "test", "ANAGEN_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
                "ANAGEN_AUDIT_CHECKPOINT_FILE": str(settings.ANAGEN_AUDIT_CHECKPOINT_FILE), **extra})
    return env


def _audit_key_dir() -> str:
    from django.conf import settings

    return str(settings.ANAGEN_AUDIT_KEY_DIR)


def _url(database: Any) -> str:
    if database.vendor == "sqlite":
        return f"sqlite:///{database.path}"
    p = database.params
    return f"postgres://{p['user']}:{p['password']}@{p.get('host', '127.0.0.1')}:{p.get('port', '5432')}/{p['dbname']}"


def anagen(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ANAGEN + args, env=env, capture_output=True, text=True, timeout=180)


def all_rows(database: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row (every column) of every table, in a stable order."""
    from anagen.backup.archive import _pg_connect, _quote, pg_tables

    rows: dict[str, list[tuple[Any, ...]]] = {}
    if database.vendor == "sqlite":
        import sqlite3

        conn = sqlite3.connect(database.path)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            for table in tables:
                rows[table] = sorted(conn.execute(f"SELECT * FROM {_quote(table)}").fetchall(), key=repr)
        finally:
            conn.close()
        return rows
    conn = _pg_connect(database)
    try:
        with conn.cursor() as cursor:
            for schema, table in pg_tables(cursor):
                cursor.execute(f"SELECT * FROM {_quote(schema)}.{_quote(table)}")
                rows[f"{schema}.{table}"] = sorted(cursor.fetchall(), key=repr)
    finally:
        conn.close()
    return rows


def all_files(data_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(data_dir).as_posix(): p.read_bytes() for folder in ("photos", "reports", "files") for p in sorted((data_dir / folder).rglob("*")) if p.is_file()}


@pytest.fixture
def target_database(tmp_path: Path) -> Iterator[Any]:
    """An empty database of the source's vendor: a new SQLite path, or a fresh PostgreSQL database."""
    from anagen.backup.archive import Database, _pg_connect

    source = _source()
    if source.vendor == "sqlite":
        yield Database("sqlite", path=tmp_path / "restored" / "anagen.sqlite3")
        return
    name = f"anagen_reliability_restore_{uuid.uuid4().hex[:10]}"
    admin = _pg_connect(Database("postgresql", params={**source.params, "dbname": "postgres"}))
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database("postgresql", params={**source.params, "dbname": name})
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def with_files(transactional_db: Any, make_patient: Any) -> Path:
    """A clinic with two patients, plus a few photo and report files in the data folder."""
    from django.conf import settings

    from anagen.accounts.models import Clinic

    clinic = Clinic.objects.create(name="Lotus Hair Clinic, Mumbai", city="Mumbai", mrn_prefix="LOT")
    make_patient(clinic)
    make_patient(clinic, given_name="Ravi")
    data_dir = Path(settings.DATA_DIR)
    files = {
        "photos/2026/11/p1-crown.jpg": bytes(range(256)) * 40,
        "photos/2026/11/p1-frontal.jpg": os.urandom(5000),
        "reports/progress-17.pdf": b"%PDF-1.7\n" + os.urandom(3000),
        "files/notes.txt": "Stock count ✓\n".encode(),
    }
    for name, content in files.items():
        (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / name).write_bytes(content)
    return data_dir


@pytest.fixture
def seeded(with_files: Path) -> Path:
    """The demo clinic (every programme stage) on top."""
    from anagen.demo.seed import seed_demo

    seed_demo()
    return with_files


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_backup_restored_into_a_fresh_folder_brings_back_every_row_and_file(seeded, target_database, tmp_path, encrypted):
    source = _source()
    archive = tmp_path / ("backup.tar.enc" if encrypted else "backup.tar")
    extra = {"ANAGEN_BACKUP_PASSPHRASE": PASSPHRASE} if encrypted else {}
    made = anagen(["backup", str(archive)], _env(seeded, _url(source), **extra))
    assert made.returncode == 0, made.stderr
    assert ("(encrypted)" if encrypted else "(NOT encrypted)") in made.stdout
    if encrypted:
        # Markers long enough that random ciphertext does not hold them by chance: four bytes
        # ("%PDF") turned up once in a few megabytes of it.
        sealed = archive.read_bytes()
        assert b"PRAGMA" not in sealed and b"SQLite format 3" not in sealed and b"%PDF-1." not in sealed

    restored_dir = tmp_path / "restored"
    args = ["restore", str(archive), "--data-dir", str(restored_dir)]
    if target_database.vendor == "postgresql":
        args += ["--database-url", _url(target_database)]
    # The audit keys are never in an archive: they travel beside the secret key, as the guide says.
    done = anagen(args, _env(tmp_path / "elsewhere", _url(source), ANAGEN_AUDIT_KEY_DIR=_audit_key_dir(), **extra))
    assert done.returncode == 0, done.stderr
    assert "every checksum verified" in done.stdout
    assert "audit trail intact" in done.stdout
    # The backup signed a checkpoint first; the restored trail was checked against it.
    assert "matches 1 signed checkpoint" in done.stdout
    assert (restored_dir / "audit-checkpoints.jsonl").is_file()

    source_rows = all_rows(source)
    assert sum(len(r) for r in source_rows.values()) > 500  # the demo clinic really is in there
    assert all_rows(target_database) == source_rows
    assert all_files(restored_dir) == all_files(seeded)
    assert all_files(restored_dir)["photos/2026/11/p1-crown.jpg"] == bytes(range(256)) * 40


def test_a_restore_without_the_audit_keys_says_which_folder_to_copy(with_files, target_database, tmp_path):
    source = _source()
    archive = tmp_path / "backup.tar"
    assert anagen(["backup", str(archive)], _env(with_files, _url(source))).returncode == 0
    args = ["restore", str(archive), "--data-dir", str(tmp_path / "restored")]
    if target_database.vendor == "postgresql":
        args += ["--database-url", _url(target_database)]
    done = anagen(args, _env(tmp_path / "elsewhere", _url(source)))
    assert done.returncode == 1
    assert "which this server does not have (copy the audit key folder" in done.stderr


def test_the_manifest_records_version_migrations_vendor_checksums_and_row_counts(with_files, tmp_path):
    import hashlib
    import tarfile

    from anagen.backup.archive import create_backup

    manifest = create_backup(tmp_path / "b.tar")
    assert manifest["database"]["vendor"] == _source().vendor
    assert "patients.0001_initial" in manifest["migrations"]
    assert manifest["row_counts"]["patients_patient"] == 2
    assert manifest["created_at"].endswith("+00:00")
    with tarfile.open(tmp_path / "b.tar") as tar:
        names = tar.getnames()
        assert names[-1] == "manifest.json"
        photo = tar.extractfile("photos/2026/11/p1-frontal.jpg").read()
    entry = next(e for e in manifest["files"] if e["path"] == "photos/2026/11/p1-frontal.jpg")
    assert entry == {"path": "photos/2026/11/p1-frontal.jpg", "sha256": hashlib.sha256(photo).hexdigest(), "size": 5000}


@pytest.fixture
def small_archives(with_files, tmp_path) -> dict[str, Path]:
    from anagen.backup.archive import create_backup

    plain, sealed = tmp_path / "b.tar", tmp_path / "b.tar.enc"
    create_backup(plain)
    create_backup(sealed, passphrase=PASSPHRASE.encode())
    return {"plain": plain, "encrypted": sealed}


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))


def _offsets(path: Path) -> dict[str, int]:
    import tarfile

    with tarfile.open(path) as tar:
        members = {m.name: m for m in tar.getmembers()}
    db = next(m for name, m in members.items() if name.startswith("database/"))
    photo = members["photos/2026/11/p1-crown.jpg"]
    return {
        "database-data": db.offset_data + db.size // 2,
        "photo-header": photo.offset + 10,
        "photo-data": photo.offset_data + 7,
        "photo-padding": photo.offset_data + photo.size + 3,
        "manifest": members["manifest.json"].offset_data + 200,
        "tail": path.stat().st_size - 100,
    }


@pytest.mark.parametrize("where", ["database-data", "photo-header", "photo-data", "photo-padding", "manifest", "tail"])
def test_it_refuses_an_archive_with_one_flipped_byte_and_writes_nothing(small_archives, tmp_path, where):
    from anagen.backup.archive import BackupError, restore_backup

    archive = small_archives["plain"]
    _flip(archive, _offsets(archive)[where])
    target = tmp_path / "target"
    with pytest.raises(BackupError, match="refused"):
        restore_backup(archive, target)
    assert not target.exists()


@pytest.mark.parametrize("fraction", [0.0001, 0.3, 0.999])
def test_it_refuses_an_encrypted_archive_with_one_flipped_byte_and_writes_nothing(small_archives, tmp_path, fraction):
    from anagen.backup.archive import BackupError, restore_backup

    archive = small_archives["encrypted"]
    _flip(archive, int(archive.stat().st_size * fraction))
    target = tmp_path / "target"
    with pytest.raises(BackupError, match="refused"):
        restore_backup(archive, target, passphrase=PASSPHRASE.encode())
    assert not target.exists()


def test_it_refuses_a_truncated_encrypted_archive(small_archives, tmp_path):
    from anagen.backup.archive import BackupError, restore_backup

    archive = small_archives["encrypted"]
    archive.write_bytes(archive.read_bytes()[:-40])
    with pytest.raises(BackupError, match="cut short|damaged"):
        restore_backup(archive, tmp_path / "target", passphrase=PASSPHRASE.encode())
    assert not (tmp_path / "target").exists()


def test_the_command_refuses_a_wrong_passphrase_with_one_clear_line(small_archives, tmp_path):
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-right-passphrase\n")
    result = anagen(["restore", str(small_archives["encrypted"]), "--data-dir", str(tmp_path / "target"), "--passphrase-file", str(wrong)],
                    _env(tmp_path / "elsewhere", _url(_source())))
    assert result.returncode == 1
    assert result.stderr.strip() == "anagen: error: refused: wrong passphrase (or the archive's header is damaged)"
    assert not (tmp_path / "target").exists()


def test_the_command_refuses_a_damaged_archive_with_one_clear_line(small_archives, tmp_path):
    archive = small_archives["plain"]
    _flip(archive, _offsets(archive)["photo-data"])
    result = anagen(["restore", str(archive), "--data-dir", str(tmp_path / "target")], _env(tmp_path / "elsewhere", _url(_source())))
    assert result.returncode == 1
    assert result.stderr.strip() == "anagen: error: refused: checksum mismatch for photos/2026/11/p1-crown.jpg: the archive is damaged"
    assert "Traceback" not in result.stderr


def test_it_asks_for_the_passphrase_of_an_encrypted_archive(small_archives, tmp_path):
    from anagen.backup.archive import BackupError, restore_backup

    with pytest.raises(BackupError, match="encrypted: give the passphrase"):
        restore_backup(small_archives["encrypted"], tmp_path / "target")


def test_it_refuses_a_data_folder_that_is_not_empty(small_archives, tmp_path):
    from anagen.backup.archive import BackupError, restore_backup

    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("someone's data")
    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(small_archives["plain"], target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_it_refuses_a_target_database_that_is_not_empty(small_archives, tmp_path):
    from anagen.backup.archive import BackupError, restore_backup

    source = _source()
    with pytest.raises(BackupError, match="not empty|exists already"):
        restore_backup(small_archives["plain"], tmp_path / "target", database=source)
    assert not (tmp_path / "target").exists()


def test_the_command_reads_no_passphrase_from_the_command_line(tmp_path):
    result = anagen(["backup", str(tmp_path / "b.tar"), "--passphrase", "hunter2-hunter2"], _env(tmp_path, "sqlite:///" + str(tmp_path / "x.sqlite3")))
    assert result.returncode == 2
    assert "unrecognized arguments: --passphrase" in result.stderr


def test_it_refuses_a_short_passphrase(tmp_path):
    short = tmp_path / "short"
    short.write_text("abc")
    result = anagen(["backup", str(tmp_path / "b.tar"), "--passphrase-file", str(short)], _env(tmp_path, "sqlite:///" + str(tmp_path / "x.sqlite3")))
    assert result.returncode == 1
    assert result.stderr.strip() == "anagen: error: the backup passphrase must be at least 12 characters long"
    assert not (tmp_path / "b.tar").exists()
