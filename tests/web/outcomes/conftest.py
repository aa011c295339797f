"""A patient with a signed consultation (baseline at the vertex), a course of 8 planned sessions
with the first ones completed, and follow-up measurements at the same site."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone


def actor_for(user: Any) -> Any:
    from anagen.audit.services import Actor

    return Actor(user_id=user.pk, username=user.username, clinic_id=user.clinic_id, ip_address="127.0.0.1")


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def build_programme(patient: Any, trichologist: Any, practitioner: Any, today: dt.date, gains: tuple[float, ...] = (2.0, 6.0),
                    *, completed: int = 5, ingredients: tuple[str, ...] = (), start_days_ago: int = 70) -> Any:
    """Baseline a week before the course, course start ``start_days_ago`` (70) days ago, the first ``completed`` of 8
    sessions completed, a follow-up every 28 days with the given density gains (%)."""
    from anagen.consultations.models import Consultation, MeasurementSet
    from anagen.scheduling.models import Appointment, Room
    from anagen.scheduling.services import local_datetime
    from anagen.treatments.models import Course, Formulation, FormulationComponent

    clinic = patient.clinic
    start = today - dt.timedelta(days=start_days_ago)
    consultation = Consultation.objects.create(
        clinic=clinic, patient=patient, author=trichologist, status="draft", consulted_on=start - dt.timedelta(days=7),
        diagnosis_primary="androgenetic_alopecia",
    )
    site = {"site_zone": "vertex", "site_offset_cm": Decimal("10.0"), "site_note": "midline, 10 cm behind the hairline"}
    MeasurementSet.objects.create(
        clinic=clinic, patient=patient, consultation=consultation, measured_on=start - dt.timedelta(days=7),
        density_per_cm2=Decimal("140.0"), wash_shed_count=120, wash_short_count=15, comb_count=18, pull_grasped=50,
        pull_extracted=5, mean_shaft_diameter_um=Decimal("55.0"), **site,
    )
    Consultation.objects.filter(pk=consultation.pk).update(status="signed", signed_at=timezone.now(), signed_by=trichologist)
    consultation.refresh_from_db()
    for i, gain in enumerate(gains, start=1):
        MeasurementSet.objects.create(
            clinic=clinic, patient=patient, measured_on=start + dt.timedelta(days=28 * i),
            density_per_cm2=(Decimal("140") * Decimal(str(1 + gain / 100))).quantize(Decimal("0.1")),
            wash_shed_count=int(120 * (1 - gain / 40)), wash_short_count=10, comb_count=max(2, int(18 * (1 - gain / 40))),
            pull_grasped=50, pull_extracted=3, mean_shaft_diameter_um=Decimal("56.0"),
            global_photo_score=1 if gain > 5 else (-1 if gain < -5 else 0), **site,
        )
    formulation = Formulation.objects.create(clinic=clinic, patient=patient, consultation=consultation,
                                             diagnosis="androgenetic_alopecia", created_by=trichologist, total_volume_ml=Decimal("2.00"))
    for position, code in enumerate(("biotin", *ingredients)):
        FormulationComponent.objects.create(formulation=formulation, position=position, ingredient=code, volume_ml=Decimal("1.0"),
                                            concentration=Decimal("1"), concentration_unit="mg/mL")
    course = Course.objects.create(clinic=clinic, patient=patient, consultation=consultation, formulation=formulation,
                                   start_date=start, intensive_sessions=6, interval_days=14, maintenance_sessions=2,
                                   maintenance_interval_days=60, created_by=trichologist)
    room = Room.objects.filter(clinic=clinic).first() or Room.objects.create(clinic=clinic, name="Procedure room")
    for n in range(1, 9):
        day = start + dt.timedelta(days=14 * (n - 1))
        starts = local_datetime(day, dt.time(7, 0) if patient.pk % 2 else dt.time(7, 30)) + dt.timedelta(minutes=patient.pk % 7)
        status = "completed" if n <= completed else "booked"
        if day >= today:
            status = "booked"
        Appointment.objects.create(clinic=clinic, patient=patient, practitioner=practitioner, room=room,
                                   kind="mesotherapy_session", starts_at=starts, ends_at=starts + dt.timedelta(minutes=20),
                                   status=status, course_id=course.pk, course_session_number=n)
    # The services audit every write; the last one here stands for them all (it is what tells the
    # clinic's outlooks that this patient's record changed).
    from anagen.audit.services import append

    append(actor_for(trichologist), "create", object_type="course", object_id=course.pk, patient_id=patient.pk)
    return course


@pytest.fixture
def make_programme(trichologist: Any, practitioner: Any, today: dt.date) -> Any:
    """``make_programme(patient, gains=(...))``: see ``build_programme``."""

    def make(patient: Any, gains: tuple[float, ...] = (2.0, 6.0), **kwargs: Any) -> Any:
        return build_programme(patient, trichologist, practitioner, today, gains, **kwargs)

    return make
