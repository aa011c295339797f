"""What the patient reports between visits (issue 22, item 7): the shedding diary's counts and days,
and the questionnaire's 7-point change and 5-point satisfaction. No database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anagen.core.errors import InvalidInput
from anagen.core.patient_reported import (
    MAX_DIARY_COUNT,
    DiaryEntry,
    Problem,
    SelfRatedChange,
    check_diary_entry,
    check_reported_outcome,
    diary_entry_problems,
    reported_outcome_problems,
)

TODAY = dt.date(2026, 12, 3)
JOINED = dt.date(2026, 6, 1)


def problems(day=TODAY, hairs=40, comb=None):
    return diary_entry_problems(day, hairs, comb, registered_on=JOINED, today=TODAY)


def test_a_day_with_whole_counts_between_registration_and_today_is_accepted():
    assert problems() == []
    assert problems(day=JOINED, hairs=0, comb=0) == []
    assert check_diary_entry(TODAY, 40, 12, registered_on=JOINED, today=TODAY) == DiaryEntry(TODAY, 40, 12)


def test_the_comb_count_is_optional():
    assert check_diary_entry(TODAY, 40, None, registered_on=JOINED, today=TODAY).comb_count is None


def test_counts_run_from_0_to_1000():
    assert MAX_DIARY_COUNT == 1000
    assert problems(hairs=1000, comb=1000) == []
    assert problems(hairs=1001) == [("hairs_shed", Problem.OUT_OF_RANGE)]
    assert problems(hairs=-1) == [("hairs_shed", Problem.OUT_OF_RANGE)]
    assert problems(comb=1001) == [("comb_count", Problem.OUT_OF_RANGE)]


@pytest.mark.parametrize("value", [1.5, 40.0, "40", True, None])
def test_a_count_that_is_not_a_whole_number_is_refused(value):
    assert ("hairs_shed", Problem.NOT_WHOLE) in problems(hairs=value)


def test_a_day_in_the_future_is_refused():
    assert problems(day=TODAY + dt.timedelta(days=1)) == [("day", Problem.IN_FUTURE)]


def test_a_day_before_the_patient_was_registered_is_refused():
    assert problems(day=JOINED - dt.timedelta(days=1)) == [("day", Problem.BEFORE_REGISTRATION)]


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidInput) as exc:
        check_diary_entry(TODAY + dt.timedelta(days=2), 5000, -3, registered_on=JOINED, today=TODAY)
    assert {e.field for e in exc.value.errors} == {"day", "hairs_shed", "comb_count"}


@given(st.integers(min_value=-10_000, max_value=10_000), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
def test_a_count_is_accepted_exactly_when_it_is_within_0_to_1000_and_the_day_within_the_record(count, day):
    accepted = problems(day=day, hairs=count) == []
    assert accepted == (0 <= count <= MAX_DIARY_COUNT and JOINED <= day <= TODAY)


def test_the_self_rated_change_has_seven_points_from_much_worse_to_much_better():
    assert [int(c) for c in SelfRatedChange] == [-3, -2, -1, 0, 1, 2, 3]
    assert SelfRatedChange(-3) is SelfRatedChange.MUCH_WORSE and SelfRatedChange(3) is SelfRatedChange.MUCH_BETTER


def test_an_answer_is_a_change_of_minus_3_to_3_and_a_satisfaction_of_1_to_5():
    answer = check_reported_outcome(2, 4)
    assert answer.change is SelfRatedChange.MODERATELY_BETTER and answer.satisfaction == 4
    assert reported_outcome_problems(-3, 1) == [] and reported_outcome_problems(3, 5) == []
    assert reported_outcome_problems(4, 0) == [("change", Problem.OUT_OF_RANGE), ("satisfaction", Problem.OUT_OF_RANGE)]
    assert reported_outcome_problems("2", 6) == [("change", Problem.NOT_WHOLE), ("satisfaction", Problem.OUT_OF_RANGE)]
    with pytest.raises(InvalidInput) as exc:
        check_reported_outcome(0, 10)
    assert [e.field for e in exc.value.errors] == ["satisfaction"]


def test_the_rules_cite_the_60_second_hair_count_method():
    from pathlib import Path

    import anagen.core.patient_reported as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "Standardizing the 60-second hair count" in source and "Arch Dermatol 2008;144(6):759-762" in source
