"""The point of care (issue 20) reuses the session record's world: a patient ready for session 1
today (signed consultation, treatment consent, formulation, a lot in stock)."""

from __future__ import annotations

# The fixtures themselves, not copies: pytest finds fixtures imported into a conftest.
from tests.web.procedures.conftest import actor, build_ready, ready, session_post  # noqa: F401
