"""Fixtures for the security tests: two-factor made mandatory, authenticators and their codes."""

from __future__ import annotations

import sys
import time
import types
from typing import Any

import pytest


@pytest.fixture
def two_factor_required(settings: Any) -> None:
    """The production rule: clinic admins and trichologists must use two-factor sign-in."""
    settings.ANAGEN_TWO_FACTOR_REQUIRED_ROLES = frozenset({"clinic_admin", "trichologist"})


@pytest.fixture
def authenticator() -> Any:
    def make(user: Any, *, recovery_codes: list[str] | None = None) -> Any:
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        if recovery_codes:
            static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
            for code in recovery_codes:
                StaticToken.objects.create(device=static, token=code)
        return device

    return make


def totp_code(device: Any, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show now (or ``steps_ahead`` time steps later)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_totp_code(device: Any) -> str:
    """A 6-digit code that is none of the codes the device accepts now (previous, current, next)."""
    accepted = {totp_code(device, steps) for steps in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


@pytest.fixture
def code_for() -> Any:
    return totp_code


@pytest.fixture
def wrong_code_for() -> Any:
    return wrong_totp_code


@pytest.fixture
def privacy_urls(settings: Any) -> None:
    """Root URLs plus the privacy app at /privacy/, as the lead registers it."""
    from django.urls import include, path

    from anagen import urls as root

    module = types.ModuleType("anagen_security_test_urls")
    module.urlpatterns = [*root.urlpatterns, path("privacy/", include("anagen.privacy.urls"))]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__


@pytest.fixture
def password_step(client: Any) -> Any:
    """Sign in with the password only (the first step), as the login form does."""
    from django.urls import reverse

    def post(user: Any, password: str = "correct horse battery") -> Any:
        return client.post(reverse("login"), {"username": user.username, "password": password})

    return post


@pytest.fixture
def consent_texts(clinic: Any) -> dict[str, Any]:
    """Published English texts for every purpose of the clinic."""
    from anagen.audit.services import Actor
    from anagen.consents.models import Purpose
    from anagen.consents.services import publish_text

    actor = Actor.system("setup", clinic.pk)
    return {p: publish_text(actor, clinic, p, "en", f"Consent: {Purpose(p).label}", f"Text for {p}.") for p in Purpose.values}


@pytest.fixture
def sign() -> Any:
    """Sign the current text of a purpose for a patient (typed name), witnessed by ``witness``."""

    def do(patient: Any, purpose: str, witness: Any) -> Any:
        from anagen.audit.services import Actor
        from anagen.consents.services import current_text, sign_consent

        text = current_text(patient.clinic, purpose)
        return sign_consent(Actor.system("test", patient.clinic_id), patient, text, method="typed",
                            typed_name=patient.full_name, acknowledged=True, witness=witness)

    return do


@pytest.fixture
def withdraw() -> Any:
    def do(record: Any, reason: str = "Patient asked") -> Any:
        from anagen.audit.services import Actor
        from anagen.consents.services import withdraw_consent

        return withdraw_consent(Actor.system("test", record.clinic_id), record, reason)

    return do


@pytest.fixture
def make_photo() -> Any:
    """A stored photograph row with a small file in the photos storage (as the upload leaves it)."""
    import datetime as dt
    import hashlib
    import itertools
    import uuid

    counter = itertools.count(1)

    def make(patient: Any, uploaded_by: Any, visit_date: dt.date) -> Any:
        from django.core.files.base import ContentFile

        from anagen.photos.models import Photo
        from anagen.photos.services import photo_storage

        data = b"not really a jpeg %d" % next(counter)
        name, thumb = f"{uuid.uuid4().hex}.jpg", f"{uuid.uuid4().hex}-thumb.jpg"
        storage = photo_storage()
        storage.save(name, ContentFile(data))
        storage.save(thumb, ContentFile(data))
        return Photo.objects.create(
            clinic=patient.clinic, patient=patient, visit_date=visit_date, view="vertex", file_name=name,
            thumbnail_name=thumb, image_format="JPEG", width=10, height=10, size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(), uploaded_by=uploaded_by,
        )

    return make
