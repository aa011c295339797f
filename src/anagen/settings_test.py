"""Settings for the test suite: the production settings module in its ``test`` mode."""

import os
import tempfile

os.environ["ANAGEN_ENV"] = "test"
os.environ.setdefault("ANAGEN_DATA_DIR", tempfile.mkdtemp(prefix="anagen-test-"))

from anagen.settings import *  # noqa: E402,F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
