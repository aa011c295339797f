import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anagen.core.errors import InvalidInput
from anagen.core.measurements import (
    CombCount,
    GlobalPhotographicAssessment,
    ScalpZone,
    Trichoscopy,
    WashTest,
)
from anagen.core.protocol import Protocol
from anagen.core.response import Assessment, NextStep, ResponseClass, classify_response, combine

P = Protocol()
BASE_DAY = dt.date(2026, 1, 5)


def scope(density, zone=ScalpZone.VERTEX, offset="10"):
    return Trichoscopy(zone, Decimal(offset), Decimal(density), None, None, None, None, None, None)


def visit(days=0, density=None, wash=None, comb=None, **kw):
    return Assessment(
        BASE_DAY + dt.timedelta(days=days), scope(density, **kw) if density is not None else None,
        WashTest(wash, 0) if wash is not None else None, CombCount(comb) if comb is not None else None,
    )


def gpa(score):
    return GlobalPhotographicAssessment(score)


def test_a_ten_percent_density_gain_at_the_same_site_is_good_and_keeps_90_day_maintenance():
    result = classify_response(visit(density=150), visit(120, density=165), None, P)
    assert result.response_class is ResponseClass.GOOD
    assert result.maintenance_interval_days == 90 and result.next_step is NextStep.CONTINUE_MAINTENANCE


@pytest.mark.parametrize(
    "after, expected",
    [("165", "good"), ("164.9", "partial"), ("154.5", "partial"), ("154.4", "none"), ("135.1", "none"), ("135", "worse")],
)
def test_density_thresholds_at_their_boundaries(after, expected):
    result = classify_response(visit(density=150), visit(120, density=Decimal(after)), None, P)
    assert result.response_class == expected


def test_intervals_by_response_are_90_60_30_and_none_when_worse():
    assert classify_response(visit(), visit(120), gpa(1), P).maintenance_interval_days == 60
    none = classify_response(visit(), visit(120), gpa(0), P)
    assert none.maintenance_interval_days == 30 and none.next_step is NextStep.REVIEW_AND_CONSIDER_COMBINATION
    assert any("combination" in r for r in none.reasons)
    worse = classify_response(visit(), visit(120), gpa(-1), P)
    assert worse.maintenance_interval_days is None and worse.next_step is NextStep.STOP_AND_REVIEW_DIAGNOSIS


def test_density_at_a_different_site_is_not_compared_and_says_why():
    result = classify_response(visit(density=150), visit(120, density=200, offset="8"), gpa(0), P)
    assert [m.measure for m in result.measures] == ["global_photographic_assessment"]
    assert any("measured at another site" in r for r in result.reasons)


def test_shedding_halved_is_good_and_shedding_up_by_half_is_worse():
    assert classify_response(visit(wash=200), visit(120, wash=100), None, P).response_class is ResponseClass.GOOD
    assert classify_response(visit(comb=20), visit(120, comb=30), None, P).response_class is ResponseClass.WORSE
    assert classify_response(visit(comb=20), visit(120, comb=15), None, P).response_class is ResponseClass.PARTIAL


def test_any_worse_measure_makes_the_response_worse():
    result = classify_response(visit(density=150), visit(120, density=180), gpa(-2), P)
    assert result.response_class is ResponseClass.WORSE


def test_an_assessment_before_12_weeks_is_marked_provisional():
    early = classify_response(visit(), visit(83), gpa(2), P)
    assert early.early_assessment and any("provisional" in r for r in early.reasons)
    assert not classify_response(visit(), visit(84), gpa(2), P).early_assessment


def test_without_a_comparable_measure_or_with_dates_reversed_it_is_an_input_error():
    with pytest.raises(InvalidInput) as caught:
        classify_response(visit(density=150), visit(120), None, P)
    assert caught.value.errors[0].field == "follow_up"
    with pytest.raises(InvalidInput) as caught:
        classify_response(visit(10), visit(0), gpa(1), P)
    assert caught.value.errors[0].field == "follow_up.date"


def test_thresholds_are_protocol_settings():
    strict = Protocol(good_density_gain_pct=Decimal(20), partial_density_gain_pct=Decimal(15))
    assert classify_response(visit(density=100), visit(120, density=112), None, strict).response_class is ResponseClass.NONE


classes = st.sampled_from(list(ResponseClass))


@given(st.lists(classes, min_size=1, max_size=3))
def test_combining_is_worse_first_then_the_nearest_mean_rounded_down_on_ties(found):
    result = combine(found)
    if ResponseClass.WORSE in found:
        assert result is ResponseClass.WORSE
        return
    rank = {"none": 0, "partial": 1, "good": 2}
    mean = sum(rank[c] for c in found) / len(found)
    assert min(rank[c] for c in found) <= rank[result] <= max(rank[c] for c in found)
    assert abs(rank[result] - mean) <= 0.5
    if len(set(found)) == 1:
        assert result is found[0]


@given(
    st.integers(50, 300), st.integers(0, 500), st.one_of(st.none(), st.integers(-3, 3)),
    st.one_of(st.none(), st.tuples(st.integers(1, 300), st.integers(0, 600))),
)
def test_classification_is_monotone_in_the_follow_up_density(before, after, score, shedding):
    wash_before, wash_after = shedding if shedding else (None, None)
    photo = gpa(score) if score is not None else None
    low = classify_response(visit(density=before, wash=wash_before), visit(120, density=after, wash=wash_after), photo, P)
    high = classify_response(visit(density=before, wash=wash_before), visit(120, density=min(after + 20, 500), wash=wash_after), photo, P)
    order = ["worse", "none", "partial", "good"]
    assert order.index(high.response_class) >= order.index(low.response_class)
    assert (low.maintenance_interval_days is None) == (low.response_class is ResponseClass.WORSE)
