"""Which visits a response compares (core.response.response_visits) and what counts as the same
site (core.measurements.same_site): one rule for the progress page, the report and the clinic tables."""

import datetime as dt
from decimal import Decimal

from anagen.core.measurements import ScalpZone, same_site
from anagen.core.response import Visit, response_visits

D = dt.date(2026, 1, 5)


def visit(visit_id, days, consultation_id=None, density=True):
    return Visit(visit_id, D + dt.timedelta(days=days), consultation_id, density)


def test_the_baseline_is_the_visit_of_the_courses_consultation():
    chosen = response_visits([visit(1, 0), visit(2, 30, consultation_id=7), visit(3, 90)], consultation_id=7)
    assert (chosen.baseline.visit_id, chosen.follow_up.visit_id) == (2, 3)


def test_without_measurements_at_that_consultation_the_first_visit_with_a_density_is_the_baseline():
    chosen = response_visits([visit(1, 0, density=False), visit(2, 30), visit(3, 90)], consultation_id=7)
    assert (chosen.baseline.visit_id, chosen.follow_up.visit_id) == (2, 3)


def test_with_no_density_anywhere_the_first_visit_is_the_baseline():
    chosen = response_visits([visit(2, 30, density=False), visit(1, 0, density=False)], consultation_id=None)
    assert chosen.baseline.visit_id == 1 and chosen.follow_up.visit_id == 2


def test_the_follow_up_is_the_latest_later_visit_and_ties_go_to_the_one_recorded_last():
    chosen = response_visits([visit(1, 0, 7), visit(4, 120), visit(3, 120), visit(2, 60)], consultation_id=7)
    assert chosen.follow_up.visit_id == 4


def test_a_visit_on_the_baselines_day_is_no_follow_up():
    chosen = response_visits([visit(1, 0, 7), visit(2, 0)], consultation_id=7)
    assert chosen.baseline.visit_id == 1 and chosen.follow_up is None


def test_no_visits_no_baseline():
    chosen = response_visits([], consultation_id=7)
    assert chosen.baseline is None and chosen.follow_up is None


def test_the_same_site_is_the_same_zone_at_the_same_distance_behind_the_hairline():
    assert same_site(ScalpZone.VERTEX, Decimal("2.0"), "vertex", Decimal("2"))
    assert not same_site("vertex", Decimal("2"), "vertex", Decimal("3"))
    assert not same_site("vertex", Decimal("2"), "frontal", Decimal("2"))


def test_a_reading_without_a_recorded_zone_is_at_no_site():
    assert not same_site("", None, "", None)
    assert not same_site(None, Decimal("2"), None, Decimal("2"))
