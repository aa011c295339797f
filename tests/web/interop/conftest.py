"""Interop fixtures: a patient with one of everything, written with fixed dates and times.

The data is frozen, not the clock: every date and timestamp that reaches an export is set here
(auto timestamps are overwritten with ``QuerySet.update``), so the FHIR bundle of this patient
is the same on every run except for database ids, which the golden comparison replaces.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from tests import builders

from anagen.core.formulation import Component

UTC = dt.UTC
GOLDEN_NOW = dt.datetime(2025, 3, 1, 6, 30, tzinfo=UTC)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def actor_for(user: Any) -> Any:
    return builders.actor_for(user)


def normalise(bundle: dict[str, Any]) -> dict[str, Any]:
    """Replace what depends on database ids: UUIDs (in order of appearance) and Anagen record ids."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: walk(v) for k, v in value.items()}
            system = out.get("system", "")
            if isinstance(system, str) and system.startswith("https://anagen.example/fhir/sid/") and not system.endswith("/mrn"):
                out["value"] = "<record id>"
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    text = json.dumps(walk(bundle), ensure_ascii=False, indent=2)
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"uuid-{len(names) + 1:03d}")

    return json.loads(_UUID.sub(rename, text))


@pytest.fixture
def full_record(clinic: Any, trichologist: Any, practitioner: Any, make_patient: Any) -> dict[str, Any]:
    from anagen.catalog.models import Lot, Product, StockMovement
    from anagen.consultations.models import Consultation
    from anagen.procedures.models import LotUsage, TreatmentSession
    from anagen.safety.models import AdverseEvent
    from anagen.scheduling.models import Appointment
    from anagen.treatments.models import Course

    clinic.address = "3rd floor, Hill Road, Bandra West, Mumbai 400050"
    clinic.phone = "+912226001234"
    clinic.save()
    trichologist.first_name, trichologist.last_name = "Meera", "Iyer"
    trichologist.save()
    practitioner.first_name, practitioner.last_name = "Sunita", "Pawar"
    practitioner.save()
    patient = make_patient(
        clinic, given_name="Asha", family_name="Patil", date_of_birth=dt.date(1990, 5, 17), phone="+919820012345",
        email="asha.patil@example.in", address="12, Carter Road, Bandra West, Mumbai 400050",
        emergency_contact_name="Ravi Patil", emergency_contact_phone="+919820054321",
        abha_number="91123456789012", abha_address="asha.patil@abdm",
    )
    # The consultation, its measurements and blood results, and the formulation go through the
    # services (tests/builders.py), as in use; then the clock-made stamps are set to fixed times.
    consultation = builders.signed_consultation(
        patient, trichologist, on=dt.date(2025, 1, 6), actor=actor_for(trichologist),
        presenting_complaint="Thinning at the parting for a year", complaint_duration_months=12,
        history_diet="Vegetarian; low protein intake", family_history="Mother with thinning at the part",
        allergy_ingredients=["biotin"], pattern_scale="ludwig", pattern_stage="II",
        diagnosis_primary="androgenetic_alopecia", diagnosis_secondary="telogen_effluvium",
        notes="Baseline photographs taken.",
        measurements={
            "pull_grasped": 50, "pull_extracted": 4, "wash_shed_count": 120, "wash_short_count": 14, "comb_count": 18,
            "site_zone": "mid_scalp", "site_offset_cm": Decimal("10.0"), "site_note": "midline, 10 cm behind the hairline",
            "density_per_cm2": Decimal("142.5"), "thin_hairs_pct": Decimal("21.0"), "mean_shaft_diameter_um": Decimal("52.0"),
            "terminal_to_vellus_ratio": Decimal("2.50"), "anagen_pct": Decimal("78.0"), "telogen_pct": Decimal("22.0"),
            "yellow_dots_count": 3,
        },
        labs={
            "ferritin": {"value": Decimal("22.000"), "unit": "ng/mL", "reference_low": Decimal("15"), "reference_high": Decimal("150"),
                         "collected_on": dt.date(2025, 1, 4)},
            "vitamin_d_25oh": {"value": Decimal("45.5"), "unit": "nmol/L", "reference_low": Decimal("75"),
                               "reference_high": Decimal("250"), "collected_on": dt.date(2025, 1, 4)},
        },
    )
    Consultation.objects.filter(pk=consultation.pk).update(signed_at=dt.datetime(2025, 1, 6, 6, 0, tzinfo=UTC))
    consultation.refresh_from_db()

    formulation = builders.formulation(consultation, trichologist, actor=actor_for(trichologist), components=(
        Component("dexpanthenol", Decimal("1.00"), Decimal("50")), Component("ghk_cu", Decimal("1.00"), Decimal("1"))))
    course = Course.objects.create(clinic=clinic, patient=patient, consultation=consultation, formulation=formulation,
                                   start_date=dt.date(2025, 1, 13), intensive_sessions=6, interval_days=14, maintenance_sessions=2,
                                   maintenance_interval_days=60, created_by=trichologist)
    room = builders.room(clinic, "Procedure room 1")
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))

    def appointment(day: dt.date, status: str, **extra: Any) -> Any:
        starts = dt.datetime.combine(day, dt.time(10, 0), tzinfo=ist)
        a = Appointment.objects.create(clinic=clinic, patient=patient, practitioner=practitioner, room=room, starts_at=starts,
                                       ends_at=starts + dt.timedelta(minutes=45), status=status, **extra)
        Appointment.objects.filter(pk=a.pk).update(updated_at=dt.datetime(2025, 1, 2, 4, 0, tzinfo=UTC))
        a.refresh_from_db()
        return a

    first = appointment(dt.date(2025, 1, 13), "completed", kind="mesotherapy_session", course_id=course.pk, course_session_number=1,
                        notes="Prefers the morning")
    second = appointment(dt.date(2025, 1, 27), "booked", kind="mesotherapy_session", course_id=course.pk, course_session_number=2)
    cancelled = appointment(dt.date(2025, 1, 20), "cancelled", kind="review", status_reason="Patient travelling")

    product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", manufacturer="Dermaviva Labs", vial_type="multi_dose",
                                     vial_volume_ml=Decimal("5"))
    lot = Lot.objects.create(product=product, lot_number="VC-2611", expiry_date=dt.date(2026, 6, 30), quantity_received_ml=Decimal("20"),
                             remaining_ml=Decimal("18"), supplier="Derma Supplies, Mumbai", received_on=dt.date(2025, 1, 2))
    movement = StockMovement.objects.create(lot=lot, kind="used", quantity_ml=Decimal("-2.00"), occurred_on=dt.date(2025, 1, 13),
                                            at=dt.datetime(2025, 1, 13, 5, 0, tzinfo=UTC), by=practitioner, patient_id=patient.pk)
    session = TreatmentSession.objects.create(
        clinic=clinic, patient=patient, appointment=first, course=course, formulation=formulation, practitioner=practitioner,
        performed_on=dt.date(2025, 1, 13), signed_at=dt.datetime(2025, 1, 13, 5, 15, tzinfo=UTC),
        identity_confirmed=True, consent_record_id=1, fever_today=False, scalp_infection_today=False, pregnant_today=False,
        scalp_cleansed=True, numbing_spray=True, technique="needle", needle_gauge=32, needle_length_mm=Decimal("4.0"),
        depth_mm=Decimal("1.5"), injection_style="nappage",
        injection_map=[{"zone": "frontal", "x": "0.5", "y": "0.2", "volume_ml": "1.0"}, {"zone": "mid_scalp", "x": "0.5", "y": "0.4", "volume_ml": "1.0"}],
        total_volume_ml=Decimal("2.00"), pain_score=3, immediate_reactions=["erythema"],
    )
    LotUsage.objects.create(session=session, lot=lot, volume_ml=Decimal("2.00"), movement=movement)
    event = AdverseEvent.objects.create(clinic=clinic, patient=patient, session=session, event_type="erythema", severity="mild",
                                        onset_date=dt.date(2025, 1, 13), resolved_on=dt.date(2025, 1, 14),
                                        description="Redness over the frontal scalp", action_taken="Cold compress", reported_by=practitioner)
    event.lots.add(lot)
    AdverseEvent.objects.filter(pk=event.pk).update(reported_at=dt.datetime(2025, 1, 14, 4, 30, tzinfo=UTC))

    # Consent records are append-only (their stamps cannot be set afterwards): the service signs
    # at a fixed moment instead.
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(timezone, "now", lambda: dt.datetime(2025, 1, 6, 6, 10, tzinfo=UTC))
        record = builders.consent(patient, practitioner, "treatment", title="Mesotherapy treatment",
                                  body="I consent to scalp mesotherapy.", actor=actor_for(practitioner))
    return {"patient": patient, "consultation": consultation, "course": course, "session": session, "lot": lot, "event": event,
            "appointments": [first, second, cancelled], "consent": record, "room": room}
