import dataclasses
from decimal import Decimal

import pytest

from anagen.core.errors import InvalidInput
from anagen.core.protocol import Protocol, PullTestCriterion
from anagen.core.screening import FindingCode, Severity


def test_the_defaults_are_the_documented_values():
    p = Protocol()
    assert p.minimum_age_years == 18 and p.max_session_volume_ml == Decimal(4)
    assert (p.recommended_intensive_sessions_min, p.recommended_intensive_sessions_max) == (6, 8)
    assert p.min_session_spacing_days == 7 and p.pull_test_criterion is PullTestCriterion.MCDONALD_2017
    assert (p.maintenance_interval_days_good, p.maintenance_interval_days_partial, p.maintenance_interval_days_none) == (90, 60, 30)
    assert p.ferritin_target_ng_ml == 40


def test_a_protocol_is_frozen_and_hashable_so_it_can_be_cached_per_clinic():
    p = Protocol()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.minimum_age_years = 16  # type: ignore[misc]
    assert hash(p) == hash(Protocol())


def test_inconsistent_settings_are_refused_naming_every_field():
    with pytest.raises(InvalidInput) as caught:
        Protocol(
            max_session_volume_ml=Decimal(0), recommended_intensive_sessions_max=5, good_density_gain_pct=Decimal(1),
            maintenance_interval_days_none=7, severity_overrides={"flu": Severity.STOP},  # type: ignore[dict-item]
        )
    assert {e.field for e in caught.value.errors} == {
        "max_session_volume_ml", "recommended_intensive_sessions_max", "good_density_gain_pct",
        "maintenance_interval_days_none", "severity_overrides",
    }


def test_a_clinic_override_is_built_with_dataclasses_replace():
    p = dataclasses.replace(Protocol(), severity_overrides={FindingCode.ANTICOAGULANT: Severity.DEFER})
    assert p.severity_overrides[FindingCode.ANTICOAGULANT] is Severity.DEFER
