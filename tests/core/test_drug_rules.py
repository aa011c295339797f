"""Issue 17, drugs in formulations: dose caps in mg per session (refused above), one 5-ARI, the
patient's context (pregnancy, breastfeeding, able to become pregnant with contraception and a
recent negative test), 5-ARI for telogen effluvium only with a written override, minoxidil and
5-ARI cautions acknowledged, and ready-made products checked against allergies."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from anagen.core.errors import InvalidInput
from anagen.core.formulation import (
    CATALOGUE,
    Component,
    Formulation,
    FormulationContext,
    IssueSeverity,
    NamedProduct,
    check_formulation,
    dose_mg,
)
from anagen.core.protocol import Protocol

D = Decimal
P = Protocol()
TODAY = dt.date(2026, 12, 3)
SIGNED = FormulationContext(frozenset(), False, True, True, today=TODAY)


def f(*parts):
    return Formulation(tuple(Component(code, D(ml), D(conc)) for code, ml, conc in parts))


def errors(check):
    return [i.code for i in check.issues if i.severity is IssueSeverity.ERROR]


def warnings(check):
    return [i.code for i in check.issues if i.severity is IssueSeverity.WARNING]


def test_four_millilitres_of_minoxidil_at_5_mg_per_ml_is_refused_naming_the_ingredient():
    check = check_formulation(f(("minoxidil", "4", "5")), SIGNED, P)
    assert not check.ok and "dose_cap_exceeded" in errors(check)
    issue = next(i for i in check.issues if i.code == "dose_cap_exceeded")
    assert issue.field == "components[0].volume_ml" and "Minoxidil 20 mg" in issue.message and "5 mg" in issue.message


@pytest.mark.parametrize(("code", "ml", "conc", "ok"), [
    ("minoxidil", "1", "5", True),          # 5 mg: exactly the cap
    ("minoxidil", "1.01", "5", False),      # 5.05 mg
    ("dutasteride", "1", "0.5", True),      # 0.5 mg: the cap
    ("dutasteride", "4", "0.5", False),     # 2 mg, accepted before issue 17
    ("finasteride", "1", "1", True),
    ("finasteride", "1.1", "1", False),
])
def test_dose_caps_are_inclusive_boundaries_in_mg(code, ml, conc, ok):
    check = check_formulation(f((code, ml, conc)), SIGNED, P)
    assert ("dose_cap_exceeded" not in errors(check)) is ok


def test_the_dose_is_concentration_times_volume():
    assert dose_mg(Component("minoxidil", D("0.6"), D("2.5")), CATALOGUE["minoxidil"]) == D("1.50")
    assert dose_mg(Component("selenium", D("1"), D("10")), CATALOGUE["selenium"]) is None  # µg/mL is not a drug dose


def test_caps_are_a_protocol_setting_and_a_drug_without_a_cap_is_refused():
    lower = replace(P, drug_dose_caps_mg={"minoxidil": D("2"), "dutasteride": D("0.5"), "finasteride": D("1")})
    assert "dose_cap_exceeded" in errors(check_formulation(f(("minoxidil", "0.5", "5")), SIGNED, lower))
    no_cap = replace(P, drug_dose_caps_mg={"dutasteride": D("0.5")})
    assert "dose_cap_missing" in errors(check_formulation(f(("minoxidil", "0.1", "5")), SIGNED, no_cap))
    with pytest.raises(InvalidInput):
        replace(P, drug_dose_caps_mg={"minoxidil": D("0")})


def test_dutasteride_and_finasteride_together_are_an_error():
    check = check_formulation(f(("dutasteride", "0.5", "0.1"), ("finasteride", "0.5", "0.5")), SIGNED, P)
    assert "multiple_five_ari" in errors(check)
    assert "multiple_five_ari" not in errors(check_formulation(f(("dutasteride", "0.5", "0.1"), ("minoxidil", "0.5", "5")), SIGNED, P))


@pytest.mark.parametrize(("context", "code"), [
    ({"sex": "female", "pregnant": True}, "five_ari_pregnancy"),
    ({"sex": "female", "breastfeeding": True}, "five_ari_breastfeeding"),
    ({"sex": "female", "able_to_become_pregnant": True}, "five_ari_pregnancy_prevention_missing"),
])
def test_a_5ari_is_an_error_in_pregnancy_breastfeeding_or_without_pregnancy_prevention(context, code):
    check = check_formulation(f(("finasteride", "0.5", "0.5")), replace(SIGNED, **context), P)
    assert code in errors(check)


def test_contraception_and_a_negative_test_within_the_protocol_days_allow_a_5ari():
    able = replace(SIGNED, sex="female", able_to_become_pregnant=True, contraception_documented_on=TODAY - dt.timedelta(days=60))
    seven = replace(able, negative_pregnancy_test_on=TODAY - dt.timedelta(days=7))
    eight = replace(able, negative_pregnancy_test_on=TODAY - dt.timedelta(days=8))
    formulation = f(("finasteride", "0.5", "0.5"))
    assert "five_ari_pregnancy_prevention_missing" not in errors(check_formulation(formulation, seven, P))
    missing = next(i for i in check_formulation(formulation, eight, P).issues if i.code == "five_ari_pregnancy_prevention_missing")
    assert "within the last 7 days" in missing.message
    no_contraception = replace(seven, contraception_documented_on=None)
    assert "documented contraception" in next(
        i.message for i in check_formulation(formulation, no_contraception, P).issues if i.code == "five_ari_pregnancy_prevention_missing")


def test_a_man_cannot_be_recorded_as_able_to_become_pregnant_and_dates_cannot_be_in_the_future():
    with pytest.raises(InvalidInput) as caught:
        replace(SIGNED, sex="male", able_to_become_pregnant=True, negative_pregnancy_test_on=TODAY + dt.timedelta(days=1))
    assert {e.field for e in caught.value.errors} == {"able_to_become_pregnant", "negative_pregnancy_test_on"}


def test_a_man_may_have_a_5ari_without_pregnancy_paperwork():
    assert check_formulation(f(("finasteride", "0.5", "0.5")), replace(SIGNED, sex="male"), P).ok


def test_a_5ari_for_telogen_effluvium_needs_a_trichologists_written_override():
    te = replace(SIGNED, diagnosis="telogen_effluvium")
    formulation = f(("dutasteride", "0.5", "0.1"))
    assert "five_ari_telogen_effluvium" in errors(check_formulation(formulation, te, P))
    blank = replace(te, trichologist_reasons={"five_ari_telogen_effluvium": "  "})
    assert "five_ari_telogen_effluvium" in errors(check_formulation(formulation, blank, P))
    overridden = check_formulation(formulation, replace(te, trichologist_reasons={"five_ari_telogen_effluvium": "AGA beneath the TE on trichoscopy"}), P)
    assert overridden.ok and "five_ari_telogen_effluvium" in warnings(overridden)
    assert "AGA beneath the TE" in next(i.message for i in overridden.issues if i.code == "five_ari_telogen_effluvium")


@pytest.mark.parametrize("condition", ["heart_failure", "low_blood_pressure", "cardiovascular_disease"])
def test_minoxidil_with_heart_or_blood_pressure_disease_is_a_caution_to_acknowledge(condition):
    context = replace(SIGNED, conditions=frozenset({condition}))
    formulation = f(("minoxidil", "0.5", "5"))
    assert "minoxidil_cardiovascular_caution" in errors(check_formulation(formulation, context, P))
    acknowledged = replace(context, trichologist_reasons={"minoxidil_cardiovascular_caution": "Cardiologist agrees; BP checked"})
    check = check_formulation(formulation, acknowledged, P)
    assert check.ok and "minoxidil_cardiovascular_caution" in warnings(check)


def test_minoxidil_without_those_conditions_raises_no_caution():
    assert "minoxidil_cardiovascular_caution" not in errors(check_formulation(f(("minoxidil", "0.5", "5")), SIGNED, P))


@pytest.mark.parametrize("condition", ["depression", "liver_disease", "sexual_dysfunction"])
def test_a_5ari_with_depression_liver_disease_or_sexual_dysfunction_is_a_caution_to_acknowledge(condition):
    context = replace(SIGNED, sex="male", conditions=frozenset({condition}))
    assert "five_ari_condition_caution" in errors(check_formulation(f(("finasteride", "0.5", "0.5")), context, P))


def test_a_ready_made_product_naming_an_allergen_is_refused():
    cocktail = NamedProduct(7, "Vital cocktail", frozenset({"biotin", "zinc"}))
    allergic = FormulationContext(frozenset({"biotin"}), False, False, False)
    check = check_formulation(f(("zinc", "1", "0.1")), allergic, P, products=[cocktail])
    assert "product_allergy_conflict" in errors(check)
    issue = next(i for i in check.issues if i.code == "product_allergy_conflict")
    assert issue.field == "products[0]" and "Biotin (vitamin B7)" in issue.message  # named as people read it (issue 20)


def test_a_ready_made_product_without_an_ingredient_list_is_refused_for_an_allergic_patient():
    unknown = NamedProduct(8, "Unlabelled serum", frozenset())
    allergic = FormulationContext(frozenset({"biotin"}), False, False, False)
    assert "product_ingredients_unknown" in errors(check_formulation(f(("zinc", "1", "0.1")), allergic, P, products=[unknown]))
    plain = FormulationContext(frozenset(), False, False, False)
    assert check_formulation(f(("zinc", "1", "0.1")), plain, P, products=[unknown]).ok


def test_a_product_holding_more_than_the_formulation_lists_is_a_warning():
    cocktail = NamedProduct(7, "Vital cocktail", frozenset({"biotin", "zinc"}))
    check = check_formulation(f(("zinc", "1", "0.1")), FormulationContext(frozenset(), False, False, False), P, products=[cocktail])
    assert check.ok and warnings(check) == ["product_ingredient_not_in_formulation"]
