"""The ``anagen`` command as an operator meets it: one clear line on error, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ANAGEN = [sys.executable, "-m", "anagen.cli"]


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_", "DATABASE_URL"))}
    base.update({"ANAGEN_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.run(ANAGEN + args, env=base, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["migrate"], {}, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "anagen: error: ANAGEN_SECRET_KEY (or ANAGEN_SECRET_KEY_FILE) is required in production"
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_with_debug_on(tmp_path):
    result = run(["migrate"], {"ANAGEN_SECRET_KEY": "k" * 60, "ANAGEN_DEBUG": "true"}, tmp_path)
    assert result.returncode == 1
    assert "ANAGEN_DEBUG must be off in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_reads_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-" + "q" * 60)
    result = run(["manage", "check", "--deploy", "--fail-level", "WARNING"], {"ANAGEN_SECRET_KEY_FILE": str(secret), "ANAGEN_ALLOWED_HOSTS": "clinic.example.in"}, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_an_unreadable_secret_file_is_one_line(tmp_path):
    result = run(["migrate"], {"ANAGEN_SECRET_KEY_FILE": str(tmp_path / "missing")}, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("anagen: error: ANAGEN_SECRET_KEY_FILE cannot be read")


def test_a_bad_database_url_is_one_line(tmp_path):
    result = run(["migrate"], {"ANAGEN_SECRET_KEY": "k" * 60, "DATABASE_URL": "postgres://nobody:x@127.0.0.1:1/none"}, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("anagen: error: database:")
    assert "Traceback" not in result.stderr


def test_migrate_then_audit_verify_on_a_fresh_sqlite_database(tmp_path):
    env = {"ANAGEN_SECRET_KEY": "k" * 60}
    assert run(["migrate"], env, tmp_path).returncode == 0
    result = run(["audit", "verify"], env, tmp_path)
    assert result.returncode == 0
    assert "audit trail intact: 0 entries verified" in result.stdout


def test_audit_verify_exits_non_zero_on_a_tampered_trail(tmp_path):
    import sqlite3

    env = {"ANAGEN_SECRET_KEY": "k" * 60}
    assert run(["migrate"], env, tmp_path).returncode == 0
    seed = run(["manage", "seed_demo"], env, tmp_path)
    assert seed.returncode == 0, seed.stderr
    database = sqlite3.connect(tmp_path / "data" / "anagen.sqlite3")
    database.execute("DROP TRIGGER audit_entry_no_update")
    database.execute("UPDATE audit_auditentry SET changes = '{}' WHERE seq = 7")
    database.commit()
    database.close()
    result = run(["audit", "verify"], env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("audit trail BROKEN at entry 7")


def test_the_demo_server_refuses_a_public_address(tmp_path):
    result = run(["demo", "--host", "0.0.0.0"], {}, tmp_path)
    assert result.returncode == 1
    assert "loopback" in result.stderr


@pytest.mark.parametrize("args", [["nonsense"], []])
def test_an_unknown_command_is_a_usage_error(tmp_path, args):
    result = run(args, {}, tmp_path)
    assert result.returncode == 2
    assert "usage: anagen" in result.stderr
