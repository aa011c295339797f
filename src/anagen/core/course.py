"""Course planning: the intensive phase, then maintenance, on open clinic days.

Source article (domain.md §1): an intensive phase of 6-8 sessions 1-2 weeks apart, then maintenance
every 1-3 months by response; combinations with PRF, exosomes and peptide therapy. The hard limits
below are what Anagen accepts at all; the article's ranges are clinic protocol (Protocol.
recommended_*), and a plan outside them carries a warning rather than an error.

Rules (issue 4):
- The first session's target is the start date; every later session's target is the previous
  session's date (as planned, after any shift; or as actually done) plus the interval of the
  session's phase: ``interval_days`` into intensive sessions, ``maintenance_interval_days`` into
  maintenance sessions.
- A session falls on the first open clinic day on or after its target (closed weekdays and
  closure dates are inputs). Dates only move later, so consecutive sessions are never closer
  than the interval, and never closer than Protocol.min_session_spacing_days (default 7).
- Re-planning continues from the last completed session's actual date. A missed appointment
  leaves its session to be done: it is re-planned on the first open day after the missed date
  (and not earlier than the usual target).
- Combination therapies run on their own cadence inside the course (first to last mesotherapy
  session), by default never on a mesotherapy day (Protocol.combination_same_day_allowed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from anagen.core.errors import InvalidInput
from anagen.core.protocol import Protocol
from anagen.core.validation import Checks

# Hard limits accepted by the planner (issue 4); the article's narrower ranges live in Protocol.
INTENSIVE_SESSIONS_RANGE = (1, 12)
MAINTENANCE_SESSIONS_RANGE = (0, 24)
INTERVAL_DAYS_RANGE = (7, 31)
MAINTENANCE_INTERVAL_DAYS_RANGE = (28, 120)
COMBINATION_INTERVAL_DAYS_RANGE = (7, 120)
COMBINATION_SESSIONS_RANGE = (1, 12)
# How far ahead to look for an open day before declaring the calendar impossible.
MAX_SEARCH_DAYS = 366


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def weekday_number(self) -> int:
        """Monday = 0, as ``datetime.date.weekday()``."""
        return list(Weekday).index(self)


class Phase(StrEnum):
    INTENSIVE = "intensive"
    MAINTENANCE = "maintenance"


class SessionStatus(StrEnum):
    COMPLETED = "completed"
    PLANNED = "planned"


class CombinationTherapy(StrEnum):
    """Therapies the source article combines with mesotherapy (domain.md §1)."""

    PRF = "prf"
    EXOSOMES = "exosomes"
    PEPTIDES = "peptides"


@dataclass(frozen=True)
class SessionRecord:
    """A session that was done (``completed``) or an appointment the patient missed (``missed``)."""

    number: int
    date: dt.date

    def __post_init__(self) -> None:
        c = Checks()
        c.integer("number", self.number, 1, INTENSIVE_SESSIONS_RANGE[1] + MAINTENANCE_SESSIONS_RANGE[1])
        c.instance("date", self.date, dt.date, "a date")
        c.done()


@dataclass(frozen=True)
class CombinationRequest:
    therapy: CombinationTherapy
    start_date: dt.date
    interval_days: int
    sessions: int

    def __post_init__(self) -> None:
        c = Checks()
        c.require(self.therapy in set(CombinationTherapy), "therapy", f"one of {', '.join(CombinationTherapy)}")
        c.instance("start_date", self.start_date, dt.date, "a date")
        c.integer("interval_days", self.interval_days, *COMBINATION_INTERVAL_DAYS_RANGE)
        c.integer("sessions", self.sessions, *COMBINATION_SESSIONS_RANGE)
        c.done()


@dataclass(frozen=True)
class CourseRequest:
    start_date: dt.date
    intensive_sessions: int
    interval_days: int
    maintenance_sessions: int
    maintenance_interval_days: int
    open_weekdays: frozenset[Weekday]
    closed_dates: frozenset[dt.date]
    completed: tuple[SessionRecord, ...]
    missed: tuple[SessionRecord, ...]
    combination: tuple[CombinationRequest, ...]

    def __post_init__(self) -> None:
        c = Checks()
        c.instance("start_date", self.start_date, dt.date, "a date")
        sessions_ok = c.integer("intensive_sessions", self.intensive_sessions, *INTENSIVE_SESSIONS_RANGE)
        c.integer("interval_days", self.interval_days, *INTERVAL_DAYS_RANGE)
        sessions_ok &= c.integer("maintenance_sessions", self.maintenance_sessions, *MAINTENANCE_SESSIONS_RANGE)
        c.integer("maintenance_interval_days", self.maintenance_interval_days, *MAINTENANCE_INTERVAL_DAYS_RANGE)
        c.require(len(self.open_weekdays) > 0, "open_weekdays", "at least one weekday must be open")
        for day in self.open_weekdays:
            c.require(day in set(Weekday), "open_weekdays", f"unknown weekday {day!r}; one of {', '.join(Weekday)}")
        for closed in self.closed_dates:
            c.instance("closed_dates", closed, dt.date, "dates")
        _check_history(c, self.completed, self.missed, self.total_sessions if sessions_ok else None)
        c.done()
        object.__setattr__(self, "open_weekdays", frozenset(Weekday(d) for d in self.open_weekdays))

    @property
    def total_sessions(self) -> int:
        return self.intensive_sessions + self.maintenance_sessions

    def phase_of(self, number: int) -> Phase:
        return Phase.INTENSIVE if number <= self.intensive_sessions else Phase.MAINTENANCE

    def interval_into(self, number: int) -> int:
        """Days from session ``number - 1`` to session ``number``'s target."""
        return self.interval_days if self.phase_of(number) is Phase.INTENSIVE else self.maintenance_interval_days


def _check_history(
    c: Checks, completed: tuple[SessionRecord, ...], missed: tuple[SessionRecord, ...], total: int | None
) -> None:
    """Completed sessions are 1, 2, 3... in date order; a missed appointment for session n falls
    after session n-1 was done and before session n was (or is still to be) done."""
    for i, record in enumerate(completed):
        if record.number != i + 1:
            c.add(f"completed[{i}].number", f"completed sessions are numbered 1, 2, 3... in order; expected {i + 1}")
        elif total is not None and record.number > total:
            c.add(f"completed[{i}].number", f"the course has only {total} sessions")
        if i and record.date <= completed[i - 1].date:
            c.add(f"completed[{i}].date", "must be after the previous completed session's date")
    done = len(completed)
    for i, record in enumerate(missed):
        field = f"missed[{i}]"
        if record.number > min(done + 1, total if total is not None else done + 1):
            c.add(f"{field}.number", f"session {record.number} cannot be missed before session {done + 1} is done")
            continue
        after = completed[record.number - 2].date if record.number >= 2 and record.number - 2 < done else None
        before = completed[record.number - 1].date if record.number - 1 < done else None
        if after is not None and record.date <= after:
            c.add(f"{field}.date", f"must be after session {record.number - 1} was done ({after.isoformat()})")
        if before is not None and record.date >= before:
            c.add(f"{field}.date", f"must be before session {record.number} was done ({before.isoformat()})")


@dataclass(frozen=True)
class PlannedSession:
    number: int
    date: dt.date
    phase: Phase
    status: SessionStatus
    # Appointments for this session that the patient missed, oldest first.
    missed_dates: tuple[dt.date, ...]


@dataclass(frozen=True)
class CombinationSession:
    therapy: CombinationTherapy
    number: int
    date: dt.date


@dataclass(frozen=True)
class PlanWarning:
    code: str
    message: str


@dataclass(frozen=True)
class CoursePlan:
    sessions: tuple[PlannedSession, ...]
    combination: tuple[CombinationSession, ...]
    warnings: tuple[PlanWarning, ...]


def is_open(day: dt.date, request: CourseRequest) -> bool:
    return day not in request.closed_dates and any(w.weekday_number == day.weekday() for w in request.open_weekdays)


def first_open_day(target: dt.date, request: CourseRequest, avoid: frozenset[dt.date] = frozenset()) -> dt.date:
    """The first open clinic day on or after ``target`` (issue 4), skipping ``avoid``."""
    day = target
    for _ in range(MAX_SEARCH_DAYS):
        if is_open(day, request) and day not in avoid:
            return day
        day += dt.timedelta(days=1)
    raise InvalidInput.single(
        "closed_dates", f"no open clinic day within {MAX_SEARCH_DAYS} days of {target.isoformat()}"
    )


def plan_course(request: CourseRequest, protocol: Protocol, *, moved: SessionRecord | None = None) -> CoursePlan:
    """Plan (or re-plan) a course: see the module docstring for every rule and its source.

    ``moved`` is a planned session the clinic has moved to a new date (issue 5: moving one session
    offers to re-plan the rest): it keeps that date, and every later session's target follows from
    it by the same rules. A moved date closer than Protocol.min_session_spacing_days to the session
    before it is refused.
    """
    if moved is not None:
        if not len(request.completed) < moved.number <= request.total_sessions:
            raise InvalidInput.single("moved.number", f"only a planned session ({len(request.completed) + 1}-{request.total_sessions}) can be moved")
        if not is_open(moved.date, request):
            raise InvalidInput.single("moved.date", f"the clinic is closed on {moved.date.isoformat()}")
    warnings = _protocol_warnings(request, protocol)
    missed_by_number: dict[int, list[dt.date]] = {}
    for record in request.missed:
        missed_by_number.setdefault(record.number, []).append(record.date)
    for dates in missed_by_number.values():
        dates.sort()

    sessions: list[PlannedSession] = []
    previous: dt.date | None = None
    for record in request.completed:
        sessions.append(PlannedSession(
            record.number, record.date, request.phase_of(record.number), SessionStatus.COMPLETED,
            tuple(missed_by_number.get(record.number, ())),
        ))
        if previous is not None and (record.date - previous).days < protocol.min_session_spacing_days:
            warnings.append(PlanWarning(
                "completed_sessions_too_close",
                f"sessions {record.number - 1} and {record.number} were {(record.date - previous).days} days apart "
                f"(protocol minimum {protocol.min_session_spacing_days})",
            ))
        previous = record.date

    for number in range(len(request.completed) + 1, request.total_sessions + 1):
        if previous is None:
            target = request.start_date
        else:
            spacing = max(request.interval_into(number), protocol.min_session_spacing_days)
            target = previous + dt.timedelta(days=spacing)
        missed = tuple(missed_by_number.get(number, ()))
        if missed:
            target = max(target, missed[-1] + dt.timedelta(days=1))
        if moved is not None and number == moved.number:
            if previous is not None and (moved.date - previous).days < protocol.min_session_spacing_days:
                raise InvalidInput.single(
                    "moved.date",
                    f"session {number} would be {(moved.date - previous).days} days after session {number - 1} "
                    f"(minimum {protocol.min_session_spacing_days})",
                )
            day = moved.date
        else:
            day = first_open_day(target, request)
        sessions.append(PlannedSession(number, day, request.phase_of(number), SessionStatus.PLANNED, missed))
        previous = day

    warnings.extend(interruption_warnings(request, sessions))
    combination = _plan_combination(request, protocol, sessions, warnings)
    return CoursePlan(tuple(sessions), combination, tuple(warnings))


INTERRUPTION_FACTOR = 2
"""An intensive phase is interrupted when two consecutive intensive sessions are more than twice
the intensive interval apart (issue 17; clinic protocol): the article's phase is 6-8 sessions 1-2
weeks apart (domain.md §1), so a gap that long means the phase did not run as planned."""


def interruption_warnings(request: CourseRequest, sessions: list[PlannedSession]) -> list[PlanWarning]:
    """``intensive_phase_interrupted``: each pair of consecutive intensive sessions (done or
    planned) more than INTERRUPTION_FACTOR × ``interval_days`` apart."""
    warnings = []
    limit = INTERRUPTION_FACTOR * request.interval_days
    intensive = [s for s in sessions if s.phase is Phase.INTENSIVE]
    for before, after in zip(intensive, intensive[1:], strict=False):
        gap = (after.date - before.date).days
        if gap > limit:
            warnings.append(PlanWarning(
                "intensive_phase_interrupted",
                f"sessions {before.number} and {after.number} of the intensive phase are {gap} days apart, more than twice "
                f"the {request.interval_days}-day interval: the intensive phase is interrupted; review the plan",
            ))
    return warnings


def _protocol_warnings(request: CourseRequest, protocol: Protocol) -> list[PlanWarning]:
    """Warnings outside the article's ranges (clinic protocol: Protocol.recommended_*)."""
    warnings = []
    if not protocol.recommended_intensive_sessions_min <= request.intensive_sessions <= protocol.recommended_intensive_sessions_max:
        warnings.append(PlanWarning(
            "intensive_sessions_outside_protocol",
            f"{request.intensive_sessions} intensive sessions; the protocol recommends "
            f"{protocol.recommended_intensive_sessions_min}-{protocol.recommended_intensive_sessions_max}",
        ))
    if not protocol.recommended_interval_days_min <= request.interval_days <= protocol.recommended_interval_days_max:
        warnings.append(PlanWarning(
            "interval_outside_protocol",
            f"intensive sessions every {request.interval_days} days; the protocol recommends "
            f"{protocol.recommended_interval_days_min}-{protocol.recommended_interval_days_max}",
        ))
    if request.maintenance_sessions and not (
        protocol.recommended_maintenance_interval_days_min
        <= request.maintenance_interval_days
        <= protocol.recommended_maintenance_interval_days_max
    ):
        warnings.append(PlanWarning(
            "maintenance_interval_outside_protocol",
            f"maintenance every {request.maintenance_interval_days} days; the protocol recommends "
            f"{protocol.recommended_maintenance_interval_days_min}-{protocol.recommended_maintenance_interval_days_max}",
        ))
    return warnings


def _plan_combination(
    request: CourseRequest, protocol: Protocol, sessions: list[PlannedSession], warnings: list[PlanWarning]
) -> tuple[CombinationSession, ...]:
    if not sessions or not request.combination:
        return ()
    first, last = sessions[0].date, sessions[-1].date
    meso_days = frozenset() if protocol.combination_same_day_allowed else frozenset(s.date for s in sessions)
    planned: list[CombinationSession] = []
    for i, combo in enumerate(request.combination):
        previous: dt.date | None = None
        for number in range(1, combo.sessions + 1):
            target = combo.start_date if previous is None else previous + dt.timedelta(days=combo.interval_days)
            day = first_open_day(max(target, first), request, meso_days)
            if day > last:
                warnings.append(PlanWarning(
                    "combination_outside_course",
                    f"combination[{i}] ({combo.therapy}): sessions {number}-{combo.sessions} would fall after the "
                    f"last mesotherapy session ({last.isoformat()}) and are not planned",
                ))
                break
            planned.append(CombinationSession(CombinationTherapy(combo.therapy), number, day))
            previous = day
    return tuple(sorted(planned, key=lambda s: (s.date, s.therapy)))
