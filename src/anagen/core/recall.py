"""Recall that books (issue 22, item 3): the maintenance sessions a patient still has to book, when
the recall message goes, which days its booking step offers, and how long its link lasts.

Rules (clinic protocol, not evidence; the figures are named constants or clinic settings):
- A recall is owed for each maintenance session of an active course that the course planner
  (``anagen.core.course.plan_course``, from the sessions done and missed) still has *planned* and
  that no appointment holds (booked, arrived, in the chair or done): a maintenance date nobody has
  booked. Maintenance every 1-3 months by response (domain.md §1).
- It is sent ``days_before`` days before the planned date (the clinic's reminder setting
  ``recall_days_before``, 14 by default: two weeks leaves time to find a free morning, and the
  maintenance interval is at least 28 days, so the recall never overlaps the session before).
  A planned date already past is owed no recall: its session is re-planned by the clinic.
- The booking step offers open clinic days from ``RECALL_DAYS_EARLY`` days before the planned
  date to ``RECALL_DAYS_LATE`` days after it, never inside the self-service notice
  (``Protocol.self_service_notice_hours``), never closer than ``Protocol.min_session_spacing_days``
  to the session before or after (the planner's spacing), nor on a combination-therapy day unless
  ``Protocol.combination_same_day_allowed``. Maintenance "every 1-3 months" is no exact science:
  a week early or three weeks late keeps the interval within the article's range.
- The link in a recall message is valid for ``LINK_VALID_DAYS`` days from sending and books once.

Pure: ``today`` and ``now`` are arguments; datetimes are aware and in the clinic's zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from anagen.core.course import CoursePlan, CourseRequest, Phase, SessionStatus, is_open
from anagen.core.protocol import Protocol

DEFAULT_DAYS_BEFORE = 14
DAYS_BEFORE_RANGE = (1, 60)
RECALL_DAYS_EARLY = 7
RECALL_DAYS_LATE = 21
# Two weeks from sending: long enough for a patient who reads messages late, short enough that a
# link lying in an old inbox or a forwarded chat stops working soon.
LINK_VALID_DAYS = 14


@dataclass(frozen=True)
class RecallDue:
    """One maintenance session still to book: its number, its planned date, and when to recall."""

    number: int
    due_date: dt.date
    send_on: dt.date


def recalls_owed(plan: CoursePlan, held_numbers: Collection[int], days_before: int, today: dt.date) -> list[RecallDue]:
    """Each planned maintenance session that no appointment holds, dated today or later, in order."""
    if not DAYS_BEFORE_RANGE[0] <= days_before <= DAYS_BEFORE_RANGE[1]:
        raise ValueError(f"days_before must be {DAYS_BEFORE_RANGE[0]}-{DAYS_BEFORE_RANGE[1]}")
    return [
        RecallDue(s.number, s.date, s.date - dt.timedelta(days=days_before))
        for s in plan.sessions
        if s.phase is Phase.MAINTENANCE and s.status is SessionStatus.PLANNED and s.number not in held_numbers and s.date >= today
    ]


@dataclass(frozen=True)
class BookingWindow:
    """What the booking step knows of the session to book and its neighbours in the course."""

    due_date: dt.date
    previous_day: dt.date | None = None  # the session before it (done or booked), if any
    next_day: dt.date | None = None  # the session after it (booked), if any
    combination_days: frozenset[dt.date] = frozenset()


def booking_days(window: BookingWindow, course: CourseRequest, protocol: Protocol, now: dt.datetime) -> list[dt.date]:
    """The days the booking step offers (the calendar then says which times are free on them)."""
    spacing = dt.timedelta(days=protocol.min_session_spacing_days)
    earliest = max(window.due_date - dt.timedelta(days=RECALL_DAYS_EARLY),
                   (now + dt.timedelta(hours=protocol.self_service_notice_hours)).date())
    if window.previous_day is not None:
        earliest = max(earliest, window.previous_day + spacing)
    latest = window.due_date + dt.timedelta(days=RECALL_DAYS_LATE)
    if window.next_day is not None:
        latest = min(latest, window.next_day - spacing)
    days = []
    day = earliest
    while day <= latest:
        if is_open(day, course) and (protocol.combination_same_day_allowed or day not in window.combination_days):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def start_allowed(window: BookingWindow, starts_at: dt.datetime, course: CourseRequest, protocol: Protocol, now: dt.datetime) -> bool:
    """A chosen start is on an offered day and outside the notice."""
    if starts_at - now < dt.timedelta(hours=protocol.self_service_notice_hours):
        return False
    return starts_at.date() in booking_days(window, course, protocol, now)


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"


def link_expires_at(sent_at: dt.datetime) -> dt.datetime:
    return sent_at + dt.timedelta(days=LINK_VALID_DAYS)


def link_state(expires_at: dt.datetime, used: bool, now: dt.datetime) -> LinkState:
    """Used wins over expired: a patient who booked is told so, not that the link is old."""
    if used:
        return LinkState.USED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.VALID
