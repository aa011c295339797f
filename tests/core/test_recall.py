"""The rules of recall that books (issue 22, item 3): which maintenance dates are owed a recall, when
it goes, which days the booking step offers, and how long its link lasts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from anagen.core.course import CourseRequest, SessionRecord, Weekday, plan_course
from anagen.core.protocol import Protocol
from anagen.core.recall import (
    LINK_VALID_DAYS,
    RECALL_DAYS_EARLY,
    RECALL_DAYS_LATE,
    BookingWindow,
    LinkState,
    booking_days,
    link_expires_at,
    link_state,
    recalls_owed,
    start_allowed,
)

IST = ZoneInfo("Asia/Kolkata")
P = Protocol()
D = dt.date
MON_SAT = frozenset(Weekday(d) for d in ("mon", "tue", "wed", "thu", "fri", "sat"))
# Thursday 3 Dec 2026, 09:00 in the clinic.
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=IST)


def course(**overrides) -> CourseRequest:
    values = dict(
        start_date=D(2026, 10, 5), intensive_sessions=2, interval_days=14, maintenance_sessions=2,
        maintenance_interval_days=60, open_weekdays=MON_SAT, closed_dates=frozenset({D(2026, 12, 25)}),
        completed=(SessionRecord(1, D(2026, 10, 5)), SessionRecord(2, D(2026, 10, 19))), missed=(), combination=(),
    )
    values.update(overrides)
    return CourseRequest(**values)


def test_each_planned_maintenance_session_nobody_booked_is_owed_a_recall_days_before_its_date():
    plan = plan_course(course(), P)
    owed = recalls_owed(plan, held_numbers=set(), days_before=14, today=D(2026, 12, 3))
    # Session 3: 60 days after 19 Oct is Fri 18 Dec; session 4: 60 days later, Tue 16 Feb 2027.
    assert [(r.number, r.due_date, r.send_on) for r in owed] == [
        (3, D(2026, 12, 18), D(2026, 12, 4)), (4, D(2027, 2, 16), D(2027, 2, 2))]


def test_a_booked_maintenance_session_and_the_intensive_sessions_are_owed_none():
    plan = plan_course(course(completed=(SessionRecord(1, D(2026, 10, 5)),)), P)
    owed = recalls_owed(plan, held_numbers={3}, days_before=14, today=D(2026, 10, 6))
    assert [r.number for r in owed] == [4]


def test_a_planned_date_already_past_is_owed_no_recall():
    plan = plan_course(course(), P)
    assert [r.number for r in recalls_owed(plan, set(), 14, today=D(2026, 12, 19))] == [4]


def test_recomputing_the_plan_after_a_later_session_moves_the_recall_with_it():
    done_later = course(completed=(SessionRecord(1, D(2026, 10, 5)), SessionRecord(2, D(2026, 10, 26))))
    owed = recalls_owed(plan_course(done_later, P), set(), 14, today=D(2026, 12, 3))
    assert owed[0].due_date == D(2026, 12, 26)  # 60 days after 26 Oct is Fri 25 Dec, a closure: the next open day


def test_the_days_before_must_be_between_1_and_60():
    plan = plan_course(course(), P)
    with pytest.raises(ValueError):
        recalls_owed(plan, set(), 0, today=D(2026, 12, 3))
    with pytest.raises(ValueError):
        recalls_owed(plan, set(), 61, today=D(2026, 12, 3))


def test_the_booking_step_offers_open_days_from_a_week_before_to_three_weeks_after_the_date():
    due = D(2026, 12, 18)
    days = booking_days(BookingWindow(due), course(), P, NOW)
    assert days[0] == due - dt.timedelta(days=RECALL_DAYS_EARLY)
    assert days[-1] == due + dt.timedelta(days=RECALL_DAYS_LATE)
    assert all(d.weekday() != 6 for d in days)  # closed Sundays
    assert D(2026, 12, 25) not in days  # a closure


def test_the_booking_step_keeps_the_notice_and_the_spacing_to_the_sessions_either_side():
    due = D(2026, 12, 8)
    window = BookingWindow(due, previous_day=D(2026, 12, 1), next_day=D(2026, 12, 20))
    days = booking_days(window, course(), P, dt.datetime(2026, 12, 3, 9, 0, tzinfo=IST))
    assert days[0] == D(2026, 12, 8)  # 7 days after the previous session (and past the 24-hour notice)
    assert days[-1] == D(2026, 12, 12)  # 8 days before the next would be 13 Dec, a Sunday; 12 Dec keeps 8 days


def test_the_booking_step_leaves_out_the_courses_combination_days():
    due = D(2026, 12, 18)
    days = booking_days(BookingWindow(due, combination_days=frozenset({due})), course(), P, NOW)
    assert due not in days and due + dt.timedelta(days=1) in days


def test_a_start_inside_the_notice_or_off_the_offered_days_is_not_allowed():
    window = BookingWindow(D(2026, 12, 5))
    assert start_allowed(window, dt.datetime(2026, 12, 5, 10, 0, tzinfo=IST), course(), P, NOW)
    assert not start_allowed(window, dt.datetime(2026, 12, 3, 17, 0, tzinfo=IST), course(), P, NOW)  # inside 24 h
    assert not start_allowed(window, dt.datetime(2026, 12, 6, 10, 0, tzinfo=IST), course(), P, NOW)  # a Sunday
    assert not start_allowed(window, dt.datetime(2027, 1, 5, 10, 0, tzinfo=IST), course(), P, NOW)  # too late


def test_a_link_lasts_fourteen_days_and_books_once():
    sent = NOW
    expires = link_expires_at(sent)
    assert expires - sent == dt.timedelta(days=LINK_VALID_DAYS) == dt.timedelta(days=14)
    assert link_state(expires, used=False, now=expires - dt.timedelta(seconds=1)) is LinkState.VALID
    assert link_state(expires, used=False, now=expires) is LinkState.EXPIRED
    assert link_state(expires, used=True, now=sent) is LinkState.USED
    assert link_state(expires, used=True, now=expires) is LinkState.USED
