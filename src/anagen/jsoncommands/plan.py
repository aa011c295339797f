"""``anagen plan``: a course request in, the dated sessions out (docs/cli.md)."""

from __future__ import annotations

from typing import Any

from anagen.core.course import (
    CombinationRequest,
    CombinationTherapy,
    CoursePlan,
    CourseRequest,
    SessionRecord,
    Weekday,
    plan_course,
)
from anagen.core.protocol import Protocol
from anagen.jsoncommands._parse import Obj, Reader, date, enum_reader

FIELDS = (
    "start_date", "intensive_sessions", "interval_days", "maintenance_sessions",
    "maintenance_interval_days", "open_weekdays", "closed_dates", "completed", "missed", "combination",
)
RECORD_FIELDS = ("number", "date")
COMBINATION_FIELDS = ("therapy", "start_date", "interval_days", "sessions")


def _records(r: Reader, doc: Obj, key: str) -> tuple[SessionRecord, ...]:
    out = []
    for path, item in doc.items(key):
        obj = r.object(item, path, RECORD_FIELDS)
        if obj:
            record = r.build(path, SessionRecord, obj.int("number"), obj.date("date"))
            if record is not None:
                out.append(record)
    # With a bad item dropped the indexes would shift; the item errors are enough then.
    return () if r.bad_under(doc.at(key)) else tuple(out)


def _combination(r: Reader, doc: Obj) -> tuple[CombinationRequest, ...]:
    out = []
    for path, item in doc.items("combination"):
        obj = r.object(item, path, COMBINATION_FIELDS)
        if obj:
            combo = r.build(
                path,
                CombinationRequest,
                obj.enum("therapy", CombinationTherapy),
                obj.date("start_date"),
                obj.int("interval_days"),
                obj.int("sessions"),
            )
            if combo is not None:
                out.append(combo)
    return tuple(out)


def read(document: Any) -> CourseRequest:
    r = Reader()
    doc = r.object(document, "", FIELDS)
    request = None
    if doc:
        weekdays = doc.list("open_weekdays", enum_reader(Weekday))
        closed = doc.list("closed_dates", date)
        request = r.build(
            "",
            CourseRequest,
            start_date=doc.date("start_date"),
            intensive_sessions=doc.int("intensive_sessions"),
            interval_days=doc.int("interval_days"),
            maintenance_sessions=doc.int("maintenance_sessions"),
            maintenance_interval_days=doc.int("maintenance_interval_days"),
            # An absent or bad list is already reported; an empty set keeps the core's checks quiet.
            open_weekdays=frozenset(weekdays) if weekdays is not None else frozenset({Weekday.MON}),
            closed_dates=frozenset(closed or ()),
            completed=_records(r, doc, "completed"),
            missed=_records(r, doc, "missed"),
            combination=_combination(r, doc),
        )
    r.done()
    assert request is not None
    return request


def to_dict(plan: CoursePlan) -> dict[str, Any]:
    return {
        "sessions": [
            {
                "number": s.number,
                "date": s.date.isoformat(),
                "phase": s.phase.value,
                "status": s.status.value,
                "missed_dates": [d.isoformat() for d in s.missed_dates],
            }
            for s in plan.sessions
        ],
        "combination": [
            {"therapy": c.therapy.value, "number": c.number, "date": c.date.isoformat()} for c in plan.combination
        ],
        "warnings": [{"code": w.code, "message": w.message} for w in plan.warnings],
    }


def run(document: Any) -> dict[str, Any]:
    return to_dict(plan_course(read(document), Protocol()))
