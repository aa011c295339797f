import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anagen.core.course import (
    CombinationRequest,
    CombinationTherapy,
    CourseRequest,
    Phase,
    SessionRecord,
    SessionStatus,
    Weekday,
    is_open,
    plan_course,
)
from anagen.core.errors import InvalidInput
from anagen.core.protocol import Protocol

P = Protocol()
MON_SAT = frozenset(Weekday(d) for d in ("mon", "tue", "wed", "thu", "fri", "sat"))
D = dt.date


def request(**overrides) -> CourseRequest:
    values = dict(
        start_date=D(2026, 12, 1), intensive_sessions=6, interval_days=14, maintenance_sessions=2,
        maintenance_interval_days=60, open_weekdays=MON_SAT, closed_dates=frozenset({D(2026, 12, 25)}),
        completed=(), missed=(), combination=(),
    )
    values.update(overrides)
    return CourseRequest(**values)


def dates(plan):
    return [s.date for s in plan.sessions]


def test_the_first_session_is_on_the_start_date_and_the_rest_every_interval():
    plan = plan_course(request(), P)
    assert dates(plan)[:3] == [D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 29)]
    assert [s.phase for s in plan.sessions] == [Phase.INTENSIVE] * 6 + [Phase.MAINTENANCE] * 2
    assert dates(plan)[6] == dates(plan)[5] + dt.timedelta(days=60)
    assert plan.warnings == ()


def test_a_session_on_a_closure_moves_to_the_next_open_day_and_the_next_one_counts_from_there():
    # 2026-12-25 is a Friday and closed; every 7 days from Fri 2026-12-18.
    plan = plan_course(request(start_date=D(2026, 12, 18), interval_days=7, maintenance_sessions=0), P)
    assert dates(plan)[:3] == [D(2026, 12, 18), D(2026, 12, 26), D(2027, 1, 2)]


def test_the_7_day_minimum_spacing_holds_across_a_closure():
    closed = frozenset(D(2026, 12, 1) + dt.timedelta(days=i) for i in range(7, 11))  # 8-11 December
    plan = plan_course(request(interval_days=7, closed_dates=closed, maintenance_sessions=0), P)
    gaps = [(b - a).days for a, b in zip(dates(plan), dates(plan)[1:], strict=False)]
    assert dates(plan)[1] == D(2026, 12, 12) and min(gaps) >= 7
    assert dates(plan)[2] == D(2026, 12, 19)


def test_a_start_on_a_closed_weekday_moves_to_the_next_open_day():
    plan = plan_course(request(start_date=D(2026, 12, 6)), P)  # a Sunday
    assert dates(plan)[0] == D(2026, 12, 7)


def test_replanning_continues_from_the_last_completed_sessions_actual_date():
    completed = (SessionRecord(1, D(2026, 12, 1)), SessionRecord(2, D(2026, 12, 18)))
    plan = plan_course(request(completed=completed), P)
    assert [s.status for s in plan.sessions[:3]] == [SessionStatus.COMPLETED] * 2 + [SessionStatus.PLANNED]
    assert plan.sessions[1].date == D(2026, 12, 18) and plan.sessions[2].date == D(2027, 1, 1)


def test_replanning_after_a_missed_session_offers_it_again_after_the_missed_date():
    completed = (SessionRecord(1, D(2026, 12, 1)),)
    missed = (SessionRecord(2, D(2026, 12, 15)),)
    plan = plan_course(request(completed=completed, missed=missed), P)
    second = plan.sessions[1]
    assert second.number == 2 and second.status is SessionStatus.PLANNED
    assert second.date == D(2026, 12, 16) and second.missed_dates == (D(2026, 12, 15),)
    assert plan.sessions[2].date == D(2026, 12, 30)
    assert len(plan.sessions) == 8


def test_a_missed_then_completed_session_keeps_its_missed_date_in_the_history():
    completed = (SessionRecord(1, D(2026, 12, 1)), SessionRecord(2, D(2026, 12, 17)))
    missed = (SessionRecord(2, D(2026, 12, 15)),)
    plan = plan_course(request(completed=completed, missed=missed), P)
    assert plan.sessions[1].missed_dates == (D(2026, 12, 15),)
    assert plan.sessions[2].date == D(2026, 12, 31)


def test_history_that_cannot_be_true_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        request(
            completed=(SessionRecord(1, D(2026, 12, 10)), SessionRecord(3, D(2026, 12, 5))),
            missed=(SessionRecord(5, D(2026, 12, 20)),),
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"completed[1].number", "completed[1].date", "missed[0].number"}


def test_a_missed_date_after_the_session_was_done_is_refused():
    with pytest.raises(InvalidInput) as caught:
        request(completed=(SessionRecord(1, D(2026, 12, 1)),), missed=(SessionRecord(1, D(2026, 12, 2)),))
    assert {e.field for e in caught.value.errors} == {"missed[0].date"}


def test_the_hard_limits_are_errors_and_the_article_ranges_warnings():
    with pytest.raises(InvalidInput) as caught:
        request(intensive_sessions=13, interval_days=6, maintenance_interval_days=121, open_weekdays=frozenset())
    assert {e.field for e in caught.value.errors} == {
        "intensive_sessions", "interval_days", "maintenance_interval_days", "open_weekdays",
    }
    request(intensive_sessions=12, interval_days=31, maintenance_interval_days=120)  # the limits themselves pass
    plan = plan_course(request(intensive_sessions=5, interval_days=21, maintenance_interval_days=100), P)
    assert {w.code for w in plan.warnings} == {
        "intensive_sessions_outside_protocol", "interval_outside_protocol", "maintenance_interval_outside_protocol",
    }
    assert plan_course(request(intensive_sessions=8), P).warnings == ()


def test_a_calendar_with_no_open_day_is_an_error_not_a_hang():
    closed = frozenset(D(2026, 12, 1) + dt.timedelta(days=i) for i in range(400))
    with pytest.raises(InvalidInput):
        plan_course(request(closed_dates=closed), P)


def test_combination_therapy_runs_on_its_own_cadence_never_on_a_mesotherapy_day():
    combo = CombinationRequest(CombinationTherapy.PRF, D(2026, 12, 15), 28, 3)
    plan = plan_course(request(combination=(combo,)), P)
    meso = set(dates(plan))
    assert [c.date for c in plan.combination] == [D(2026, 12, 16), D(2027, 1, 13), D(2027, 2, 10)]
    assert not meso & {c.date for c in plan.combination}
    same_day = plan_course(request(combination=(combo,)), Protocol(combination_same_day_allowed=True))
    assert same_day.combination[0].date == D(2026, 12, 15)


def test_combination_sessions_beyond_the_course_are_not_planned_and_say_so():
    combo = CombinationRequest(CombinationTherapy.EXOSOMES, D(2026, 12, 2), 120, 5)
    plan = plan_course(request(maintenance_sessions=0), P)
    plan = plan_course(request(maintenance_sessions=0, combination=(combo,)), P)
    assert len(plan.combination) == 1
    assert [w.code for w in plan.warnings] == ["combination_outside_course"]


weekdays = st.frozensets(st.sampled_from(list(Weekday)), min_size=1)


@settings(max_examples=120, deadline=None)
@given(
    start=st.dates(D(2025, 1, 1), D(2030, 12, 31)),
    intensive=st.integers(1, 12),
    interval=st.integers(7, 31),
    maintenance=st.integers(0, 4),
    maintenance_interval=st.integers(28, 120),
    open_days=weekdays,
    closures=st.lists(st.integers(0, 400), max_size=30),
    done=st.integers(0, 3),
    spacing=st.integers(7, 10),
)
def test_every_plan_keeps_the_planning_rules(
    start, intensive, interval, maintenance, maintenance_interval, open_days, closures, done, spacing
):
    closed = frozenset(start + dt.timedelta(days=c) for c in closures)
    base = request(
        start_date=start, intensive_sessions=intensive, interval_days=interval, maintenance_sessions=maintenance,
        maintenance_interval_days=maintenance_interval, open_weekdays=open_days, closed_dates=closed,
    )
    protocol = Protocol(min_session_spacing_days=spacing)
    first = plan_course(base, protocol)
    done = min(done, len(first.sessions))
    # Re-plan as if the first `done` sessions happened a day late.
    completed = tuple(SessionRecord(s.number, s.date + dt.timedelta(days=1)) for s in first.sessions[:done])
    for plan in (first, plan_course(CourseRequest(**{**base.__dict__, "completed": completed}), protocol)):
        sessions = plan.sessions
        assert [s.number for s in sessions] == list(range(1, intensive + maintenance + 1))
        for previous, current in zip(sessions, sessions[1:], strict=False):
            gap = (current.date - previous.date).days
            assert gap >= spacing
            if current.status is SessionStatus.PLANNED:
                step = interval if current.phase is Phase.INTENSIVE else maintenance_interval
                target = previous.date + dt.timedelta(days=max(step, spacing))
                assert current.date >= target
                # The first open day on or after the target: no open day skipped.
                day = target
                while day < current.date:
                    assert not is_open(day, base)
                    day += dt.timedelta(days=1)
        for s in sessions:
            if s.status is SessionStatus.PLANNED:
                assert is_open(s.date, base)
        if sessions and sessions[0].status is SessionStatus.PLANNED:
            assert sessions[0].date >= start


# --- moving one planned session re-plans the rest (issue 5) -------------------------------------


def _moved_request(**overrides):
    base = dict(
        start_date=dt.date(2026, 12, 1), intensive_sessions=6, interval_days=14, maintenance_sessions=0,
        maintenance_interval_days=60, open_weekdays=frozenset(Weekday), closed_dates=frozenset(),
        completed=(SessionRecord(1, dt.date(2026, 12, 1)),), missed=(), combination=(),
    )
    base.update(overrides)
    return CourseRequest(**base)


def test_moving_a_session_later_shifts_every_session_after_it():
    plan = plan_course(_moved_request(), Protocol(), moved=SessionRecord(3, dt.date(2027, 1, 5)))
    dates = {s.number: s.date for s in plan.sessions}
    assert dates[2] == dt.date(2026, 12, 15)
    assert dates[3] == dt.date(2027, 1, 5)
    assert dates[4] == dt.date(2027, 1, 19)


def test_a_moved_session_too_close_to_the_one_before_is_refused():
    with pytest.raises(InvalidInput) as raised:
        plan_course(_moved_request(), Protocol(), moved=SessionRecord(2, dt.date(2026, 12, 5)))
    assert raised.value.errors[0].field == "moved.date"


def test_a_completed_session_cannot_be_moved():
    with pytest.raises(InvalidInput) as raised:
        plan_course(_moved_request(), Protocol(), moved=SessionRecord(1, dt.date(2026, 12, 3)))
    assert raised.value.errors[0].field == "moved.number"


# --- issue 17: an interrupted intensive phase is said -------------------------------------------------


def _codes(plan):
    return [w.code for w in plan.warnings]


def test_a_gap_over_twice_the_interval_in_the_intensive_phase_warns_it_is_interrupted():
    # Interval 14: session 2 done 29 days after session 1 (more than 28).
    completed = (SessionRecord(1, D(2026, 12, 1)), SessionRecord(2, D(2026, 12, 30)))
    plan = plan_course(request(completed=completed), P)
    assert "intensive_phase_interrupted" in _codes(plan)
    warning = next(w for w in plan.warnings if w.code == "intensive_phase_interrupted")
    assert "sessions 1 and 2" in warning.message and "29 days" in warning.message


def test_a_gap_of_exactly_twice_the_interval_is_not_an_interruption():
    completed = (SessionRecord(1, D(2026, 12, 1)), SessionRecord(2, D(2026, 12, 29)))
    assert "intensive_phase_interrupted" not in _codes(plan_course(request(completed=completed), P))


def test_a_long_missed_stretch_before_a_planned_session_warns_too():
    completed = (SessionRecord(1, D(2026, 12, 1)),)
    missed = (SessionRecord(2, D(2027, 1, 20)),)
    assert "intensive_phase_interrupted" in _codes(plan_course(request(completed=completed, missed=missed), P))


def test_the_maintenance_interval_never_counts_as_an_interruption():
    assert "intensive_phase_interrupted" not in _codes(plan_course(request(), P))
