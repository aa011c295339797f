from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anagen.core.errors import InvalidInput
from anagen.core.measurements import (
    CombCount,
    GlobalPhotographicAssessment,
    PullTest,
    PullTestResult,
    RakowskaFindings,
    ScalpZone,
    Trichoscopy,
    WashTest,
    WashTestReading,
    read_pull_test,
    read_rakowska,
    read_wash_test,
)
from anagen.core.protocol import Protocol, PullTestCriterion

SHAPIRO = Protocol(pull_test_criterion=PullTestCriterion.SHAPIRO_2000)


def fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {e.field for e in exc.value.errors}


def trichoscopy(**overrides):
    values = dict(
        zone=ScalpZone.VERTEX, site_offset_cm=Decimal("10"), density_per_cm2=Decimal("180"), thin_hairs_pct=None,
        mean_shaft_diameter_um=None, terminal_to_vellus_ratio=None, anagen_pct=None, telogen_pct=None,
        yellow_dots_count=None,
    )
    values.update(overrides)
    return Trichoscopy(**values)


# --- Pull test

def test_a_pull_test_with_exactly_two_hairs_extracted_is_normal_by_mcdonald():
    assert read_pull_test(PullTest(50, 2), Protocol()).result is PullTestResult.NORMAL
    assert read_pull_test(PullTest(50, 3), Protocol()).result is PullTestResult.POSITIVE


def test_a_pull_test_by_shapiro_is_positive_only_above_ten_percent():
    assert read_pull_test(PullTest(50, 5), SHAPIRO).result is PullTestResult.NORMAL
    assert read_pull_test(PullTest(50, 6), SHAPIRO).result is PullTestResult.POSITIVE


def test_a_pull_test_outside_40_to_60_grasped_is_flagged_as_non_standard():
    assert not read_pull_test(PullTest(30, 0), Protocol()).standard_technique
    assert read_pull_test(PullTest(40, 0), Protocol()).standard_technique


def test_a_pull_test_refuses_negative_counts_and_more_extracted_than_grasped():
    with pytest.raises(InvalidInput) as caught:
        PullTest(50, -1)
    assert fields(caught) == {"extracted"}
    with pytest.raises(InvalidInput) as caught:
        PullTest(10, 11)
    assert fields(caught) == {"extracted"}
    with pytest.raises(InvalidInput) as caught:
        PullTest(True, 1)  # type: ignore[arg-type]
    assert fields(caught) == {"grasped"}


@given(st.integers(1, 200).flatmap(lambda g: st.tuples(st.just(g), st.integers(0, g))))
def test_pull_test_readings_follow_their_published_cut_offs(counts):
    grasped, extracted = counts
    test = PullTest(grasped, extracted)
    assert (read_pull_test(test, Protocol()).result is PullTestResult.POSITIVE) == (extracted > 2)
    assert (read_pull_test(test, SHAPIRO).result is PullTestResult.POSITIVE) == (extracted * 10 > grasped)


# --- Wash test (Rebora 2005)

@pytest.mark.parametrize(
    "shed, short, reading",
    [
        (99, 10, WashTestReading.ANDROGENETIC_ALOPECIA),  # <100, 10.1% short
        (100, 9, WashTestReading.CHRONIC_TELOGEN_EFFLUVIUM),  # exactly 100, 9% short
        (100, 10, WashTestReading.BOTH),  # exactly 100, exactly 10%
        (99, 9, WashTestReading.REMISSION_OR_NORMAL),
        (0, 0, WashTestReading.REMISSION_OR_NORMAL),
    ],
)
def test_the_wash_test_gives_reboras_four_readings_at_their_boundaries(shed, short, reading):
    assert read_wash_test(WashTest(shed, short)) is reading


@given(st.integers(0, 5000).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_the_wash_test_reading_depends_only_on_the_two_thresholds(counts):
    shed, short = counts
    reading = read_wash_test(WashTest(shed, short))
    many, shorts = shed >= 100, shed > 0 and short * 10 >= shed
    expected = {
        (True, True): WashTestReading.BOTH,
        (True, False): WashTestReading.CHRONIC_TELOGEN_EFFLUVIUM,
        (False, True): WashTestReading.ANDROGENETIC_ALOPECIA,
        (False, False): WashTestReading.REMISSION_OR_NORMAL,
    }[(many, shorts)]
    assert reading is expected


def test_the_wash_test_refuses_more_short_hairs_than_shed_hairs():
    with pytest.raises(InvalidInput) as caught:
        WashTest(10, 11)
    assert fields(caught) == {"short_hairs_count"}


# --- Comb count

def test_a_comb_count_above_ten_is_above_the_reference_mean_of_wasko():
    assert not CombCount(10).above_reference_mean
    assert CombCount(11).above_reference_mean
    with pytest.raises(InvalidInput):
        CombCount(-1)


# --- Trichoscopy

def test_a_density_of_900_per_cm2_is_an_error_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        trichoscopy(density_per_cm2=Decimal(900))
    assert fields(caught) == {"density_per_cm2"}


def test_trichoscopy_names_every_bad_field_at_once():
    with pytest.raises(InvalidInput) as caught:
        trichoscopy(
            density_per_cm2=-1, thin_hairs_pct=101, mean_shaft_diameter_um=1, anagen_pct=80, telogen_pct=30,
            yellow_dots_count=-2, site_offset_cm=-1,
        )
    assert fields(caught) == {
        "density_per_cm2", "thin_hairs_pct", "mean_shaft_diameter_um", "telogen_pct", "yellow_dots_count",
        "site_offset_cm",
    }


def test_trichoscopy_accepts_realistic_values_and_compares_sites():
    a = trichoscopy(anagen_pct=Decimal(88), telogen_pct=Decimal(12), mean_shaft_diameter_um=Decimal(61))
    assert a.same_site_as(trichoscopy())
    assert not a.same_site_as(trichoscopy(site_offset_cm=Decimal(8)))
    assert not a.same_site_as(trichoscopy(zone=ScalpZone.FRONTAL))


# --- Rakowska 2009

def rakowska(**overrides):
    values = dict(
        yellow_dots_frontal=0, mean_diameter_frontal_um=Decimal(61), mean_diameter_occipital_um=Decimal(61),
        thin_hairs_frontal_pct=Decimal(6), single_hair_units_ratio=Decimal(1), vellus_ratio=Decimal(1),
        perifollicular_discoloration_ratio=Decimal(1),
    )
    values.update(overrides)
    return RakowskaFindings(**values)


def test_rakowska_two_major_criteria_make_female_pattern_hair_loss():
    reading = read_rakowska(rakowska(yellow_dots_frontal=5, thin_hairs_frontal_pct=Decimal(21)))
    assert reading.female_pattern_hair_loss
    assert len(reading.major_criteria_met) == 2


def test_rakowska_one_major_and_two_minor_make_it_but_one_minor_does_not():
    one_major_two_minor = rakowska(
        mean_diameter_frontal_um=Decimal(47), single_hair_units_ratio=Decimal("2.1"), vellus_ratio=Decimal("1.6")
    )
    assert read_rakowska(one_major_two_minor).female_pattern_hair_loss
    one_major_one_minor = rakowska(mean_diameter_frontal_um=Decimal(47), single_hair_units_ratio=Decimal("2.1"))
    assert not read_rakowska(one_major_one_minor).female_pattern_hair_loss


def test_rakowska_thresholds_are_strict_inequalities():
    at_boundary = rakowska(
        yellow_dots_frontal=4, thin_hairs_frontal_pct=Decimal(10), single_hair_units_ratio=Decimal(2),
        vellus_ratio=Decimal("1.5"), perifollicular_discoloration_ratio=Decimal(3),
    )
    reading = read_rakowska(at_boundary)
    assert reading.major_criteria_met == () and reading.minor_criteria_met == ()


@given(
    st.integers(0, 20), st.integers(20, 100), st.integers(20, 100), st.integers(0, 100),
    st.decimals(0, 5, places=1), st.decimals(0, 5, places=1), st.decimals(0, 5, places=1),
)
def test_rakowska_verdict_is_two_major_or_one_major_and_two_minor(dots, front, occ, thin, shu, vellus, disc):
    reading = read_rakowska(RakowskaFindings(dots, Decimal(front), Decimal(occ), Decimal(thin), shu, vellus, disc))
    major, minor = len(reading.major_criteria_met), len(reading.minor_criteria_met)
    assert reading.female_pattern_hair_loss == (major >= 2 or (major >= 1 and minor >= 2))


# --- Global photographic assessment

def test_global_photographic_assessment_is_seven_points_from_minus_3_to_plus_3():
    assert GlobalPhotographicAssessment(-3).label == "greatly decreased"
    assert GlobalPhotographicAssessment(3).label == "greatly increased"
    for bad in (-4, 4):
        with pytest.raises(InvalidInput) as caught:
            GlobalPhotographicAssessment(bad)
        assert fields(caught) == {"score"}
