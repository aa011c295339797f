"""Portal fixtures: a patient with an active portal account, an appointment, consents, and a
recorded treatment session (for the aftercare sheet)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone
from tests import builders

PATIENT_PASSWORD = "violet kettle morning 42"


@pytest.fixture
def actor(clinic: Any) -> Any:
    from anagen.audit.services import Actor

    return Actor.system("test", clinic.pk)


def staff_actor(user: Any) -> Any:
    from anagen.audit.services import Actor

    return Actor(user_id=user.pk, username=user.username, clinic_id=user.clinic_id, ip_address=None)


@pytest.fixture
def invite(receptionist: Any) -> Any:
    """Invite a patient as the receptionist: returns (invitation, raw token)."""
    from anagen.portal import services

    def invite_(patient: Any, **kwargs: Any) -> Any:
        return services.invite_patient(staff_actor(receptionist), patient, by=receptionist, **kwargs)

    return invite_


@pytest.fixture
def enrol(invite: Any) -> Any:
    """A patient with an active portal account (username = record number)."""
    from anagen.portal import services

    def enrol_(patient: Any) -> Any:
        _, token = invite(patient)
        return services.accept_invitation(token, patient.mrn, PATIENT_PASSWORD)

    return enrol_


@pytest.fixture
def patient_user(patient: Any, enrol: Any) -> Any:
    return enrol(patient)


@pytest.fixture
def other_patient(clinic: Any, make_patient: Any) -> Any:
    return make_patient(clinic, given_name="Ravi", family_name="Menon", sex="male")


@pytest.fixture
def room(clinic: Any) -> Any:
    from anagen.scheduling.models import Room

    return Room.objects.create(clinic=clinic, name="Procedure room 1")


@pytest.fixture
def book(clinic: Any, actor: Any, trichologist: Any, room: Any) -> Any:
    """Book an appointment ``days`` ahead at 10:00 clinic time."""
    from anagen.scheduling.services import book_appointment

    def book_(patient: Any, days: int = 2, hour: int = 10, kind: str = "review") -> Any:
        day = timezone.localdate() + dt.timedelta(days=days)
        starts = dt.datetime.combine(day, dt.time(hour, 0)).replace(tzinfo=timezone.get_default_timezone())
        return book_appointment(actor, clinic, patient=patient, practitioner=trichologist, room=room, kind=kind,
                                starts_at=starts, duration_minutes=30)

    return book_


@pytest.fixture
def consent(clinic: Any, actor: Any, practitioner: Any) -> Any:
    """Publish (once per purpose) and sign a typed consent for ``purpose``."""
    from anagen.consents.services import current_text, publish_text, sign_consent

    def consent_(patient: Any, purpose: str = "marketing_photographs") -> Any:
        text = current_text(clinic, purpose) or publish_text(actor, clinic, purpose, "en", f"Consent: {purpose}", f"I agree to {purpose}.")
        return sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=practitioner)

    return consent_


@pytest.fixture
def recorded_session(clinic: Any, trichologist: Any, practitioner: Any, patient: Any, actor: Any, room: Any, consent: Any, client: Any) -> Any:
    """A signed treatment session of ``patient`` today, recorded through the procedures view."""
    from django.urls import reverse

    from anagen.procedures.models import TreatmentSession

    consultation = builders.signed_consultation(patient, trichologist, actor=actor)
    consent(patient, "treatment")
    builders.formulation(consultation, trichologist, actor=actor)
    appointment = builders.session_appointment(patient, practitioner, room, actor=actor)
    lot = builders.lot_in_stock(clinic, actor=actor)
    injection_map = [{"zone": "vertex", "x": "0.5", "y": str(round(0.2 + 0.05 * (i % 10), 2)), "volume_ml": "0.10"} for i in range(20)]
    data = {
        "identity_confirmed": "on", "scalp_cleansed": "on", "technique": "needle", "needle_gauge": "32", "needle_length_mm": "4",
        "depth_mm": "2", "injection_style": "point_by_point", "injection_map": json.dumps(injection_map), "pain_score": "3",
        "aftercare_language": "en", "lots-TOTAL_FORMS": "3", "lots-INITIAL_FORMS": "0",
        "lots-0-lot": str(lot.pk), "lots-0-volume_ml": "2.00",
        # The signing is confirmed (the form asks first: issue 20).
        "confirm": "yes",
    }
    client.force_login(practitioner)
    response = client.post(reverse("procedures:record", args=[appointment.pk]), data)
    assert response.status_code == 302
    client.logout()
    return TreatmentSession.objects.get(patient=patient)
