"""``anagen classify``: baseline and follow-up measurements in, the response class and the next
maintenance step out (docs/cli.md)."""

from __future__ import annotations

from typing import Any

from anagen.core.measurements import (
    CombCount,
    GlobalPhotographicAssessment,
    ScalpZone,
    Trichoscopy,
    WashTest,
    read_wash_test,
)
from anagen.core.outcomes import untreated_reference
from anagen.core.protocol import Protocol
from anagen.core.response import Assessment, CourseContext, ResponseResult, classify_response
from anagen.core.screening import Diagnosis
from anagen.jsoncommands._parse import Obj, Reader

FIELDS = ("baseline", "follow_up", "global_photographic_assessment")
OPTIONAL_FIELDS = ("course",)  # issue 17
COURSE_FIELDS = ("minoxidil_in_course", "phase", "sessions_done", "intensive_sessions", "diagnosis", "start_date", "trigger_date")
ASSESSMENT_FIELDS = ("date", "trichoscopy", "wash_test", "comb_count")
TRICHOSCOPY_FIELDS = (
    "zone", "site_offset_cm", "density_per_cm2", "thin_hairs_pct", "mean_shaft_diameter_um",
    "terminal_to_vellus_ratio", "anagen_pct", "telogen_pct", "yellow_dots_count",
)
NULLABLE_TRICHOSCOPY = {"thin_hairs_pct", "mean_shaft_diameter_um", "terminal_to_vellus_ratio", "anagen_pct", "telogen_pct"}
WASH_FIELDS = ("shed_count", "short_hairs_count")


def _trichoscopy(r: Reader, parent: Obj) -> Trichoscopy | None:
    obj = parent.object("trichoscopy", TRICHOSCOPY_FIELDS, nullable=True)
    if obj is None:
        return None
    values: dict[str, Any] = {"zone": obj.enum("zone", ScalpZone), "yellow_dots_count": obj.int("yellow_dots_count", nullable=True)}
    for name in ("site_offset_cm", "density_per_cm2", *sorted(NULLABLE_TRICHOSCOPY)):
        values[name] = obj.number(name, nullable=name in NULLABLE_TRICHOSCOPY)
    return r.build(obj.path, Trichoscopy, **values)


def _assessment(r: Reader, doc: Obj, key: str) -> Assessment | None:
    obj = doc.object(key, ASSESSMENT_FIELDS)
    if obj is None:
        return None
    trichoscopy = _trichoscopy(r, obj)
    wash = None
    wash_obj = obj.object("wash_test", WASH_FIELDS, nullable=True)
    if wash_obj:
        wash = r.build(wash_obj.path, WashTest, wash_obj.int("shed_count"), wash_obj.int("short_hairs_count"))
    comb = None
    count = obj.int("comb_count", nullable=True)
    if count is not None:
        comb = r.build_value(obj.at("comb_count"), CombCount, count)
    return r.build(obj.path, Assessment, obj.date("date"), trichoscopy, wash, comb)


def read(document: Any) -> tuple[Assessment, Assessment, GlobalPhotographicAssessment | None]:
    baseline, follow_up, gpa, _ = read_all(document)
    return baseline, follow_up, gpa


def _course(r: Reader, doc: Obj, baseline: Assessment | None, follow_up: Assessment | None) -> CourseContext | None:
    obj = doc.object("course", COURSE_FIELDS, nullable=True) if doc.has("course") else None
    if obj is None:
        return None
    diagnosis = obj.enum("diagnosis", Diagnosis, nullable=True)
    start, trigger = obj.date("start_date", nullable=True), obj.date("trigger_date", nullable=True)
    untreated = None
    if diagnosis is Diagnosis.TELOGEN_EFFLUVIUM:
        if start is None:
            r.fail(obj.at("start_date"), "the course start is needed to judge telogen effluvium against its untreated course")
        elif trigger is not None and trigger > start:
            r.fail(obj.at("trigger_date"), "must be on or before start_date")
        elif baseline is not None and follow_up is not None:
            untreated = untreated_reference(
                "telogen_effluvium", (baseline.date - start).days, (follow_up.date - start).days,
                (start - trigger).days if trigger is not None else None,
            )
    return r.build(
        obj.path, CourseContext,
        minoxidil_in_course=obj.bool("minoxidil_in_course"),
        phase=obj.str("phase", nullable=True),
        sessions_done=obj.int("sessions_done", nullable=True),
        intensive_sessions=obj.int("intensive_sessions", nullable=True),
        untreated=untreated,
    )


def read_all(document: Any) -> tuple[Assessment, Assessment, GlobalPhotographicAssessment | None, CourseContext | None]:
    r = Reader()
    doc = r.object(document, "", FIELDS, OPTIONAL_FIELDS)
    baseline = follow_up = gpa = course = None
    if doc:
        baseline = _assessment(r, doc, "baseline")
        follow_up = _assessment(r, doc, "follow_up")
        score = doc.int("global_photographic_assessment", nullable=True)
        if score is not None:
            gpa = r.build_value("global_photographic_assessment", GlobalPhotographicAssessment, score)
        course = _course(r, doc, baseline, follow_up)
    r.done()
    assert baseline is not None and follow_up is not None
    return baseline, follow_up, gpa, course


def _readings(a: Assessment) -> dict[str, Any]:
    return {
        "wash_test": read_wash_test(a.wash_test).value if a.wash_test else None,
        "comb_count_above_reference_mean": a.comb_count.above_reference_mean if a.comb_count else None,
    }


def to_dict(result: ResponseResult, baseline: Assessment, follow_up: Assessment) -> dict[str, Any]:
    return {
        "response_class": result.response_class.value,
        "reasons": list(result.reasons),
        "measures": [
            {"measure": m.measure, "response_class": m.response_class.value, "reason": m.reason} for m in result.measures
        ],
        "maintenance_interval_days": result.maintenance_interval_days,
        "next_step": result.next_step.value,
        "early_assessment": result.early_assessment,
        "readings": {"baseline": _readings(baseline), "follow_up": _readings(follow_up)},
    }


def run(document: Any) -> dict[str, Any]:
    baseline, follow_up, gpa, course = read_all(document)
    return to_dict(classify_response(baseline, follow_up, gpa, Protocol(), course), baseline, follow_up)
