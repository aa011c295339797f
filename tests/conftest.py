"""Shared fixtures: two clinics, staff of every role in each, and a patient factory.

Tests that need the database get it through these fixtures (pytest-django's ``db``); tests under
tests/core never touch Django.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _own_audit_checkpoint_file(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test gets its own checkpoint file: the database is rolled back between tests, so a
    checkpoint left by one test would describe a trail the next one never had."""
    settings.ANAGEN_AUDIT_CHECKPOINT_FILE = tmp_path_factory.mktemp("audit") / "audit-checkpoints.jsonl"


def pytest_configure(config: Any) -> None:
    # A suite run straight through pytest (not `make test`) reads the translations of the .po
    # files as they are now: compile whichever catalogue changed since its .mo (polib, no Django).
    from anagen.ui.catalogs import compile_catalogues

    compile_catalogues()


@pytest.fixture
def clinic(db: Any) -> Any:
    from anagen.accounts.models import Clinic

    return Clinic.objects.create(name="Lotus Hair Clinic, Mumbai", city="Mumbai", mrn_prefix="LOT")


@pytest.fixture
def other_clinic(db: Any) -> Any:
    from anagen.accounts.models import Clinic

    return Clinic.objects.create(name="Other Clinic, Delhi", city="Delhi", mrn_prefix="OTH")


def _make_user(clinic: Any, role: str, username: str | None = None) -> Any:
    from anagen.accounts.models import User

    user = User(username=username or f"{role}{next(_counter)}", clinic=clinic, role=role, first_name=role.title())
    user.set_password("correct horse battery")
    user.save()
    return user


@pytest.fixture
def make_user() -> Any:
    return _make_user


@pytest.fixture
def admin_user(clinic: Any) -> Any:
    return _make_user(clinic, "clinic_admin", "admin1")


@pytest.fixture
def trichologist(clinic: Any) -> Any:
    return _make_user(clinic, "trichologist", "doctor1")


@pytest.fixture
def practitioner(clinic: Any) -> Any:
    return _make_user(clinic, "practitioner", "nurse1")


@pytest.fixture
def receptionist(clinic: Any) -> Any:
    return _make_user(clinic, "reception", "reception1")


@pytest.fixture
def other_admin(other_clinic: Any) -> Any:
    return _make_user(other_clinic, "clinic_admin", "otheradmin")


PATIENT_DEFAULTS: dict[str, Any] = {
    "given_name": "Asha",
    "family_name": "Patil",
    "date_of_birth": date(1990, 5, 17),
    "sex": "female",
    "phone": "+919820012345",
    "email": "",
    "address": "",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
    "abha_number": "",
    "abha_address": "",
}


@pytest.fixture
def make_patient() -> Any:
    def make(clinic: Any, **overrides: Any) -> Any:
        from anagen.audit.services import Actor
        from anagen.patients.services import register_patient

        values = {**PATIENT_DEFAULTS, **overrides}
        if "phone" not in overrides:
            values["phone"] = f"+91982{next(_counter):07d}"
        return register_patient(Actor.system("test", clinic.pk), clinic, values, confirm_duplicate=True)

    return make


@pytest.fixture
def patient(clinic: Any, make_patient: Any) -> Any:
    return make_patient(clinic)
