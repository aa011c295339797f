"""A patient ready for session 1 today: signed consultation, treatment consent, formulation,
a course whose first session is booked today, and a lot in stock."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from tests import builders


@pytest.fixture
def actor(clinic):
    from anagen.audit.services import Actor

    return Actor.system("test", clinic.pk)


@pytest.fixture
def ready(clinic, trichologist, practitioner, patient, actor):
    return build_ready(clinic, trichologist, practitioner, patient, actor)


def build_ready(clinic, trichologist, practitioner, patient, actor):
    """The world of ``ready``, for other test folders' fixtures (tests/web/pointofcare)."""
    consultation = builders.signed_consultation(patient, trichologist, actor=actor)
    record = builders.consent(patient, practitioner, title="Mesotherapy treatment", body="I consent to scalp mesotherapy.", actor=actor)
    formulation = builders.formulation(consultation, trichologist, actor=actor)
    room = builders.room(clinic)
    appointment = builders.session_appointment(patient, practitioner, room, actor=actor)
    lot = builders.lot_in_stock(clinic, actor=actor)
    return {"appointment": appointment, "formulation": formulation, "lot": lot, "product": lot.product, "room": room,
            "today": timezone.localdate(), "text": record.text}


def session_post(lot, *, volume="0.10", points=20, lot_volume="2.00", **overrides):
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
