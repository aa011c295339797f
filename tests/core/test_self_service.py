"""The rules of portal self-service: when a patient may move or cancel a session themselves, and where to."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from anagen.core.course import CourseRequest, Weekday
from anagen.core.protocol import Protocol
from anagen.core.self_service import (
    MOVE_SEARCH_DAYS,
    CourseSession,
    RefusalCode,
    change_refusal,
    move_days,
    move_refusals,
)

IST = ZoneInfo("Asia/Kolkata")
P = Protocol()
D = dt.date
MON_SAT = frozenset(Weekday(d) for d in ("mon", "tue", "wed", "thu", "fri", "sat"))
# Thursday 3 Dec 2026, 09:00 in the clinic.
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=IST)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=IST)


def course(**overrides) -> CourseRequest:
    values = dict(
        start_date=D(2026, 11, 19), intensive_sessions=6, interval_days=14, maintenance_sessions=0,
        maintenance_interval_days=60, open_weekdays=MON_SAT, closed_dates=frozenset({D(2026, 12, 25)}),
        completed=(), missed=(), combination=(),
    )
    values.update(overrides)
    return CourseRequest(**values)


def session(**overrides) -> CourseSession:
    # Session 2 on Thu 10 Dec, session 1 done on Thu 26 Nov, session 3 on Thu 24 Dec.
    values = dict(number=2, starts_at=at(D(2026, 12, 10)), booked=True, previous_day=D(2026, 11, 26), next_day=D(2026, 12, 24))
    values.update(overrides)
    return CourseSession(**values)


def codes(refusals) -> set[str]:
    return {r.code for r in refusals}


def test_a_booked_course_session_a_week_ahead_may_be_changed():
    assert change_refusal(session(), P, NOW) is None


def test_a_session_less_than_the_notice_ahead_is_refused_with_the_hours_in_the_reason():
    refusal = change_refusal(session(starts_at=at(D(2026, 12, 4), 8)), P, NOW)
    assert refusal.code == RefusalCode.INSIDE_NOTICE
    assert refusal.hours == 24
    assert "24 hours" in refusal.message


def test_the_notice_is_the_clinics_setting():
    tomorrow_noon = session(starts_at=at(D(2026, 12, 4), 12))
    assert change_refusal(tomorrow_noon, P, NOW) is None
    assert change_refusal(tomorrow_noon, dataclasses.replace(P, self_service_notice_hours=48), NOW).code == RefusalCode.INSIDE_NOTICE


def test_exactly_the_notice_ahead_is_still_allowed():
    assert change_refusal(session(starts_at=NOW + dt.timedelta(hours=24)), P, NOW) is None


def test_an_appointment_outside_a_course_is_for_the_clinic_to_change():
    assert change_refusal(session(number=None), P, NOW).code == RefusalCode.NOT_A_COURSE_SESSION


def test_an_appointment_no_longer_booked_cannot_be_changed():
    assert change_refusal(session(booked=False), P, NOW).code == RefusalCode.NOT_BOOKED


def test_a_move_to_an_open_day_with_the_spacing_kept_is_allowed():
    assert move_refusals(session(), at(D(2026, 12, 12), 11), course(), P, NOW) == ()


def test_a_move_to_a_closed_weekday_or_a_closure_is_refused_naming_the_day():
    sunday = move_refusals(session(), at(D(2026, 12, 13)), course(), P, NOW)
    assert codes(sunday) == {RefusalCode.CLOSED_DAY}
    assert "13 Dec 2026" in sunday[0].message
    # 25 Dec is a closure, and too close to session 3 on 24 Dec as well.
    assert RefusalCode.CLOSED_DAY in codes(move_refusals(session(next_day=None), at(D(2026, 12, 25)), course(), P, NOW))


def test_a_move_closer_than_the_minimum_spacing_to_the_previous_or_next_session_is_refused():
    early = move_refusals(session(), at(D(2026, 12, 1)), course(), P, NOW)
    assert codes(early) >= {RefusalCode.TOO_CLOSE_TO_PREVIOUS}
    late = move_refusals(session(), at(D(2026, 12, 18)), course(), P, NOW)
    assert codes(late) == {RefusalCode.TOO_CLOSE_TO_NEXT}
    assert late[0].days == 7 and late[0].day == D(2026, 12, 24)
    assert "7 days apart" in late[0].message and "24 Dec 2026" in late[0].message


def test_seven_days_from_each_neighbour_is_enough():
    assert move_refusals(session(), at(D(2026, 12, 17)), course(), P, NOW) == ()
    assert move_refusals(session(previous_day=D(2026, 12, 5)), at(D(2026, 12, 12)), course(), P, NOW) == ()


def test_a_move_into_the_notice_window_is_refused():
    refusals = move_refusals(session(previous_day=None), at(D(2026, 12, 3), 18), course(), P, NOW)
    assert RefusalCode.NEW_TIME_INSIDE_NOTICE in codes(refusals)


def test_a_move_to_the_same_time_is_refused():
    assert codes(move_refusals(session(), at(D(2026, 12, 10)), course(), P, NOW)) == {RefusalCode.SAME_TIME}


def test_a_move_onto_a_combination_therapy_day_is_refused_unless_the_clinic_allows_it():
    prf = session(combination_days=frozenset({D(2026, 12, 12)}))
    assert codes(move_refusals(prf, at(D(2026, 12, 12)), course(), P, NOW)) == {RefusalCode.COMBINATION_DAY}
    allowed = dataclasses.replace(P, combination_same_day_allowed=True)
    assert move_refusals(prf, at(D(2026, 12, 12)), course(), allowed, NOW) == ()


def test_a_move_inside_the_notice_reports_only_that():
    refusals = move_refusals(session(starts_at=at(D(2026, 12, 3), 18)), at(D(2026, 12, 13)), course(), P, NOW)
    assert codes(refusals) == {RefusalCode.INSIDE_NOTICE}


def test_the_days_offered_are_open_days_between_the_neighbours_with_the_spacing_kept():
    days = move_days(session(), course(), P, NOW)
    assert days == [D(2026, 12, 3) + dt.timedelta(days=n) for n in range(1, 15)
                    if (D(2026, 12, 3) + dt.timedelta(days=n)).weekday() != 6]
    assert days[0] == D(2026, 12, 4) and days[-1] == D(2026, 12, 17)


def test_the_days_offered_start_after_the_notice_and_stop_after_the_search_window():
    days = move_days(session(previous_day=None, next_day=None), course(closed_dates=frozenset()), dataclasses.replace(P, self_service_notice_hours=48), NOW)
    assert days[0] == D(2026, 12, 5)
    assert days[-1] <= D(2026, 12, 5) + dt.timedelta(days=MOVE_SEARCH_DAYS - 1)
    assert all(d.weekday() != 6 for d in days)


def test_no_days_are_offered_for_a_session_that_cannot_be_changed():
    assert move_days(session(starts_at=at(D(2026, 12, 3), 20)), course(), P, NOW) == []
