from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date.today()


@pytest.fixture
def signed_consultation(trichologist, patient):
    """A signed consultation of the patient: androgenetic alopecia, allergic to biotin."""
    from anagen.audit.services import Actor
    from anagen.consultations.services import (
        acknowledge_caution,
        save_draft,
        sign_consultation,
        start_consultation,
    )

    actor = Actor.system("test", patient.clinic_id)
    consultation = start_consultation(actor, patient, trichologist, TODAY)
    save_draft(
        actor, consultation,
        {"presenting_complaint": "Thinning crown", "diagnosis_primary": "androgenetic_alopecia",
         "pattern_scale": "ludwig", "pattern_stage": "II", "allergy_ingredients": ["biotin"]},
        measurements=None, labs={}, expected_version=None,
    )
    signed = sign_consultation(actor, consultation, trichologist)
    acknowledge_caution(actor, signed, "ingredient_allergy", "Biotin is left out of every formulation", trichologist)
    return signed


@pytest.fixture
def room(clinic):
    from anagen.scheduling.services import create_room

    return create_room(clinic, "Procedure room 1")


@pytest.fixture
def formulation(signed_consultation, trichologist):
    from decimal import Decimal

    from anagen.audit.services import Actor
    from anagen.core.formulation import Component
    from anagen.treatments.services import save_formulation

    components = [Component("ghk_cu", Decimal("0.5"), Decimal("1")), Component("dexpanthenol", Decimal("0.5"), Decimal("50"))]
    return save_formulation(Actor.system("test", trichologist.clinic_id), signed_consultation, components,
                            author=trichologist, signoff=False, consent_documented=False)


def next_monday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(7 - after.weekday()) % 7 or 7)
