"""The data folder is private (issue 19, finding 12): under the usual umask 022 the attack found the
SQLite database, photographs and unencrypted backups readable by every account on the machine."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ANAGEN = [sys.executable, "-m", "anagen.cli"]


def _anagen(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_", "DATABASE_URL"))}
    base.update({"ANAGEN_DATA_DIR": str(data_dir), "ANAGEN_SECRET_KEY": "k" * 60, **env})
    # The machine's usual umask, which made everything world-readable before.
    return subprocess.run(ANAGEN + args, env=base, capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.umask(0o022))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One migrated data folder for the module (a migration takes a while on a busy machine)."""
    data = tmp_path_factory.mktemp("perms") / "data"
    result = _anagen(["migrate"], data)
    assert result.returncode == 0, result.stderr
    return data, result


def _copy(migrated, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(migrated[0], data)
    return data


def test_migrate_creates_the_data_folder_and_the_database_private(migrated):
    data, result = migrated
    assert _mode(data) == 0o700
    database_files = [p for p in data.iterdir() if p.name.startswith("anagen.sqlite3")]
    assert database_files
    assert {p.name: _mode(p) for p in database_files} == {p.name: 0o600 for p in database_files}
    assert "warning" not in result.stderr


def test_a_backup_archive_is_private(migrated, tmp_path):
    data = _copy(migrated, tmp_path)
    archive = tmp_path / "backup.tar"
    result = _anagen(["backup", str(archive)], data)
    assert result.returncode == 0, result.stderr
    assert _mode(archive) == 0o600


def test_anagen_warns_about_a_database_others_can_read(migrated, tmp_path):
    data = _copy(migrated, tmp_path)
    database = data / "anagen.sqlite3"
    database.chmod(0o644)
    result = _anagen(["audit", "verify"], data)
    assert f"{database} can be read by other users" in result.stderr
    assert "(mode 0644" in result.stderr
    assert f"chmod -R go-rwx {data}" in result.stderr


@pytest.mark.django_db
def test_uploaded_files_and_their_folders_are_private(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    previous = os.umask(0o022)
    try:
        storage = FileSystemStorage(location=tmp_path / "photos")
        name = storage.save("ab/photo.jpg", ContentFile(b"\xff\xd8\xff"))
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "photos" / name) == 0o600
    assert _mode(tmp_path / "photos" / "ab") == 0o700


def test_the_check_ignores_public_static_files_and_reports_folders(tmp_path):
    from anagen.private_files import too_open

    (tmp_path / "static").mkdir(mode=0o755)
    (tmp_path / "static" / "app.css").write_text("body{}")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos").chmod(0o755)
    tmp_path.chmod(0o700)
    assert too_open(tmp_path) == [(tmp_path / "photos", 0o755)]
