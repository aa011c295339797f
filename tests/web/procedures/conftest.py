"""A patient ready for session 1 today: signed consultation, treatment consent, formulation,
a course whose first session is booked today, and a lot in stock."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def actor(clinic):
    from anagen.audit.services import Actor

    return Actor.system("test", clinic.pk)


@pytest.fixture
def ready(clinic, trichologist, practitioner, patient, actor):
    return build_ready(clinic, trichologist, practitioner, patient, actor)


def build_ready(clinic, trichologist, practitioner, patient, actor):
    """The world of ``ready``, for other test folders' fixtures (tests/web/pointofcare)."""
    from anagen.catalog.models import Product
    from anagen.consents.services import publish_text, sign_consent
    from anagen.consultations.services import save_draft, sign_consultation, start_consultation
    from anagen.core.formulation import Component
    from anagen.scheduling.services import book_appointment, create_room
    from anagen.treatments.services import save_formulation

    today = timezone.localdate()
    consultation = start_consultation(actor, patient, trichologist, today - dt.timedelta(days=7))
    save_draft(actor, consultation, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia"},
               measurements=None, labs={}, expected_version=None)
    consultation = sign_consultation(actor, consultation, trichologist)
    text = publish_text(actor, clinic, "treatment", "en", "Mesotherapy treatment", "I consent to scalp mesotherapy.")
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=practitioner)
    formulation = save_formulation(actor, consultation, [Component("ghk_cu", Decimal("1.0"), Decimal("1")), Component("dexpanthenol", Decimal("1.0"), Decimal("50"))],
                                   author=trichologist, signoff=False, consent_documented=False)
    room = create_room(clinic, "Procedure room 1")
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0)
    if start.hour >= 23:
        start = start.replace(hour=22)
    appointment = book_appointment(actor, clinic, patient=patient, practitioner=practitioner, room=room, kind="mesotherapy_session",
                                   starts_at=start, duration_minutes=45, course_session_number=1)
    product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", vial_type="multi_dose", vial_volume_ml=Decimal("5"),
                                     low_stock_threshold_ml=Decimal("10"))
    from anagen.catalog.services import receive_lot

    lot = receive_lot(actor, product, lot_number="VC-2611", expiry_date=today + dt.timedelta(days=200), quantity_ml=Decimal("20"),
                      supplier="Derma Supplies, Mumbai", received_on=today - dt.timedelta(days=3))
    return {"appointment": appointment, "formulation": formulation, "lot": lot, "product": product, "room": room, "today": today, "text": text}


def session_post(lot, *, volume="0.10", points=10, lot_volume="2.00", **overrides):
    zones = ["frontal", "mid_scalp", "vertex"]
    injection_map = [{"zone": zones[i % 3], "x": "0.5", "y": str(round(0.2 + 0.05 * (i % 10), 2)), "volume_ml": volume} for i in range(points)]
    data = {
        "identity_confirmed": "on", "scalp_cleansed": "on", "technique": "needle", "needle_gauge": "32", "needle_length_mm": "4",
        "depth_mm": "2", "injection_style": "point_by_point", "injection_map": json.dumps(injection_map), "pain_score": "3",
        "aftercare_language": "en", "lots-TOTAL_FORMS": "3", "lots-INITIAL_FORMS": "0",
        # The signing is confirmed (the form asks first: issue 20).
        "confirm": "yes",
        "lots-0-lot": str(lot.pk), "lots-0-volume_ml": lot_volume,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
