"""Portal self-service: when a patient may move or cancel a session of their course themselves
(issue 22, item 2), and where to.

Rules (clinic protocol, not evidence; each setting is in ``Protocol``):
- Only a booked mesotherapy session of a course, and only ``Protocol.self_service_notice_hours``
  or more before it starts (default 24 h: see the setting's comment). Inside the window the
  patient asks the clinic instead (the portal's change request), and the page says why.
- A move goes to a time at least as far ahead as the notice (a change made for tomorrow morning
  at night reaches reception too late), on an open clinic day (``course.is_open``: the open
  weekdays and closures the course planner uses), no closer than
  ``Protocol.min_session_spacing_days`` to the session before it and the session after it (the
  planner's rule for a moved session, domain.md §1: sessions "1-2 weeks apart"), and not on a day
  the course has a combination therapy unless ``Protocol.combination_same_day_allowed`` (the
  planner's rule too). Later sessions are never moved by the patient: a move that would need the
  rest of the course re-planned is the clinic's decision.
- Which times are free is the calendar's business (its free-slot search and its database
  constraint); this module judges only the rules above.

Pure: datetimes are aware and in the clinic's zone (their ``.date()`` is the clinic-local day);
``now`` is an argument.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from anagen.core.course import CourseRequest, is_open
from anagen.core.display import day as show_day
from anagen.core.protocol import Protocol

# How many days of free times a move offers, from the first day the rules allow: four weeks is as
# far as the clinic's online booking looks ahead (core/online_booking.py, BOOKING_HORIZON_DAYS),
# and more than an intensive-phase interval (domain.md §1), so a session always has a choice.
MOVE_SEARCH_DAYS = 28


class RefusalCode(StrEnum):
    NOT_A_COURSE_SESSION = "not_a_course_session"
    NOT_BOOKED = "not_booked"
    INSIDE_NOTICE = "inside_notice"
    NEW_TIME_INSIDE_NOTICE = "new_time_inside_notice"
    SAME_TIME = "same_time"
    CLOSED_DAY = "closed_day"
    TOO_CLOSE_TO_PREVIOUS = "too_close_to_previous"
    TOO_CLOSE_TO_NEXT = "too_close_to_next"
    COMBINATION_DAY = "combination_day"


@dataclass(frozen=True)
class Refusal:
    """Why a change is refused: ``code`` for the portal's translated wording, ``message`` in plain
    English (the API, the CLI, the tests), and the figures both use."""

    code: RefusalCode
    message: str
    hours: int | None = None
    days: int | None = None
    day: dt.date | None = None


@dataclass(frozen=True)
class CourseSession:
    """A booked appointment as the rules read it, with its neighbours in the course."""

    number: int | None  # the session number in the course; None: not a course's mesotherapy session
    starts_at: dt.datetime
    booked: bool  # still booked (not arrived, done, cancelled or missed)
    previous_day: dt.date | None = None  # the session before it (done or booked), if any
    next_day: dt.date | None = None  # the session after it (booked), if any
    combination_days: frozenset[dt.date] = frozenset()  # the course's combination-therapy days


def change_refusal(session: CourseSession, protocol: Protocol, now: dt.datetime) -> Refusal | None:
    """Whether the patient may change this session at all (move or cancel); None when they may."""
    if session.number is None:
        return Refusal(RefusalCode.NOT_A_COURSE_SESSION,
                       "Only the sessions of your course can be changed here; for other appointments, ask the clinic.")
    if not session.booked:
        return Refusal(RefusalCode.NOT_BOOKED, "This appointment is no longer booked, so it cannot be changed.")
    hours = protocol.self_service_notice_hours
    if session.starts_at - now < dt.timedelta(hours=hours):
        return Refusal(RefusalCode.INSIDE_NOTICE,
                       f"Changes online are possible up to {hours} hours before the appointment; this one is sooner. "
                       "Ask the clinic instead.", hours=hours)
    return None


def move_refusals(session: CourseSession, new_starts_at: dt.datetime, course: CourseRequest, protocol: Protocol,
                  now: dt.datetime) -> tuple[Refusal, ...]:
    """Every rule a move of ``session`` to ``new_starts_at`` breaks; empty when it is allowed."""
    first = change_refusal(session, protocol, now)
    if first is not None:
        return (first,)
    refusals = []
    hours = protocol.self_service_notice_hours
    new_day = new_starts_at.date()
    if new_starts_at == session.starts_at:
        refusals.append(Refusal(RefusalCode.SAME_TIME, "This is the time the session is booked at already."))
    if new_starts_at - now < dt.timedelta(hours=hours):
        refusals.append(Refusal(RefusalCode.NEW_TIME_INSIDE_NOTICE,
                                f"Choose a time at least {hours} hours from now.", hours=hours))
    if not is_open(new_day, course):
        refusals.append(Refusal(RefusalCode.CLOSED_DAY, f"The clinic is closed on {show_day(new_day)}.", day=new_day))
    spacing = protocol.min_session_spacing_days
    if session.previous_day is not None and (new_day - session.previous_day).days < spacing:
        refusals.append(Refusal(RefusalCode.TOO_CLOSE_TO_PREVIOUS,
                                f"Sessions must be at least {spacing} days apart, and your previous session is on "
                                f"{show_day(session.previous_day)}.", days=spacing, day=session.previous_day))
    if session.next_day is not None and (session.next_day - new_day).days < spacing:
        refusals.append(Refusal(RefusalCode.TOO_CLOSE_TO_NEXT,
                                f"Sessions must be at least {spacing} days apart, and your next session is on "
                                f"{show_day(session.next_day)}.", days=spacing, day=session.next_day))
    if not protocol.combination_same_day_allowed and new_day in session.combination_days:
        refusals.append(Refusal(RefusalCode.COMBINATION_DAY,
                                f"Another treatment of your course is on {show_day(new_day)}; sessions are not combined on one day.",
                                day=new_day))
    return tuple(refusals)


def move_days(session: CourseSession, course: CourseRequest, protocol: Protocol, now: dt.datetime) -> list[dt.date]:
    """The days a move may go to, by these rules alone (the calendar then says which times are
    free): open days from the first the notice and the spacing allow, for MOVE_SEARCH_DAYS days,
    up to the last the next session allows. Empty when the session cannot be changed."""
    if change_refusal(session, protocol, now) is not None:
        return []
    spacing = dt.timedelta(days=protocol.min_session_spacing_days)
    earliest = (now + dt.timedelta(hours=protocol.self_service_notice_hours)).date()
    if session.previous_day is not None:
        earliest = max(earliest, session.previous_day + spacing)
    latest = earliest + dt.timedelta(days=MOVE_SEARCH_DAYS - 1)
    if session.next_day is not None:
        latest = min(latest, session.next_day - spacing)
    days = []
    day = earliest
    while day <= latest:
        if is_open(day, course) and (protocol.combination_same_day_allowed or day not in session.combination_days):
            days.append(day)
        day += dt.timedelta(days=1)
    return days
