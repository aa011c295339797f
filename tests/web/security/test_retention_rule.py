"""The retention rule after an erasure request: pure, no database."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from anagen.privacy.retention import add_years, retention_ends


def test_an_adults_record_is_kept_three_years_from_the_last_visit():
    assert retention_ends(last_visit=date(2025, 3, 10), date_of_birth=date(1990, 5, 17), years=3, today=date(2026, 1, 1)) == date(2028, 3, 10)


def test_a_record_without_visits_counts_from_today():
    assert retention_ends(last_visit=None, date_of_birth=date(1990, 5, 17), years=3, today=date(2026, 1, 1)) == date(2029, 1, 1)


def test_a_minors_record_is_kept_three_years_from_the_eighteenth_birthday():
    assert retention_ends(last_visit=date(2025, 3, 10), date_of_birth=date(2012, 8, 1), years=3, today=date(2026, 1, 1)) == date(2033, 8, 1)


def test_the_number_of_years_is_the_clinics_setting():
    assert retention_ends(last_visit=date(2025, 3, 10), date_of_birth=date(1990, 5, 17), years=10, today=date(2026, 1, 1)) == date(2035, 3, 10)


def test_a_leap_day_moves_to_the_28th_of_february():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


def test_it_refuses_negative_retention():
    with pytest.raises(ValueError, match="negative"):
        retention_ends(last_visit=None, date_of_birth=date(1990, 1, 1), years=-1, today=date(2026, 1, 1))


def test_the_retention_rule_does_not_import_django():
    assert "anagen.privacy.retention" in sys.modules
    source = open(sys.modules["anagen.privacy.retention"].__file__, encoding="utf-8").read()
    assert "django" not in source.replace("no Django", "")
