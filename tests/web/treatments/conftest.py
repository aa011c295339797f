from __future__ import annotations

import datetime as dt

import pytest
from tests import builders

TODAY = dt.date.today()


@pytest.fixture
def signed_consultation(trichologist, patient):
    """A signed consultation of the patient: androgenetic alopecia, allergic to biotin."""
    from anagen.consultations.services import acknowledge_caution

    actor = builders.system_actor(patient.clinic)
    signed = builders.signed_consultation(
        patient, trichologist, on=TODAY, actor=actor, presenting_complaint="Thinning crown",
        pattern_scale="ludwig", pattern_stage="II", allergy_ingredients=["biotin"],
    )
    acknowledge_caution(actor, signed, "ingredient_allergy", "Biotin is left out of every formulation", trichologist)
    return signed


@pytest.fixture
def room(clinic):
    return builders.room(clinic)


@pytest.fixture
def formulation(signed_consultation, trichologist):
    from decimal import Decimal

    from anagen.core.formulation import Component

    components = (Component("ghk_cu", Decimal("0.5"), Decimal("1")), Component("dexpanthenol", Decimal("0.5"), Decimal("50")))
    return builders.formulation(signed_consultation, trichologist, components=components)


def next_monday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(7 - after.weekday()) % 7 or 7)
