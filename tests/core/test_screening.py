import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anagen.core.errors import InvalidInput
from anagen.core.labs import Sex
from anagen.core.protocol import Protocol
from anagen.core.scales import PatternStage, Scale
from anagen.core.screening import (
    CONDITION_CODES,
    DEFAULT_SEVERITIES,
    MEDICATION_CODES,
    Diagnosis,
    FindingCode,
    Intake,
    ScalpState,
    Severity,
    Verdict,
    screen,
    verdict_for,
)

P = Protocol()
HEALTHY_SCALP = ScalpState(False, False, False)


def intake(**overrides) -> Intake:
    values = dict(
        age_years=Decimal("34.5"), sex=Sex.FEMALE, pregnant=False, breastfeeding=False, planning_conception=False,
        conditions=frozenset(), medications=frozenset(), allergies=frozenset(), scalp=HEALTHY_SCALP,
        pattern=PatternStage(Scale.LUDWIG, "II"), diagnosis=Diagnosis.ANDROGENETIC_ALOPECIA,
    )
    values.update(overrides)
    return Intake(**values)


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def test_a_healthy_adult_is_eligible_with_no_findings():
    result = screen(intake(), P)
    assert result.verdict is Verdict.ELIGIBLE and result.findings == () and not result.combination_recommended


def test_it_accepts_a_patient_aged_exactly_18():
    assert screen(intake(age_years=Decimal(18)), P).verdict is Verdict.ELIGIBLE


def test_it_refuses_a_patient_aged_exactly_17_99():
    result = screen(intake(age_years=Decimal("17.99")), P)
    assert result.verdict is Verdict.NOT_ELIGIBLE and codes(result) == [FindingCode.UNDER_18]


def test_the_minimum_age_is_a_protocol_setting():
    assert screen(intake(age_years=Decimal(20)), Protocol(minimum_age_years=21)).verdict is Verdict.NOT_ELIGIBLE


def test_scarring_alopecia_stops_and_refers_to_dermatology():
    result = screen(intake(scalp=ScalpState(False, False, True)), P)
    assert result.verdict is Verdict.NOT_ELIGIBLE
    assert "dermatologist" in result.findings[0].message and result.findings[0].source


def test_alopecia_areata_is_referred_as_autoimmune_alopecia():
    result = screen(intake(diagnosis=Diagnosis.ALOPECIA_AREATA, pattern=None), P)
    assert codes(result) == [FindingCode.AUTOIMMUNE_ALOPECIA] and result.verdict is Verdict.NOT_ELIGIBLE


def test_pregnancy_breastfeeding_and_scalp_infection_defer():
    for overrides in (
        dict(pregnant=True), dict(breastfeeding=True), dict(scalp=ScalpState(True, False, False)),
        dict(scalp=ScalpState(False, True, False)), dict(conditions=frozenset({FindingCode.UNCONTROLLED_DIABETES})),
    ):
        assert screen(intake(**overrides), P).verdict is Verdict.DEFER, overrides


def test_the_example_intake_is_eligible_with_cautions_and_excludes_the_allergen():
    result = screen(
        intake(
            conditions=frozenset({FindingCode.KELOID_TENDENCY}), medications=frozenset({FindingCode.ANTICOAGULANT}),
            allergies=frozenset({"biotin"}),
        ),
        P,
    )
    assert result.verdict is Verdict.ELIGIBLE_WITH_CAUTIONS
    assert codes(result) == [FindingCode.ANTICOAGULANT, FindingCode.KELOID_TENDENCY, FindingCode.INGREDIENT_ALLERGY]
    assert "biotin" in result.findings[-1].message and result.excluded_ingredients == {"biotin"}


def test_planning_conception_warns_about_5_alpha_reductase_inhibitors_for_men_too():
    result = screen(intake(sex=Sex.MALE, planning_conception=True, pattern=None), P)
    assert result.verdict is Verdict.ELIGIBLE_WITH_CAUTIONS
    assert "5-alpha-reductase" in result.findings[0].message and "Sobhy 2013" in result.findings[0].source


def test_an_advanced_pattern_recommends_combination_and_is_only_information():
    result = screen(intake(sex=Sex.MALE, pattern=PatternStage(Scale.NORWOOD_HAMILTON, "VI")), P)
    assert result.verdict is Verdict.ELIGIBLE and result.combination_recommended
    assert codes(result) == [FindingCode.ADVANCED_PATTERN]


def test_every_finding_code_has_a_default_severity_message_and_source():
    assert set(DEFAULT_SEVERITIES) == set(FindingCode)
    expected = {
        "under_18": "stop", "scarring_alopecia": "stop", "bleeding_disorder": "stop", "pregnancy": "defer",
        "breastfeeding": "defer", "active_scalp_infection": "defer", "active_scalp_inflammation": "defer",
        "uncontrolled_diabetes": "defer", "anticoagulant": "caution", "antiplatelet": "caution",
        "keloid_tendency": "caution", "immunosuppression": "caution", "heart_failure": "caution",
        "kidney_disease": "caution", "isotretinoin_recent": "caution", "vasovagal_history": "caution",
        "planning_conception": "caution", "ingredient_allergy": "caution", "advanced_pattern": "info",
        "autoimmune_alopecia": "stop", "fever_today": "defer",
    }
    assert {code.value: severity.value for code, severity in DEFAULT_SEVERITIES.items()} == expected


def test_a_clinic_can_override_a_severity():
    protocol = Protocol(severity_overrides={FindingCode.KELOID_TENDENCY: Severity.DEFER})
    result = screen(intake(conditions=frozenset({FindingCode.KELOID_TENDENCY})), protocol)
    assert result.verdict is Verdict.DEFER


def test_an_intake_names_every_bad_field():
    with pytest.raises(InvalidInput) as caught:
        intake(
            age_years=Decimal(-1), sex=Sex.MALE, pregnant=True, breastfeeding="no",
            conditions=frozenset({"pregnancy", "flu"}), medications=frozenset({FindingCode.KELOID_TENDENCY}),
        )
    fields = [e.field for e in caught.value.errors]
    assert set(fields) == {"age_years", "pregnant", "breastfeeding", "conditions", "medications"}
    assert fields.count("conditions") == 2


def test_an_unknown_allergy_code_is_refused():
    with pytest.raises(InvalidInput) as caught:
        screen(intake(allergies=frozenset({"peanut"})), P)
    assert caught.value.errors[0].field == "allergies"


LIST_CODES = sorted(CONDITION_CODES | MEDICATION_CODES)


@settings(max_examples=150)
@given(
    age=st.decimals(min_value=0, max_value=120, places=2),
    pregnant=st.booleans(), breastfeeding=st.booleans(), conception=st.booleans(),
    conditions=st.frozensets(st.sampled_from(sorted(CONDITION_CODES))),
    medications=st.frozensets(st.sampled_from(sorted(MEDICATION_CODES))),
    scalp=st.builds(ScalpState, st.booleans(), st.booleans(), st.booleans()),
    allergies=st.frozensets(st.sampled_from(["biotin", "zinc", "dutasteride"])),
    stage=st.sampled_from(["I", "II", "III"]),
)
def test_the_verdict_is_the_worst_severity_among_the_findings(
    age, pregnant, breastfeeding, conception, conditions, medications, scalp, allergies, stage
):
    result = screen(
        intake(
            age_years=age, pregnant=pregnant, breastfeeding=breastfeeding, planning_conception=conception,
            conditions=conditions, medications=medications, scalp=scalp, allergies=allergies,
            pattern=PatternStage(Scale.LUDWIG, stage),
        ),
        P,
    )
    severities = {f.severity for f in result.findings}
    assert result.verdict is verdict_for(severities)
    if Severity.STOP in severities:
        assert result.verdict is Verdict.NOT_ELIGIBLE
    assert (FindingCode.UNDER_18 in codes(result)) == (age < 18)
    assert result.combination_recommended == (stage == "III")
    assert all(f.message and f.source for f in result.findings)
    assert len([c for c in codes(result) if c == FindingCode.INGREDIENT_ALLERGY]) == len(allergies)
    assert set(codes(result)) >= conditions | medications


@given(st.lists(st.sampled_from(list(Severity))))
def test_verdict_order_is_stop_then_defer_then_caution(severities):
    verdict = verdict_for(severities)
    if "stop" in severities:
        assert verdict is Verdict.NOT_ELIGIBLE
    elif "defer" in severities:
        assert verdict is Verdict.DEFER
    elif "caution" in severities:
        assert verdict is Verdict.ELIGIBLE_WITH_CAUTIONS
    else:
        assert verdict is Verdict.ELIGIBLE


def test_intake_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        intake().age_years = Decimal(1)  # type: ignore[misc]
