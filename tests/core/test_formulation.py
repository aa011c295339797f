from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anagen.core.errors import InvalidInput
from anagen.core.formulation import (
    CATALOGUE,
    TEMPLATES,
    Component,
    Formulation,
    FormulationContext,
    check_formulation,
    personalise,
    template_for,
)
from anagen.core.protocol import Protocol
from anagen.core.screening import Diagnosis

P = Protocol()
PLAIN = FormulationContext(frozenset(), False, False, False)


def component(code, ml="0.5", concentration=None):
    return Component(code, Decimal(ml), CATALOGUE[code].default_concentration if concentration is None else Decimal(concentration))


def issue_codes(check):
    return [i.code for i in check.issues]


def test_the_catalogue_holds_the_articles_ingredients_and_flags_drugs():
    for code in ("biotin", "amino_acid_complex", "zinc", "selenium", "ghk_cu", "growth_factor_complex",
                 "niacinamide", "dexpanthenol", "cyanocobalamin", "hyaluronic_acid"):
        assert not CATALOGUE[code].prescription_drug
    assert CATALOGUE["dutasteride"].five_alpha_reductase_inhibitor and CATALOGUE["dutasteride"].prescription_drug
    assert CATALOGUE["minoxidil"].prescription_drug and not CATALOGUE["minoxidil"].five_alpha_reductase_inhibitor


def test_every_template_passes_its_own_checks_and_contains_no_drug():
    for diagnosis, template in TEMPLATES.items():
        check = check_formulation(template, PLAIN, P)
        assert check.ok and check.issues == (), diagnosis
        assert not any(CATALOGUE[c.ingredient].prescription_drug for c in template.components)
        assert template.total_volume_ml == Decimal(2)  # about 2 mL per session, Moftah 2013


def test_there_is_no_template_for_diagnoses_referred_or_deferred():
    for diagnosis in (Diagnosis.ALOPECIA_AREATA, Diagnosis.SCARRING_ALOPECIA, Diagnosis.TINEA_CAPITIS, Diagnosis.DISCOID_LUPUS,
                      Diagnosis.FRONTAL_FIBROSING_ALOPECIA, Diagnosis.LICHEN_PLANOPILARIS, Diagnosis.TRICHOTILLOMANIA,
                      Diagnosis.ANAGEN_EFFLUVIUM):
        with pytest.raises(InvalidInput) as caught:
            template_for(diagnosis)
        assert caught.value.errors[0].field == "diagnosis"


def test_personalising_removes_allergens_and_5_alpha_reductase_inhibitors_when_conception_is_planned():
    base = Formulation((component("biotin"), component("dutasteride"), component("zinc")))
    result = personalise(base, frozenset({"biotin"}), planning_conception=True)
    assert [c.ingredient for c in result.formulation.components] == ["zinc"]
    assert [(r.ingredient, r.reason) for r in result.removed] == [("biotin", "allergy"), ("dutasteride", "planning_conception")]
    with pytest.raises(InvalidInput):
        personalise(Formulation((component("biotin"),)), frozenset({"biotin"}), False)


def test_an_allergy_conflict_is_an_error_naming_the_component():
    check = check_formulation(Formulation((component("zinc"), component("biotin"))), FormulationContext(frozenset({"biotin"}), False, False, False), P)
    assert not check.ok
    assert [(i.code, i.severity, i.field) for i in check.issues] == [("allergy_conflict", "error", "components[1].ingredient")]


def test_a_duplicate_ingredient_is_an_error():
    check = check_formulation(Formulation((component("zinc"), component("zinc"))), PLAIN, P)
    assert issue_codes(check) == ["duplicate_ingredient"] and not check.ok


def test_total_volume_of_exactly_4_ml_passes_and_above_it_fails():
    four = Formulation((component("zinc", "2"), component("biotin", "2")))
    assert check_formulation(four, PLAIN, P).ok
    over = Formulation((component("zinc", "2"), component("biotin", "2.01")))
    assert issue_codes(check_formulation(over, PLAIN, P)) == ["total_volume_exceeded"]
    assert check_formulation(over, PLAIN, Protocol(max_session_volume_ml=Decimal(5))).ok


def test_concentrations_must_lie_within_the_catalogue_range():
    low = CATALOGUE["biotin"].min_concentration
    assert check_formulation(Formulation((component("biotin", concentration=low),)), PLAIN, P).ok
    check = check_formulation(Formulation((component("biotin", concentration=low - Decimal("0.01")),)), PLAIN, P)
    assert issue_codes(check) == ["concentration_out_of_range"] and check.issues[0].field == "components[0].concentration"


def test_a_drug_needs_sign_off_and_consent_and_a_5ari_a_conception_warning():
    dutasteride = Formulation((component("dutasteride"),))
    check = check_formulation(dutasteride, PLAIN, P)
    assert set(issue_codes(check)) == {"off_label_drug", "drug_signoff_missing", "drug_consent_missing", "five_ari_conception_warning"}
    signed = check_formulation(dutasteride, FormulationContext(frozenset(), False, True, True), P)
    assert signed.ok and set(issue_codes(signed)) == {"off_label_drug", "five_ari_conception_warning"}
    conceiving = check_formulation(dutasteride, FormulationContext(frozenset(), True, True, True), P)
    assert not conceiving.ok and "five_ari_planning_conception" in issue_codes(conceiving)
    assert all("Sobhy 2013" in i.source for i in check.issues)
    minoxidil = check_formulation(Formulation((component("minoxidil"),)), FormulationContext(frozenset(), True, True, True), P)
    assert minoxidil.ok and issue_codes(minoxidil) == ["off_label_drug"]


def test_an_unknown_ingredient_and_a_bad_component_are_input_errors():
    with pytest.raises(InvalidInput) as caught:
        check_formulation(Formulation((Component("unicorn", Decimal(1), Decimal(1)),)), PLAIN, P)
    assert caught.value.errors[0].field == "components[0].ingredient"
    with pytest.raises(InvalidInput) as caught:
        Component("zinc", Decimal(0), Decimal(-1))
    assert {e.field for e in caught.value.errors} == {"volume_ml", "concentration"}
    with pytest.raises(InvalidInput):
        Formulation(())


codes = st.sampled_from(sorted(CATALOGUE))


@given(
    st.lists(st.tuples(codes, st.decimals(Decimal("0.01"), Decimal("3"), places=2)), min_size=1, max_size=8),
    st.frozensets(codes, max_size=3),
    st.booleans(), st.booleans(), st.booleans(),
)
def test_a_formulation_is_ok_exactly_when_no_rule_is_broken(parts, allergies, conceiving, signed, consented):
    formulation = Formulation(tuple(component(code, str(ml)) for code, ml in parts))
    check = check_formulation(formulation, FormulationContext(allergies, conceiving, signed, consented), P)
    ingredients = [code for code, _ in parts]
    drugs = any(CATALOGUE[c].prescription_drug for c in ingredients)
    broken = (
        bool(set(ingredients) & allergies)
        or len(set(ingredients)) < len(ingredients)
        or sum(ml for _, ml in parts) > 4
        or (drugs and not (signed and consented))
        or (conceiving and any(CATALOGUE[c].five_alpha_reductase_inhibitor for c in ingredients))
        or any(CATALOGUE[c].prescription_drug and CATALOGUE[c].default_concentration * ml > P.drug_dose_caps_mg[c] for c, ml in parts)
        or len({c for c in ingredients if CATALOGUE[c].five_alpha_reductase_inhibitor}) > 1
    )
    assert check.ok is not broken
    assert check.total_volume_ml == sum(ml for _, ml in parts)
