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


@pytest.mark.parametrize(("scale", "stage"), [
    (Scale.NORWOOD_HAMILTON, "VI"), (Scale.NORWOOD_HAMILTON, "VII"), (Scale.LUDWIG, "III"), (Scale.SINCLAIR, "5"),
])
def test_an_advanced_pattern_is_a_caution_that_recommends_combination(scale, stage):
    result = screen(intake(sex=Sex.MALE, pattern=PatternStage(scale, stage)), P)
    assert result.verdict is Verdict.ELIGIBLE_WITH_CAUTIONS and result.combination_recommended
    assert codes(result) == [FindingCode.ADVANCED_PATTERN]


def test_the_stage_below_an_advanced_pattern_raises_nothing():
    result = screen(intake(pattern=PatternStage(Scale.LUDWIG, "II")), P)
    assert result.verdict is Verdict.ELIGIBLE and not result.combination_recommended


def test_no_clinic_can_lower_an_advanced_pattern_to_information():
    with pytest.raises(InvalidInput) as caught:
        Protocol(severity_overrides={FindingCode.ADVANCED_PATTERN: Severity.INFO})
    assert caught.value.errors[0].field == "severity_overrides"
    assert Protocol(severity_overrides={FindingCode.ADVANCED_PATTERN: Severity.DEFER})


def test_every_finding_code_has_a_default_severity_message_and_source():
    assert set(DEFAULT_SEVERITIES) == set(FindingCode)
    expected = {
        "under_18": "stop", "scarring_alopecia": "stop", "bleeding_disorder": "stop", "pregnancy": "defer",
        "breastfeeding": "defer", "active_scalp_infection": "defer", "active_scalp_inflammation": "defer",
        "uncontrolled_diabetes": "defer", "anticoagulant": "caution", "antiplatelet": "caution",
        "keloid_tendency": "caution", "immunosuppression": "caution", "heart_failure": "caution",
        "kidney_disease": "caution", "isotretinoin_recent": "caution", "vasovagal_history": "caution",
        "planning_conception": "caution", "ingredient_allergy": "caution", "advanced_pattern": "caution",
        "autoimmune_alopecia": "stop", "fever_today": "defer",
        "tinea_capitis": "defer", "trichotillomania": "stop", "traction_alopecia": "caution", "anagen_effluvium": "defer",
        "lidocaine_allergy": "caution", "chlorhexidine_allergy": "caution", "latex_allergy": "caution", "other_allergy": "caution",
        "active_cancer": "defer", "chemotherapy": "defer", "psoriasis": "caution", "alopecia_areata_history": "caution",
        "cardiovascular_disease": "caution", "low_blood_pressure": "caution", "depression": "caution", "liver_disease": "caution",
        "sexual_dysfunction": "caution", "abnormal_labs_unreviewed": "defer", "reaction_last_session": "caution",
        "new_bald_patch": "defer",
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


# --- issue 17: the vocabulary clinics see -------------------------------------------------------------


@pytest.mark.parametrize(("diagnosis", "code", "verdict"), [
    ("tinea_capitis", "tinea_capitis", Verdict.DEFER),
    ("frontal_fibrosing_alopecia", "scarring_alopecia", Verdict.NOT_ELIGIBLE),
    ("lichen_planopilaris", "scarring_alopecia", Verdict.NOT_ELIGIBLE),
    ("discoid_lupus", "scarring_alopecia", Verdict.NOT_ELIGIBLE),
    ("trichotillomania", "trichotillomania", Verdict.NOT_ELIGIBLE),
    ("traction_alopecia", "traction_alopecia", Verdict.ELIGIBLE_WITH_CAUTIONS),
    ("anagen_effluvium", "anagen_effluvium", Verdict.DEFER),
])
def test_each_new_diagnosis_code_gives_its_finding(diagnosis, code, verdict):
    result = screen(intake(diagnosis=diagnosis, pattern=None), P)
    assert codes(result) == [code] and result.verdict is verdict


def test_a_scarring_diagnosis_names_itself_and_says_refer():
    finding = screen(intake(diagnosis="lichen_planopilaris", pattern=None), P).findings[0]
    assert "lichen planopilaris" in finding.message and "refer" in finding.message


@pytest.mark.parametrize(("allergen", "code", "words"), [
    ("lidocaine", "lidocaine_allergy", "numbing spray"),
    ("chlorhexidine", "chlorhexidine_allergy", "another antiseptic"),
    ("latex", "latex_allergy", "latex-free gloves"),
])
def test_allergies_beyond_the_ingredient_catalogue_are_cautions_with_what_to_do(allergen, code, words):
    result = screen(intake(allergies=frozenset({allergen})), P)
    assert codes(result) == [code] and words in result.findings[0].message
    assert result.excluded_ingredients == frozenset()


def test_any_other_allergen_is_free_text_with_a_caution_each():
    result = screen(intake(other_allergies=("penicillin", "nickel")), P)
    assert codes(result) == ["other_allergy", "other_allergy"]
    assert "penicillin" in result.findings[0].message and result.verdict is Verdict.ELIGIBLE_WITH_CAUTIONS


def test_an_unknown_allergy_code_points_to_free_text():
    with pytest.raises(InvalidInput) as caught:
        screen(intake(allergies=frozenset({"pollen"})), P)
    assert "free text" in caught.value.errors[0].message


@pytest.mark.parametrize(("condition", "severity"), [
    ("active_cancer", "defer"), ("chemotherapy", "defer"), ("psoriasis", "caution"), ("alopecia_areata_history", "caution"),
    ("cardiovascular_disease", "caution"), ("low_blood_pressure", "caution"), ("depression", "caution"),
    ("liver_disease", "caution"), ("sexual_dysfunction", "caution"),
])
def test_each_new_condition_code_is_accepted_with_its_severity(condition, severity):
    result = screen(intake(conditions=frozenset({condition})), P)
    assert codes(result) == [condition] and result.findings[0].severity == severity


def test_growth_factor_conditions_say_ask_the_oncologist():
    assert "oncologist" in screen(intake(conditions=frozenset({"active_cancer"})), P).findings[0].message


@pytest.mark.parametrize("diagnosis", ["telogen_effluvium", "diffuse_thinning"])
def test_unreviewed_abnormal_labs_defer_telogen_effluvium_and_diffuse_thinning(diagnosis):
    result = screen(intake(diagnosis=diagnosis, pattern=None, unreviewed_abnormal_labs=frozenset({"tsh"})), P)
    assert codes(result) == ["abnormal_labs_unreviewed"] and result.verdict is Verdict.DEFER
    assert "tsh" in result.findings[0].message


def test_unreviewed_abnormal_labs_do_not_defer_pattern_hair_loss_and_reviewed_ones_defer_nothing():
    assert screen(intake(unreviewed_abnormal_labs=frozenset({"tsh"})), P).findings == ()
    assert screen(intake(diagnosis="telogen_effluvium", pattern=None), P).findings == ()
