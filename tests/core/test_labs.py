from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anagen.core.errors import InvalidInput
from anagen.core.labs import (
    FERRITIN_EVIDENCE_NOTE,
    UNIT_FACTORS,
    LabFlag,
    LabResult,
    LabTest,
    Sex,
    convert,
    interpret_lab,
)
from anagen.core.protocol import Protocol

P = Protocol()


def flag(test, value, unit, sex=Sex.FEMALE):
    return interpret_lab(LabResult(test, Decimal(str(value)), unit, None, None), sex, P).flag


def test_conversion_factors_match_the_published_approximations():
    assert round(float(convert(1, LabTest.FERRITIN, "ng/mL", "pmol/L")), 3) == 2.247
    assert convert(1, LabTest.FERRITIN, "ng/mL", "ug/L") == 1
    assert round(float(convert(1, LabTest.VITAMIN_D, "ng/mL", "nmol/L")), 3) == 2.496
    assert round(float(convert(1, LabTest.ZINC, "ug/dL", "umol/L")), 3) == 0.153
    assert round(float(convert(1, LabTest.VITAMIN_B12, "pg/mL", "pmol/L")), 3) == 0.738
    assert convert(Decimal("12.5"), LabTest.HAEMOGLOBIN, "g/dL", "g/L") == 125
    assert convert(Decimal("2.1"), LabTest.TSH, "mIU/L", "uIU/mL") == Fraction(21, 10)


def test_domain_thresholds_in_si_units_follow_from_the_molar_masses():
    assert round(float(convert(70, LabTest.ZINC, "µg/dL", "µmol/L")), 1) == 10.7
    assert round(float(convert(200, LabTest.VITAMIN_B12, "pg/mL", "pmol/L"))) == 148
    assert round(float(convert(20, LabTest.VITAMIN_D, "ng/mL", "nmol/L"))) == 50


@given(
    st.sampled_from([(t, a, b) for t in LabTest for a in UNIT_FACTORS[t] for b in UNIT_FACTORS[t]]),
    st.decimals(min_value=0, max_value=100000, places=3, allow_nan=False, allow_infinity=False),
)
def test_every_unit_round_trip_is_exact(conversion, value):
    test, a, b = conversion
    assert convert(convert(value, test, a, b), test, b, a) == Fraction(value)


def test_it_accepts_micro_sign_and_greek_mu_and_refuses_a_foreign_unit():
    assert convert(1, LabTest.ZINC, "μg/dL", "µmol/L") == convert(1, LabTest.ZINC, "ug/dL", "umol/L")
    with pytest.raises(InvalidInput) as caught:
        LabResult(LabTest.FERRITIN, Decimal(1), "mmol/L", None, None)
    assert caught.value.errors[0].field == "unit"


def test_ferritin_flags_and_always_states_the_weak_evidence():
    assert flag(LabTest.FERRITIN, "14.9", "ng/mL") is LabFlag.LOW
    assert flag(LabTest.FERRITIN, 15, "ng/mL") is LabFlag.BORDERLINE
    assert flag(LabTest.FERRITIN, "39.9", "ug/L") is LabFlag.BORDERLINE
    assert flag(LabTest.FERRITIN, 40, "ng/mL") is LabFlag.NORMAL
    assert flag(LabTest.FERRITIN, 151, "ng/mL") is LabFlag.HIGH
    result = interpret_lab(LabResult(LabTest.FERRITIN, Decimal(50), "ng/mL", None, None), Sex.MALE, P)
    assert result.evidence_note == FERRITIN_EVIDENCE_NOTE and "Olsen 2010" in result.evidence_note


def test_vitamin_d_follows_holick_and_compares_nmol_exactly():
    assert flag(LabTest.VITAMIN_D, "19.9", "ng/mL") is LabFlag.LOW
    assert flag(LabTest.VITAMIN_D, 20, "ng/mL") is LabFlag.BORDERLINE
    assert flag(LabTest.VITAMIN_D, 29, "ng/mL") is LabFlag.BORDERLINE
    assert flag(LabTest.VITAMIN_D, 30, "ng/mL") is LabFlag.NORMAL
    assert flag(LabTest.VITAMIN_D, 101, "ng/mL") is LabFlag.HIGH
    # In nmol/L the cut-off is the published 50 nmol/L (Holick 2011), not the exact conversion of
    # 20 ng/mL (49.9201... nmol/L): a value on the published cut-off is not below it (issue 17).
    assert flag(LabTest.VITAMIN_D, "49.99", "nmol/L") is LabFlag.LOW
    assert flag(LabTest.VITAMIN_D, "50", "nmol/L") is LabFlag.BORDERLINE


def test_tsh_zinc_and_b12_flags():
    assert flag(LabTest.TSH, "0.39", "mIU/L") is LabFlag.LOW
    assert flag(LabTest.TSH, "4.5", "mIU/L") is LabFlag.NORMAL
    assert flag(LabTest.TSH, "4.51", "m[IU]/L") is LabFlag.HIGH
    assert flag(LabTest.ZINC, 69, "ug/dL") is LabFlag.LOW
    assert flag(LabTest.ZINC, 70, "ug/dL") is LabFlag.NORMAL
    assert flag(LabTest.ZINC, "10.6", "umol/L") is LabFlag.LOW
    assert flag(LabTest.VITAMIN_B12, 199, "pg/mL") is LabFlag.LOW
    assert flag(LabTest.VITAMIN_B12, 250, "pg/mL") is LabFlag.BORDERLINE
    assert flag(LabTest.VITAMIN_B12, 500, "pg/mL") is LabFlag.NORMAL
    assert flag(LabTest.VITAMIN_B12, 147, "pmol/L") is LabFlag.LOW


def test_haemoglobin_cut_offs_are_sex_specific_per_who():
    assert flag(LabTest.HAEMOGLOBIN, "12.5", "g/dL", Sex.FEMALE) is LabFlag.NORMAL
    assert flag(LabTest.HAEMOGLOBIN, "12.5", "g/dL", Sex.MALE) is LabFlag.LOW
    assert flag(LabTest.HAEMOGLOBIN, 119, "g/L", Sex.FEMALE) is LabFlag.LOW
    assert flag(LabTest.HAEMOGLOBIN, 130, "g/L", Sex.MALE) is LabFlag.NORMAL


def test_the_labs_own_range_is_reported_beside_the_flag():
    result = interpret_lab(LabResult(LabTest.FERRITIN, Decimal(20), "ng/mL", Decimal(13), Decimal(150)), Sex.FEMALE, P)
    assert result.flag is LabFlag.BORDERLINE and result.lab_range == "within"
    below = interpret_lab(LabResult(LabTest.FERRITIN, Decimal(12), "ng/mL", Decimal(13), None), Sex.FEMALE, P)
    assert below.lab_range == "below"


def test_a_lab_result_names_every_bad_field():
    with pytest.raises(InvalidInput) as caught:
        LabResult(LabTest.ZINC, Decimal(-1), "ug/dL", Decimal(5), Decimal(1))
    assert {e.field for e in caught.value.errors} == {"value", "reference_high"}
    with pytest.raises(InvalidInput) as caught:
        LabResult(LabTest.HAEMOGLOBIN, Decimal(400), "g/L", None, None)
    assert {e.field for e in caught.value.errors} == {"value"}


@given(st.sampled_from(list(LabTest)), st.decimals(min_value=0, max_value=30, places=2))
def test_a_flag_never_depends_on_the_unit_it_was_reported_in(test, value):
    units = list(UNIT_FACTORS[test])
    flags = set()
    for unit in units:
        converted = convert(value, test, units[0], unit)
        exact = Decimal(converted.numerator) / Decimal(converted.denominator)
        if Fraction(exact) != converted:
            continue  # not representable as a finite decimal: nothing a lab would print
        flags.add(interpret_lab(LabResult(test, exact, unit, None, None), Sex.FEMALE, P).flag)
    assert len(flags) == 1


# --- issue 17: blood results that lead somewhere ------------------------------------------------------

from anagen.core.labs import interpret_labs  # noqa: E402


def reading(test, value, unit, sex=Sex.FEMALE):
    return interpret_lab(LabResult(test, Decimal(str(value)), unit, None, None), sex, P)


@pytest.mark.parametrize(("value", "sex", "severity"), [
    ("12.0", Sex.FEMALE, None), ("11.9", Sex.FEMALE, "mild"), ("11.0", Sex.FEMALE, "mild"), ("10.9", Sex.FEMALE, "moderate"),
    ("8.0", Sex.FEMALE, "moderate"), ("7.9", Sex.FEMALE, "severe"),
    ("13.0", Sex.MALE, None), ("12.9", Sex.MALE, "mild"), ("11.0", Sex.MALE, "mild"), ("10.9", Sex.MALE, "moderate"),
    ("7.99", Sex.MALE, "severe"),
])
def test_haemoglobin_is_graded_by_who_severity(value, sex, severity):
    assert reading(LabTest.HAEMOGLOBIN, value, "g/dL", sex).severity == severity


def test_severe_anaemia_says_refer_urgently_and_moderate_does_not():
    severe = reading(LabTest.HAEMOGLOBIN, 79, "g/L")
    assert severe.severity == "severe" and "refer urgently" in severe.referral and "WHO" in severe.referral_source
    assert reading(LabTest.HAEMOGLOBIN, 80, "g/L").referral is None


def _ida(sex, postmenopausal):
    results = [LabResult(LabTest.FERRITIN, Decimal(8), "ng/mL", None, None), LabResult(LabTest.HAEMOGLOBIN, Decimal("10.5"), "g/dL", None, None)]
    return {i.test: i for i in interpret_labs(results, sex, P, postmenopausal=postmenopausal)}


@pytest.mark.parametrize(("sex", "postmenopausal", "referred"), [
    (Sex.MALE, False, True), (Sex.FEMALE, True, True), (Sex.FEMALE, False, False),
])
def test_iron_deficiency_anaemia_in_a_man_or_post_menopausal_woman_refers_to_investigate_the_cause(sex, postmenopausal, referred):
    ferritin = _ida(sex, postmenopausal)[LabTest.FERRITIN]
    assert (ferritin.referral is not None) is referred
    if referred:
        assert "investigate the cause" in ferritin.referral and "Goddard 2011" in ferritin.referral_source


def test_low_ferritin_alone_or_anaemia_alone_is_not_iron_deficiency_anaemia():
    alone = interpret_labs([LabResult(LabTest.FERRITIN, Decimal(8), "ng/mL", None, None)], Sex.MALE, P)
    assert alone[0].referral is None
    normal_iron = interpret_labs([LabResult(LabTest.FERRITIN, Decimal(15), "ng/mL", None, None),
                                  LabResult(LabTest.HAEMOGLOBIN, Decimal(10), "g/dL", None, None)], Sex.MALE, P)
    assert normal_iron[0].referral is None


def test_only_the_low_ferritin_of_a_request_carries_the_iron_deficiency_referral():
    readings = interpret_labs([LabResult(LabTest.FERRITIN, Decimal(8), "ng/mL", None, None),
                               LabResult(LabTest.HAEMOGLOBIN, Decimal(10), "g/dL", None, None),
                               LabResult(LabTest.FERRITIN, Decimal(180), "ng/mL", None, None)], Sex.MALE, P)
    assert readings[0].referral is not None and "investigate the cause" in readings[0].referral
    assert readings[2].flag.value == "normal" and readings[2].referral is None


@pytest.mark.parametrize(("value", "referred"), [("0.39", True), ("0.4", False), ("4.5", False), ("4.51", True)])
def test_tsh_outside_its_range_refers_to_a_physician_before_attributing_the_hair_loss(value, referred):
    tsh = reading(LabTest.TSH, value, "mIU/L")
    assert (tsh.referral == "TSH outside its range: refer to a physician before attributing the hair loss.") is referred


def test_ferritins_upper_limit_is_sex_specific():
    assert reading(LabTest.FERRITIN, 150, "ng/mL", Sex.FEMALE).flag is LabFlag.NORMAL
    assert reading(LabTest.FERRITIN, 151, "ng/mL", Sex.FEMALE).flag is LabFlag.HIGH
    assert reading(LabTest.FERRITIN, 200, "ng/mL", Sex.MALE).flag is LabFlag.NORMAL
    assert reading(LabTest.FERRITIN, 201, "ng/mL", Sex.MALE).flag is LabFlag.HIGH


@pytest.mark.parametrize(("test", "value", "unit", "expected"), [
    (LabTest.ZINC, "10.7", "umol/L", LabFlag.NORMAL),       # exactly the published cut-off: not below it
    (LabTest.ZINC, "10.69", "umol/L", LabFlag.LOW),
    (LabTest.ZINC, "70", "ug/dL", LabFlag.NORMAL),
    (LabTest.ZINC, "69.99", "ug/dL", LabFlag.LOW),
    (LabTest.VITAMIN_B12, "148", "pmol/L", LabFlag.BORDERLINE),  # on the deficiency cut-off: not deficient
    (LabTest.VITAMIN_B12, "147.9", "pmol/L", LabFlag.LOW),
    (LabTest.VITAMIN_D, "50", "nmol/L", LabFlag.BORDERLINE),
    (LabTest.VITAMIN_D, "75", "nmol/L", LabFlag.NORMAL),
    (LabTest.HAEMOGLOBIN, "120", "g/L", LabFlag.NORMAL),
])
def test_a_value_exactly_on_a_published_cut_off_is_not_below_it(test, value, unit, expected):
    assert reading(test, value, unit).flag is expected


def test_abnormal_means_low_or_high_not_borderline():
    assert reading(LabTest.ZINC, 60, "ug/dL").abnormal and reading(LabTest.TSH, 9, "mIU/L").abnormal
    assert not reading(LabTest.FERRITIN, 20, "ng/mL").abnormal


@pytest.mark.parametrize(("sex", "value", "words"), [(Sex.FEMALE, "11.5", "below 12 g/dL for women"), (Sex.MALE, "12.5", "below 13 g/dL for men")])
def test_a_low_haemoglobin_names_the_cut_off_for_women_or_for_men_in_plain_words(sex, value, words):
    message = reading(LabTest.HAEMOGLOBIN, value, "g/dL", sex).message
    assert words in message
    assert "female" not in message and "male" not in message
