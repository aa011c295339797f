"""Outcome statistics: Wilson intervals, rates, responders and the forecast read in plain words."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest

from anagen.core.errors import InvalidInput
from anagen.core.haircycle.forecast import Band
from anagen.core.outcomes import (
    OutcomesSettings,
    estimate_rate,
    expected_timeline,
    forecast_diagnosis,
    forecast_treatments,
    is_responder,
    per_100,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [(8, 10, 0.490, 0.943), (0, 10, 0.0, 0.278), (50, 100, 0.404, 0.596), (10, 10, 0.722, 1.0), (1, 2, 0.095, 0.905)],
)
def test_the_wilson_interval_matches_published_values(successes, total, low, high):
    lo, hi = wilson_interval(successes, total)
    assert (round(lo, 3), round(hi, 3)) == (low, high)


def test_the_wilson_interval_contains_the_observed_rate_and_stays_within_0_and_1():
    for total in (1, 3, 17, 250):
        for successes in range(total + 1):
            lo, hi = wilson_interval(successes, total)
            assert 0.0 <= lo <= successes / total <= hi <= 1.0


@pytest.mark.parametrize(("successes", "total"), [(1, 0), (-1, 5), (6, 5), (1.5, 3)])
def test_it_refuses_an_impossible_count(successes, total):
    with pytest.raises(InvalidInput):
        wilson_interval(successes, total)


def test_it_says_too_few_patients_under_the_protocol_minimum():
    assert estimate_rate(3, 9).enough is False
    assert estimate_rate(3, 10).enough is True
    assert estimate_rate(3, 9, OutcomesSettings(min_patients_for_rate=5)).enough is True
    empty = estimate_rate(0, 0)
    assert (empty.rate, empty.low, empty.enough) == (None, None, False)


def test_it_refuses_a_minimum_below_one():
    with pytest.raises(InvalidInput):
        OutcomesSettings(min_patients_for_rate=0)


def test_good_and_partial_responses_count_as_responders():
    assert [is_responder(c) for c in ("good", "partial", "none", "worse")] == [True, True, False, False]


def test_it_counts_events_per_100_sessions():
    assert per_100(3, 40) == Decimal("7.5")
    assert per_100(1, 3) == Decimal("33.3")
    assert per_100(2, 0) is None


def test_it_maps_diagnoses_to_the_forecast_by_sex():
    assert forecast_diagnosis("androgenetic_alopecia", "male") == "androgenetic_alopecia_male"
    assert forecast_diagnosis("androgenetic_alopecia", "female") == "androgenetic_alopecia_female"
    assert forecast_diagnosis("androgenetic_alopecia", "other") is None
    assert forecast_diagnosis("telogen_effluvium", "female") == "telogen_effluvium"
    assert forecast_diagnosis("scalp_condition", "male") is None


def test_it_adds_each_injected_drug_as_itself_not_as_its_topical_or_oral_form():
    assert forecast_treatments(["biotin", "zinc"]) == ("vitamin_mesotherapy",)
    assert forecast_treatments(["biotin", "Dutasteride", "minoxidil", "finasteride"]) == (
        "vitamin_mesotherapy", "minoxidil_mesotherapy", "finasteride_mesotherapy", "dutasteride_mesotherapy",
    )


def _band(values):
    days = tuple(range(len(values)))
    return Band(days, tuple(values), tuple(values), tuple(values))


def test_it_reads_settling_and_visible_change_off_the_band():
    start = dt.date(2026, 1, 1)
    density = _band([100.0] * 90 + [102.0] * 30 + [104.0] * 10)
    wash = _band([100.0] * 30 + [130.0] * 40 + [99.0] * 60)
    timeline = expected_timeline(density, wash, 100.0, start, Decimal("3"))
    assert timeline.shedding_rise_expected is True
    assert timeline.shedding_settles_day == 70
    assert timeline.shedding_settles_on == dt.date(2026, 3, 12)
    assert timeline.visible_change_day == 120
    assert "12 Mar 2026" in timeline.sentences[0]  # one date format (issue 20)
    assert "1 May 2026" in timeline.sentences[1]


def test_it_says_so_when_no_change_is_forecast():
    timeline = expected_timeline(_band([100.0] * 50), _band([80.0] * 50), 100.0, dt.date(2026, 1, 1), 3)
    assert timeline.shedding_rise_expected is False
    assert timeline.visible_change_on is None
    assert "not expected to rise" in timeline.sentences[0]
    assert "does not expect a measurable change" in timeline.sentences[1]


def test_making_way_for_new_growth_is_said_only_with_minoxidil_in_the_course():
    density = _band([100.0] * 130)
    wash = _band([100.0] * 30 + [130.0] * 40 + [99.0] * 60)
    without = expected_timeline(density, wash, 100.0, dt.date(2026, 1, 1), 3)
    with_minoxidil = expected_timeline(density, wash, 100.0, dt.date(2026, 1, 1), 3, minoxidil_in_course=True)
    assert "making way for new growth" not in " ".join(without.sentences)
    assert "making way for new growth" in " ".join(with_minoxidil.sentences)


def test_an_untreated_only_forecast_and_a_short_horizon_are_said_in_words():
    timeline = expected_timeline(_band([100.0] * 85), _band([80.0] * 85), 100.0, dt.date(2026, 1, 1), 3,
                                 untreated_only=True, horizon_days=84)
    assert timeline.sentences[0].startswith("No randomised trial has measured hair counts")
    assert "within 84 days" in " ".join(timeline.sentences)
    short = expected_timeline(_band([100.0] * 85), _band([80.0] * 85), 100.0, dt.date(2026, 1, 1), 3, horizon_days=84)
    assert "stops at 84 days" in short.sentences[0]


def test_the_untreated_reference_of_telogen_effluvium_recovers_by_itself():
    from anagen.core.outcomes import untreated_reference

    later = untreated_reference("telogen_effluvium", 0, 240, 90)
    assert later.density_ratio > 1 and later.wash_test_ratio < 1


def test_the_outcomes_core_never_imports_django():
    code = "import sys, anagen.core.outcomes; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
