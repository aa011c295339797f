"""The point of care (issue 20) reuses the session record's world: a patient ready for session 1
today (signed consultation, treatment consent, formulation, a lot in stock)."""

from __future__ import annotations

import pytest
from tests.web.procedures.conftest import build_ready, session_post  # noqa: F401


@pytest.fixture
def actor(clinic):
    from anagen.audit.services import Actor

    return Actor.system("test", clinic.pk)


@pytest.fixture
def ready(clinic, trichologist, practitioner, patient, actor):
    return build_ready(clinic, trichologist, practitioner, patient, actor)
