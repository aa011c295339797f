"""What every request costs depends on settings a production process must keep: templates compiled
once per process (Django's cached loader), database connections kept between requests, and the
session read with one written-out statement. Checked in a production-mode process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = (
    "import json; from django.conf import settings; from django.template import engines; "
    "print(json.dumps({'loaders': engines['django'].engine.loaders, 'debug': engines['django'].engine.debug, "
    "'conn_max_age': settings.DATABASES['default']['CONN_MAX_AGE'], 'session_engine': settings.SESSION_ENGINE, "
    "'save_every_request': settings.SESSION_SAVE_EVERY_REQUEST}))"
)


def test_production_compiles_templates_once_and_keeps_its_connections(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_", "DATABASE_URL"))}
    env.update({"ANAGEN_ENV": "production", "ANAGEN_SECRET_KEY": "s" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
                "ANAGEN_ALLOWED_HOSTS": "127.0.0.1", "ANAGEN_DATA_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "-m", "anagen.cli", "manage", "shell", "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["loaders"][0][0] == "django.template.loaders.cached.Loader"
    assert found["debug"] is False
    assert found["conn_max_age"] >= 60
    assert found["session_engine"] == "anagen.accounts.sessions"
    assert found["save_every_request"] is False
