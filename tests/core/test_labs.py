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
    assert flag(LabTest.FERRITIN, 301, "ng/mL") is LabFlag.HIGH
    result = interpret_lab(LabResult(LabTest.FERRITIN, Decimal(50), "ng/mL", None, None), Sex.MALE, P)
    assert result.evidence_note == FERRITIN_EVIDENCE_NOTE and "Olsen 2010" in result.evidence_note


def test_vitamin_d_follows_holick_and_compares_nmol_exactly():
    assert flag(LabTest.VITAMIN_D, "19.9", "ng/mL") is LabFlag.LOW
    assert flag(LabTest.VITAMIN_D, 20, "ng/mL") is LabFlag.BORDERLINE
    assert flag(LabTest.VITAMIN_D, 29, "ng/mL") is LabFlag.BORDERLINE
    assert flag(LabTest.VITAMIN_D, 30, "ng/mL") is LabFlag.NORMAL
    assert flag(LabTest.VITAMIN_D, 101, "ng/mL") is LabFlag.HIGH
    # 20 ng/mL is 49.9201... nmol/L for 25-OH D3 (400.64 g/mol): no rounding moves the boundary.
    assert flag(LabTest.VITAMIN_D, "49.921", "nmol/L") is LabFlag.BORDERLINE
    assert flag(LabTest.VITAMIN_D, "49.92", "nmol/L") is LabFlag.LOW


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
