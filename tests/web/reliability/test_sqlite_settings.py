"""SQLite runs in WAL mode with a busy timeout and IMMEDIATE transactions: checked on a live
connection of a production-mode process (the suite itself may be running on PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = (
    "import json; from django.db import connection; from django.conf import settings; c = connection.cursor(); "
    "print(json.dumps({'journal_mode': c.execute('PRAGMA journal_mode').fetchone()[0], "
    "'busy_timeout_ms': c.execute('PRAGMA busy_timeout').fetchone()[0], "
    "'foreign_keys': c.execute('PRAGMA foreign_keys').fetchone()[0], "
    "'cache_kib': -c.execute('PRAGMA cache_size').fetchone()[0], 'mmap_bytes': c.execute('PRAGMA mmap_size').fetchone()[0], "
    "'options': settings.DATABASES['default']['OPTIONS']}))"
)


def test_sqlite_connections_use_wal_a_busy_timeout_and_immediate_transactions(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_", "DATABASE_URL"))}
    env.update({"ANAGEN_ENV": "production", "ANAGEN_SECRET_KEY": "s" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz", "ANAGEN_ALLOWED_HOSTS": "127.0.0.1",
                "ANAGEN_DATA_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "-m", "anagen.cli", "manage", "shell", "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["journal_mode"] == "wal"
    assert found["busy_timeout_ms"] == 20_000
    assert found["foreign_keys"] == 1
    assert found["cache_kib"] == 65536 and found["mmap_bytes"] == 268435456
    assert found["options"]["transaction_mode"] == "IMMEDIATE"
    assert (tmp_path / "anagen.sqlite3").exists()
