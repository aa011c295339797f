"""Settings for the test suite: the production settings module in its ``test`` mode."""

import os
import tempfile

os.environ["ANAGEN_ENV"] = "test"
os.environ.setdefault("ANAGEN_DATA_DIR", tempfile.mkdtemp(prefix="anagen-test-"))

from anagen.settings import *  # noqa: E402,F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: tests that race threads need SQLite's real
    # locking (an in-memory database answers "table is locked" at once instead of waiting).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
