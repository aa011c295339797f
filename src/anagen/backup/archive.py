"""Write, verify and restore an Anagen backup archive.

The archive is a ustar ``.tar`` (``.tar.enc`` when encrypted with a passphrase, see
``anagen.backup.crypto``) holding, in this order:

- ``database/anagen.sqlite3``: a consistent copy made with SQLite's online backup API while the
  server may be running (WAL mode), switched to a self-contained rollback journal; or
  ``database/anagen.pgdump``: ``pg_dump -Fc`` output on PostgreSQL, taken in an exported snapshot
  so the row counts in the manifest describe exactly the dumped data;
- ``photos/``, ``reports/``, ``files/``: the files under the data folder (the storage aliases);
- ``audit-checkpoints.jsonl``: the audit trail's signed checkpoints (``anagen backup`` signs a
  fresh one first), so a restored trail is checked against the head it had when backed up; the
  audit keys are never in an archive (they stay beside the secret key, backed up like it);
- ``manifest.json`` last: Anagen version, creation time, database vendor, applied migrations,
  row counts per table, and the sha256 and size of every other member.

Restoring reads the archive twice: first to verify everything (every checksum, the member list
against the manifest, the tar layout, and for an encrypted archive every GCM tag) without writing
a byte, then to write. It refuses a non-empty data folder and a non-empty target database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from anagen.backup import crypto
from anagen.private_files import make_private_dir, open_private

FORMAT = "anagen-backup"
FORMAT_VERSION = 1
FILE_FOLDERS = ("photos", "reports", "files")
SQLITE_MEMBER = "database/anagen.sqlite3"
PG_MEMBER = "database/anagen.pgdump"
MANIFEST = "manifest.json"
CHECKPOINT_MEMBER = "audit-checkpoints.jsonl"
BLOCK = 512
_READ = 1024 * 1024
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message is one clear sentence for the operator."""


@dataclass(frozen=True)
class Database:
    """Where a database lives: ``vendor`` "sqlite" (``path``) or "postgresql" (libpq ``params``)."""

    vendor: str
    path: Path | None = None
    params: dict[str, str] | None = None

    @classmethod
    def from_url(cls, url: str) -> Database:
        import dj_database_url

        try:
            conf = dj_database_url.parse(url)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the same operator error
            raise BackupError(f"the database URL cannot be read: {exc}") from exc
        return cls.from_settings(dict(conf))

    @classmethod
    def from_settings(cls, conf: dict[str, Any]) -> Database:
        engine = conf.get("ENGINE", "")
        if engine.endswith("sqlite3"):
            name = str(conf.get("NAME") or "")
            if not name or name == ":memory:" or name.startswith("file:"):
                raise BackupError("an in-memory SQLite database cannot be backed up or restored")
            return cls("sqlite", path=Path(name))
        if "postgresql" in engine:
            params = {"dbname": str(conf.get("NAME") or ""), "host": str(conf.get("HOST") or ""), "port": str(conf.get("PORT") or ""),
                      "user": str(conf.get("USER") or ""), "password": str(conf.get("PASSWORD") or "")}
            return cls("postgresql", params={k: v for k, v in params.items() if v})
        raise BackupError(f"backups support SQLite and PostgreSQL, not {engine or 'this database'}")

    def django_settings(self) -> dict[str, Any]:
        if self.vendor == "sqlite":
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(self.path)}
        p = self.params or {}
        return {"ENGINE": "django.db.backends.postgresql", "NAME": p.get("dbname", ""), "USER": p.get("user", ""),
                "PASSWORD": p.get("password", ""), "HOST": p.get("host", ""), "PORT": p.get("port", "")}

    def pg_env(self) -> dict[str, str]:
        """libpq environment for pg_dump/pg_restore: the password never goes on a command line."""
        names = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
        env = dict(os.environ)
        env.update({names[k]: v for k, v in (self.params or {}).items()})
        return env


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    data_dir: Path
    database: Database
    files_restored: int
    # The audit checkpoints the archive carried, restored into the data folder (None: an archive
    # written before checkpoints): the restored trail is checked against these, not this server's.
    checkpoint_file: Path | None


# ------------------------------------------------------------------------------------ helpers


def anagen_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anagen")
    except PackageNotFoundError:
        return "unknown"


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/lib/postgresql/15/bin")
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client-15)")
    return found


def _run_pg(argv: list[str], database: Database, what: str) -> None:
    try:
        result = subprocess.run(argv, env=database.pg_env(), capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what} took longer than an hour and was stopped") from exc
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[0] if lines else f'exit status {result.returncode}'}")


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(_READ):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _HashingReader:
    """Reads exactly ``size`` bytes from ``source`` and hashes what it hands over."""

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    return [r[0] for r in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_facts(path: Path) -> tuple[dict[str, int], list[str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {_quote(t)}").fetchone()[0] for t in _sqlite_tables(conn)}
        migrations = _migrations(conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()) if "django_migrations" in counts else []
    finally:
        conn.close()
    return counts, migrations


def _migrations(rows: list[Any]) -> list[str]:
    return [f"{app}.{name}" for app, name in rows]


def _pg_connect(database: Database) -> Any:
    import psycopg
    from psycopg.conninfo import make_conninfo

    try:
        return psycopg.connect(make_conninfo("", **(database.params or {})), connect_timeout=10)
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to PostgreSQL database {(database.params or {}).get('dbname', '?')}: {str(exc).strip().splitlines()[0]}") from exc


def pg_tables(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%%' ORDER BY 1, 2"
    )
    return [(s, t) for s, t in cursor.fetchall()]


def _pg_table_key(schema: str, table: str) -> str:
    return table if schema == "public" else f"{schema}.{table}"


def _pg_facts(cursor: Any) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    for schema, table in pg_tables(cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(schema)}.{_quote(table)}")
        counts[_pg_table_key(schema, table)] = cursor.fetchone()[0]
    migrations: list[str] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = _migrations(cursor.fetchall())
    return counts, migrations


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or str(path) != name:
        raise BackupError(f"the archive holds an unsafe path ({name!r}): refused")
    if name not in (SQLITE_MEMBER, PG_MEMBER, MANIFEST, CHECKPOINT_MEMBER) and (path.parts[0] not in FILE_FOLDERS or len(path.parts) < 2):
        raise BackupError(f"the archive holds an unexpected member ({name!r}): refused")
    return name


# ------------------------------------------------------------------------------------- backup


def _snapshot_database(database: Database, workdir: Path) -> tuple[Path, str, dict[str, int], list[str]]:
    if database.vendor == "sqlite":
        assert database.path is not None
        if not database.path.exists():
            raise BackupError(f"the SQLite database {database.path} does not exist")
        target = workdir / "anagen.sqlite3"
        source = sqlite3.connect(f"file:{database.path}?mode=ro", uri=True, timeout=60)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: a consistent copy while others write
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            copy.commit()
        except sqlite3.Error as exc:
            raise BackupError(f"the SQLite online backup failed: {exc}") from exc
        finally:
            copy.close()
            source.close()
        counts, migrations = _sqlite_facts(target)
        return target, SQLITE_MEMBER, counts, migrations
    target = workdir / "anagen.pgdump"
    conn = _pg_connect(database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run_pg([_pg_tool("pg_dump"), "-Fc", "--snapshot", snapshot, "-f", str(target)], database, "pg_dump")
            counts, migrations = _pg_facts(cursor)
            cursor.execute("COMMIT")
    finally:
        conn.close()
    return target, PG_MEMBER, counts, migrations


def _data_files(data_dir: Path) -> Iterator[tuple[Path, str]]:
    for folder in FILE_FOLDERS:
        root = data_dir / folder
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                if path.is_file() and not path.is_symlink():
                    yield path, path.relative_to(data_dir).as_posix()


def _add(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o600
    with path.open("rb") as fh:
        reader = _HashingReader(fh)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return {"path": name, "sha256": reader.digest.hexdigest(), "size": info.size}


def create_backup(output: Path, *, passphrase: bytes | None = None, database: Database | None = None, data_dir: Path | None = None,
                  checkpoint_file: Path | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Write one archive of the database, the patient files, the audit checkpoints and the
    manifest; return the manifest.

    Defaults: Django's default database, settings.DATA_DIR and the audit checkpoint file
    (settings.ANAGEN_AUDIT_CHECKPOINT_FILE). The archive appears at ``output`` only when complete
    (written beside it, then renamed).
    """
    if database is None or data_dir is None or checkpoint_file is None:
        from django.conf import settings
        from django.db import connections

        database = database or Database.from_settings(connections["default"].settings_dict)
        data_dir = data_dir or Path(settings.DATA_DIR)
        checkpoint_file = checkpoint_file or Path(settings.ANAGEN_AUDIT_CHECKPOINT_FILE)
    output = output.resolve()
    if output.exists():
        raise BackupError(f"{output} exists already: choose a new file name")
    if not output.parent.is_dir():
        raise BackupError(f"the folder {output.parent} does not exist")
    partial = output.with_name(output.name + ".partial")
    created = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="anagen-backup-") as tmp:
        db_file, db_member, counts, migrations = _snapshot_database(database, Path(tmp))
        try:
            # 0600 whatever the umask: an unencrypted archive is the whole health record.
            with open_private(partial) as raw:
                sink: Any = crypto.EncryptingWriter(raw, passphrase) if passphrase else raw
                with tarfile.open(fileobj=sink, mode="w|", format=tarfile.USTAR_FORMAT) as tar:
                    entries = [_add(tar, db_member, db_file)]
                    for path, name in _data_files(data_dir):
                        try:
                            entries.append(_add(tar, name, path))
                        except ValueError as exc:
                            raise BackupError(f"the file {name} cannot go into the archive: {exc}") from exc
                    if checkpoint_file.is_file():
                        entries.append(_add(tar, CHECKPOINT_MEMBER, checkpoint_file))
                    manifest = {
                        "format": FORMAT, "format_version": FORMAT_VERSION, "anagen_version": anagen_version(),
                        "created_at": created.isoformat(), "encrypted": bool(passphrase),
                        "database": {"vendor": database.vendor, "member": db_member},
                        "migrations": migrations, "row_counts": counts, "files": entries,
                    }
                    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(body), int(created.timestamp()), 0o600
                    tar.addfile(info, io.BytesIO(body))
                if passphrase:
                    sink.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


# ------------------------------------------------------------------------------------- verify


@contextlib.contextmanager
def _open_stream(archive: Path, passphrase: bytes | None) -> Iterator[tuple[BinaryIO, bool]]:
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    with archive.open("rb") as raw:
        encrypted = crypto.is_encrypted(raw.read(len(crypto.MAGIC)))
        raw.seek(0)
        if encrypted:
            if not passphrase:
                raise BackupError("this archive is encrypted: give the passphrase (--passphrase-file or ANAGEN_BACKUP_PASSPHRASE)")
            try:
                yield crypto.DecryptingReader(raw, passphrase), True  # type: ignore[misc]
            except crypto.DecryptionError as exc:
                raise BackupError(f"refused: {exc}") from exc
        else:
            yield raw, False


def _members(stream: BinaryIO) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    try:
        with tarfile.open(fileobj=stream, mode="r|", format=tarfile.USTAR_FORMAT) as tar:
            for member in tar:
                if not member.isfile():
                    raise BackupError(f"the archive holds {member.name!r}, which is not a regular file: refused")
                _safe_member_name(member.name)
                handle = tar.extractfile(member)
                assert handle is not None
                yield member, handle
    except tarfile.TarError as exc:
        raise BackupError(f"refused: the archive is damaged ({exc})") from exc
    except crypto.DecryptionError as exc:
        raise BackupError(f"refused: {exc}") from exc


def _check_layout(archive: Path, members: list[tarfile.TarInfo]) -> None:
    """A plain tar: every byte outside headers and member data (block padding, the end) is zero."""
    size = archive.stat().st_size
    expected = 0
    with archive.open("rb") as fh:
        for member in members:
            if member.offset != expected or member.offset_data != member.offset + BLOCK:
                raise BackupError("refused: the archive is damaged (unexpected tar layout)")
            end = member.offset_data + member.size
            padded = -(-end // BLOCK) * BLOCK
            fh.seek(end)
            if fh.read(padded - end).strip(b"\0"):
                raise BackupError(f"refused: the archive is damaged (bytes changed after {member.name})")
            expected = padded
        fh.seek(expected)
        while chunk := fh.read(_READ):
            if chunk.strip(b"\0"):
                raise BackupError("refused: the archive is damaged (bytes changed after its last member)")
    if size < expected + 2 * BLOCK:
        raise BackupError("refused: the archive is cut short")


def verify_archive(archive: Path, passphrase: bytes | None = None) -> dict[str, Any]:
    """Read the whole archive and check it; return the manifest or raise BackupError. Writes nothing."""
    seen: dict[str, tuple[str, int]] = {}
    infos: list[tarfile.TarInfo] = []
    manifest: dict[str, Any] | None = None
    with _open_stream(archive, passphrase) as (stream, encrypted):
        for member, handle in _members(stream):
            if manifest is not None:
                raise BackupError("refused: the archive has members after its manifest")
            if member.name in seen:
                raise BackupError(f"refused: {member.name} appears twice in the archive")
            infos.append(member)
            if member.name == MANIFEST:
                try:
                    manifest = json.loads(handle.read(16 * 1024 * 1024))
                except ValueError as exc:
                    raise BackupError("refused: the manifest is damaged (not valid JSON)") from exc
                continue
            digest, size = hashlib.sha256(), 0
            while chunk := handle.read(_READ):
                digest.update(chunk)
                size += len(chunk)
            seen[member.name] = (digest.hexdigest(), size)
        if encrypted:
            stream.read()  # the tail after the tar end: authenticated, and must end with the last chunk
    if not encrypted:
        _check_layout(archive, infos)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("refused: no Anagen manifest in this archive (damaged, or not an Anagen backup)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"refused: backup format {manifest.get('format_version')} is not supported by this Anagen")
    listed = {entry["path"]: (entry["sha256"], entry["size"]) for entry in manifest.get("files", [])}
    if set(listed) != set(seen):
        missing, extra = sorted(set(listed) - set(seen)), sorted(set(seen) - set(listed))
        raise BackupError(f"refused: the archive does not match its manifest (missing {missing[:3]}, unlisted {extra[:3]})")
    for name, found in seen.items():
        if listed[name] != found:
            raise BackupError(f"refused: checksum mismatch for {name}: the archive is damaged")
    if manifest.get("database", {}).get("member") not in seen:
        raise BackupError("refused: the archive holds no database")
    return manifest


# ------------------------------------------------------------------------------------ restore


def _require_empty_folder(data_dir: Path) -> None:
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(f"the data folder {data_dir} is not empty: restore only into an empty or new folder")


def _require_empty_database(database: Database) -> None:
    if database.vendor == "sqlite":
        assert database.path is not None
        if database.path.exists() and database.path.stat().st_size > 0:
            raise BackupError(f"the SQLite database {database.path} exists already: restore only into a new database")
        return
    conn = _pg_connect(database)
    try:
        with conn.cursor() as cursor:
            tables = pg_tables(cursor)
    finally:
        conn.close()
    if tables:
        raise BackupError(f"the PostgreSQL database {(database.params or {}).get('dbname')} is not empty ({len(tables)} tables): restore only into an empty database")


def _write_member(handle: IO[bytes], target: Path, expected: tuple[str, int]) -> None:
    make_private_dir(target.parent)
    digest = hashlib.sha256()
    with open_private(target) as out:
        while chunk := handle.read(_READ):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if (digest.hexdigest(), target.stat().st_size) != expected:
        raise BackupError(f"the archive changed while it was restored ({target.name}): restore stopped")


def restore_backup(archive: Path, data_dir: Path, *, database: Database | None = None, passphrase: bytes | None = None) -> RestoreResult:
    """Verify the whole archive, then restore it into an empty data folder (and empty database).

    ``database`` defaults to ``data_dir/anagen.sqlite3`` for a SQLite backup; a PostgreSQL backup
    needs an empty PostgreSQL database. On any failure after writing began, what was written is
    removed again. The restored audit trail is verified by the caller (``anagen restore`` runs
    ``audit.services.verify_chain_in`` on ``RestoreResult.database``): this module works on files and
    databases with no Django app loaded, so it knows no app above it.
    """
    data_dir = data_dir.resolve()
    _require_empty_folder(data_dir)
    manifest = verify_archive(archive, passphrase)
    vendor = manifest["database"]["vendor"]
    if database is None:
        if vendor != "sqlite":
            raise BackupError("this is a PostgreSQL backup: give the empty target database with --database-url")
        database = Database("sqlite", path=data_dir / "anagen.sqlite3")
    if database.vendor != vendor:
        raise BackupError(f"this is a {vendor} backup; it cannot be restored into a {database.vendor} database")
    _require_empty_database(database)
    listed = {entry["path"]: (entry["sha256"], entry["size"]) for entry in manifest["files"]}
    created_dir = not data_dir.exists()
    make_private_dir(data_dir)
    written: list[Path] = []
    files = 0
    try:
        with tempfile.TemporaryDirectory(prefix="anagen-restore-") as tmp, _open_stream(archive, passphrase) as (stream, _enc):
            for member, handle in _members(stream):
                if member.name == MANIFEST:
                    continue
                if member.name == manifest["database"]["member"]:
                    target = database.path if vendor == "sqlite" else Path(tmp) / "anagen.pgdump"
                    assert target is not None
                elif member.name == CHECKPOINT_MEMBER:
                    target = data_dir / CHECKPOINT_MEMBER
                else:
                    target = data_dir / member.name
                    files += 1
                written.append(target)
                _write_member(handle, target, listed[member.name])
            if vendor == "postgresql":
                _run_pg([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                         "--dbname", (database.params or {}).get("dbname", ""), str(Path(tmp) / "anagen.pgdump")], database, "pg_restore")
        counts = row_counts(database)
        if counts != manifest["row_counts"]:
            differing = sorted(t for t in set(counts) | set(manifest["row_counts"]) if counts.get(t) != manifest["row_counts"].get(t))
            raise BackupError(f"the restored row counts differ from the manifest in {differing[:3]}: restore stopped")
    except BaseException:
        for path in written:
            if path.exists() and path.is_relative_to(data_dir):
                path.unlink()
        if database.vendor == "sqlite" and database.path is not None:
            database.path.unlink(missing_ok=True)
        if created_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
        raise
    return RestoreResult(manifest, data_dir, database, files,
                         data_dir / CHECKPOINT_MEMBER if CHECKPOINT_MEMBER in listed else None)


def row_counts(database: Database) -> dict[str, int]:
    if database.vendor == "sqlite":
        assert database.path is not None
        return _sqlite_facts(database.path)[0]
    conn = _pg_connect(database)
    try:
        with conn.cursor() as cursor:
            return _pg_facts(cursor)[0]
    finally:
        conn.close()
