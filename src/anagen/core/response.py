"""Response to a course: good, partial, none or worse, with reasons and the next maintenance step.

Measures (domain.md §4): hair density at the *same* recorded site (a patient is compared only with
themself at the same site), the 7-point global photographic assessment (-3..+3), and shedding
(modified wash test, Rebora 2005, or 60-second comb count, Wasko 2008). The class thresholds are
clinic protocol (Protocol.*_pct, *_score; defaults documented there), but no change smaller than
the measure's **smallest detectable change** is called a change (issue 17):

- density: SDC = 1.96 × √2 × the measurement's coefficient of variation
  (Protocol.density_measurement_cv_pct, default 5%: within the 2.9-6.3% inter-investigator CV of a
  phototrichogram's density and thickness counts measured in triplicate at marked scalp points,
  Yonsei phototrichogram reliability study, ir.ymlib.yonsei.ac.kr/handle/22282913/158519), i.e.
  ±13.9% of the baseline. So an unchanged patient reads "partial" about 1 time in 40 rather than a
  third of the time with a fixed +3%, and a placebo-sized gain (Lucky 2004 vehicle arm: +9.4/cm²
  on about 150/cm², +6%) is "none".
- shedding counts: the counting noise of two Poisson counts, SDC = 1.96 × √(before + after) hairs
  (no within-patient repeatability figure is published for the wash test or the 60-second count:
  Wasko 2008 reports "low intrapatient variability" without a figure, so the counting floor is used).
- counts inside the normal range at both visits (wash test under 100 hairs, Rebora 2005; comb
  count at most Protocol.comb_count_normal_max, default 43: the range of normal men aged 41-60 in
  Wasko 2008, the narrower of its two age groups) are never "worse".
The article's maintenance "every 1-3 months depending on response" gives the intervals
(Protocol.maintenance_interval_days_*); a "none" response reviews the plan and schedules no
maintenance interval (never more frequent injections).

Combining measures: any measure that is *worse* makes the response worse (stop and review the
diagnosis: safety first). Otherwise each measure counts good = 2, partial = 1, none = 0 and the
response is the mean rank rounded to the nearest class, ties rounded down (good + partial is
partial; good + good + partial is good; partial + none is none).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.measurements import CombCount, GlobalPhotographicAssessment, Trichoscopy, WashTest
from anagen.core.protocol import Protocol
from anagen.core.validation import Checks


class ResponseClass(StrEnum):
    GOOD = "good"
    PARTIAL = "partial"
    NONE = "none"
    WORSE = "worse"


class NextStep(StrEnum):
    CONTINUE_MAINTENANCE = "continue_maintenance"
    REVIEW_AND_CONSIDER_COMBINATION = "review_and_consider_combination"
    STOP_AND_REVIEW_DIAGNOSIS = "stop_and_review_diagnosis"
    # Issue 17: the course is still in its intensive phase; keep its planned sessions.
    CONTINUE_INTENSIVE_PHASE = "continue_intensive_phase"
    # Issue 17: "worse" before 12 weeks while minoxidil is in the course is the expected shed.
    REVIEW_EXPECTED_SHED = "review_expected_shed"


Z_95 = Decimal("1.96")
SQRT_2 = Decimal(2).sqrt()
WASH_TEST_NORMAL_BELOW = 100
"""Modified wash test: under 100 hairs is not telogen effluvium (Rebora 2005; domain.md §4)."""


@dataclass(frozen=True)
class UntreatedCourse:
    """What the hair-cycle model expects *without treatment* at the follow-up, as ratios of the
    baseline: telogen effluvium recovers by itself, so its response is judged against this, not
    against the baseline (issue 17; Liyanage & Sinclair 2016)."""

    density_ratio: Decimal
    wash_test_ratio: Decimal | None = None


@dataclass(frozen=True)
class CourseContext:
    """The course the response belongs to (all optional: an assessment outside a course has none).

    ``minoxidil_in_course``: an early "worse" is the expected shed (Olsen 2002: shedding in the
    first weeks of minoxidil). ``phase`` and the session counts: the next step respects the phase.
    ``untreated``: the untreated course to judge telogen effluvium against."""

    minoxidil_in_course: bool = False
    phase: str | None = None
    sessions_done: int | None = None
    intensive_sessions: int | None = None
    untreated: UntreatedCourse | None = None

    def __post_init__(self) -> None:
        c = Checks()
        c.boolean("minoxidil_in_course", self.minoxidil_in_course)
        c.require(self.phase in (None, "intensive", "maintenance"), "phase", "intensive or maintenance")
        c.optional_integer("sessions_done", self.sessions_done, 0, 100)
        c.optional_integer("intensive_sessions", self.intensive_sessions, 1, 100)
        c.done()


def density_sdc_pct(protocol: Protocol) -> Decimal:
    """Smallest detectable change of a density, % of baseline: 1.96 × √2 × CV (module docstring)."""
    return Z_95 * SQRT_2 * protocol.density_measurement_cv_pct


def count_sdc(before: int | Decimal, after: int | Decimal) -> Decimal:
    """Smallest detectable difference between two hair counts: 1.96 × √(before + after) (Poisson)."""
    return Z_95 * (Decimal(before) + Decimal(after)).sqrt()


_RANK = {ResponseClass.NONE: 0, ResponseClass.PARTIAL: 1, ResponseClass.GOOD: 2}
_BY_RANK = {rank: cls for cls, rank in _RANK.items()}


@dataclass(frozen=True)
class Assessment:
    """Measurements at one visit; measures not taken are None."""

    date: dt.date
    trichoscopy: Trichoscopy | None
    wash_test: WashTest | None
    comb_count: CombCount | None

    def __post_init__(self) -> None:
        c = Checks()
        c.instance("date", self.date, dt.date, "a date")
        c.require(self.trichoscopy is None or isinstance(self.trichoscopy, Trichoscopy), "trichoscopy", "must be a Trichoscopy or None")
        c.require(self.wash_test is None or isinstance(self.wash_test, WashTest), "wash_test", "must be a WashTest or None")
        c.require(self.comb_count is None or isinstance(self.comb_count, CombCount), "comb_count", "must be a CombCount or None")
        c.done()


@dataclass(frozen=True)
class MeasureResult:
    measure: str
    response_class: ResponseClass
    reason: str


@dataclass(frozen=True)
class ResponseResult:
    response_class: ResponseClass
    reasons: tuple[str, ...]
    measures: tuple[MeasureResult, ...]
    # None unless the response is good or partial in maintenance: no interval is scheduled for a
    # non-response, a worse response, or during the intensive phase.
    maintenance_interval_days: int | None
    next_step: NextStep
    # True when assessed earlier than Protocol.min_response_assessment_days.
    early_assessment: bool


def _pct_change(before: Decimal | int, after: Decimal | int) -> Decimal:
    return (Decimal(after) - Decimal(before)) * 100 / Decimal(before)


def _fmt(pct: Decimal) -> str:
    return f"{pct.quantize(Decimal('0.1')):+}%"


def _density(
    baseline: Assessment, follow_up: Assessment, protocol: Protocol, untreated: UntreatedCourse | None = None
) -> MeasureResult | str | None:
    """Density change at the same site (domain.md §4); thresholds Protocol.*_density_*_pct, none
    smaller than the smallest detectable change; against the untreated course when given."""
    before, after = baseline.trichoscopy, follow_up.trichoscopy
    if before is None or after is None:
        return None
    if not before.same_site_as(after):
        return (
            f"density not compared: the follow-up was measured at another site ({after.site_offset_cm} cm "
            f"behind the hairline) than the baseline ({before.site_offset_cm} cm)"
            if before.zone == after.zone
            else "density not compared: the follow-up was measured in another scalp zone than the baseline"
        )
    if before.density_per_cm2 == 0:
        return "density not compared: baseline density is 0/cm²"
    sdc = density_sdc_pct(protocol)
    reference = Decimal(before.density_per_cm2)
    text = f"density {before.density_per_cm2} → {after.density_per_cm2}/cm²"
    if untreated is not None:
        reference = (reference * untreated.density_ratio).quantize(Decimal("0.1"))
        text += f" against {reference}/cm² expected without treatment"
    pct = _pct_change(reference, after.density_per_cm2)
    # Words, not the zone's code: the site itself is shown beside the reasons.
    text += f" ({_fmt(pct)}, detectable from ±{sdc.quantize(Decimal('0.1'))}%) at the baseline site"
    if pct <= -max(protocol.worse_density_loss_pct, sdc):
        cls = ResponseClass.WORSE
    elif pct >= max(protocol.good_density_gain_pct, sdc):
        cls = ResponseClass.GOOD
    elif pct >= max(protocol.partial_density_gain_pct, sdc):
        cls = ResponseClass.PARTIAL
    else:
        cls = ResponseClass.NONE
    return MeasureResult("density", cls, text)


def _photo(gpa: GlobalPhotographicAssessment | None, protocol: Protocol) -> MeasureResult | None:
    """Global photographic assessment -3..+3 (domain.md §4); thresholds Protocol.*_global_photo_score."""
    if gpa is None:
        return None
    if gpa.score <= protocol.worse_global_photo_score:
        cls = ResponseClass.WORSE
    elif gpa.score >= protocol.good_global_photo_score:
        cls = ResponseClass.GOOD
    elif gpa.score >= protocol.partial_global_photo_score:
        cls = ResponseClass.PARTIAL
    else:
        cls = ResponseClass.NONE
    return MeasureResult("global_photographic_assessment", cls, f"global photographs {gpa.score:+d} ({gpa.label})")


def _shedding(
    baseline: Assessment, follow_up: Assessment, protocol: Protocol, untreated: UntreatedCourse | None = None
) -> MeasureResult | str | None:
    """Shedding change: the wash test (Rebora 2005) if both visits have one, else the 60-second comb
    count (Wasko 2008); thresholds Protocol.*_shedding_*_pct, none smaller than the counting
    noise; counts inside the normal range at both visits are never worse (module docstring)."""
    if baseline.wash_test is not None and follow_up.wash_test is not None:
        name, before, after = "wash test", baseline.wash_test.shed_count, follow_up.wash_test.shed_count
        normal_max: int = WASH_TEST_NORMAL_BELOW - 1
        ratio = untreated.wash_test_ratio if untreated is not None else None
    elif baseline.comb_count is not None and follow_up.comb_count is not None:
        name, before, after = "comb count", baseline.comb_count.count, follow_up.comb_count.count
        normal_max = protocol.comb_count_normal_max
        ratio = None
    else:
        return None
    if before == 0:
        return f"shedding not compared: baseline {name} is 0"
    reference = Decimal(before)
    text = f"{name} shedding {before} → {after} hairs"
    if ratio is not None:
        reference = (reference * ratio).quantize(Decimal("1"))
        text += f" against {reference} expected without treatment"
        if reference == 0:
            return f"shedding not compared: {name} expected without treatment is 0"
    pct = _pct_change(reference, after)
    sdc = count_sdc(reference, after)
    detectable = abs(Decimal(after) - reference) >= sdc
    both_normal = before <= normal_max and after <= normal_max
    text += f" ({_fmt(pct)}; a difference under {sdc.quantize(Decimal('1'))} hairs is counting noise)"
    if pct >= protocol.worse_shedding_increase_pct and detectable and not both_normal:
        cls = ResponseClass.WORSE
    elif -pct >= protocol.good_shedding_reduction_pct and detectable:
        cls = ResponseClass.GOOD
    elif -pct >= protocol.partial_shedding_reduction_pct and detectable:
        cls = ResponseClass.PARTIAL
    else:
        cls = ResponseClass.NONE
    if both_normal and pct >= protocol.worse_shedding_increase_pct:
        text += f"; both counts are within the normal range (at most {normal_max}), so not worse"
    return MeasureResult("shedding", cls, text)


def combine(classes: list[ResponseClass]) -> ResponseClass:
    """Worse if any measure is worse; otherwise the mean rank, nearest class, ties down (module
    docstring; clinic protocol)."""
    if not classes:
        raise ValueError("combine needs at least one class")
    if ResponseClass.WORSE in classes:
        return ResponseClass.WORSE
    mean = Fraction(sum(_RANK[c] for c in classes), len(classes))
    rank = math.floor(mean)
    return _BY_RANK[rank + 1 if mean - rank > Fraction(1, 2) else rank]


def classify_response(
    baseline: Assessment,
    follow_up: Assessment,
    global_photographic_assessment: GlobalPhotographicAssessment | None,
    protocol: Protocol,
    course: CourseContext | None = None,
) -> ResponseResult:
    """Classify the response and recommend the next step (module docstring; defaults: good 90
    days, partial 60, clinic protocol Protocol.maintenance_interval_days_*; none: review the plan
    and consider a combination, no interval; worse: stop and review the diagnosis).

    With a ``course`` (issue 17): in the intensive phase a good or partial response continues the
    intensive phase (no maintenance interval yet); an early "worse" (before
    Protocol.min_response_assessment_days) with minoxidil in the course is the expected shed:
    review, not stop; telogen effluvium is judged against its untreated course."""
    if follow_up.date <= baseline.date:
        raise InvalidInput.single("follow_up.date", "must be after baseline.date")
    course = course or CourseContext()
    measures: list[MeasureResult] = []
    notes: list[str] = []
    for outcome in (
        _density(baseline, follow_up, protocol, course.untreated),
        _photo(global_photographic_assessment, protocol),
        _shedding(baseline, follow_up, protocol, course.untreated),
    ):
        if isinstance(outcome, MeasureResult):
            measures.append(outcome)
        elif isinstance(outcome, str):
            notes.append(outcome)
    if not measures:
        raise InvalidInput.single(
            "follow_up",
            "no comparable measure: give trichoscopy at the same site at both visits, a global photographic "
            "assessment, or the same shedding test at both visits",
        )
    cls = combine([m.response_class for m in measures])
    days = (follow_up.date - baseline.date).days
    early = days < protocol.min_response_assessment_days
    reasons = [m.reason + f": {m.response_class}" for m in measures] + notes
    if early:
        reasons.append(
            f"assessed after {days} days, before the protocol's {protocol.min_response_assessment_days}: "
            "trials assess at 12-48 weeks and telogen lasts about 3 months, so this reading is provisional"
        )
    if course.untreated is not None:
        reasons.append("telogen effluvium recovers by itself: judged against its untreated course, not the baseline")
    interval: int | None
    intensive = course.phase == "intensive"
    if cls in (ResponseClass.GOOD, ResponseClass.PARTIAL) and intensive:
        interval, step = None, NextStep.CONTINUE_INTENSIVE_PHASE
        done = f" ({course.sessions_done} of {course.intensive_sessions} intensive sessions done)" if (
            course.sessions_done is not None and course.intensive_sessions is not None) else ""
        reasons.append(f"the course is in its intensive phase{done}: continue the planned sessions; "
                       "the maintenance interval is set after it")
    elif cls is ResponseClass.GOOD:
        interval, step = protocol.maintenance_interval_days_good, NextStep.CONTINUE_MAINTENANCE
    elif cls is ResponseClass.PARTIAL:
        interval, step = protocol.maintenance_interval_days_partial, NextStep.CONTINUE_MAINTENANCE
    elif cls is ResponseClass.NONE:
        # Never more frequent injections for a non-response: review the plan (issue 17).
        interval, step = None, NextStep.REVIEW_AND_CONSIDER_COMBINATION
        reasons.append("no detectable response: review the plan and consider combination therapy (PRF, exosomes, peptides)")
    elif early and course.minoxidil_in_course:
        interval, step = None, NextStep.REVIEW_EXPECTED_SHED
        reasons.append("worse before 12 weeks with minoxidil in the course: shedding in the first weeks of minoxidil is "
                       "expected (Olsen 2002); review at the next visit rather than stop")
    else:
        interval, step = None, NextStep.STOP_AND_REVIEW_DIAGNOSIS
        reasons.append("worse: stop mesotherapy and review the diagnosis")
    return ResponseResult(cls, tuple(reasons), tuple(measures), interval, step, early)


SITE_ONLY_FIELDS = frozenset({"site_zone", "site_offset_cm", "site_note"})
"""Where a visit measured, not what: a visit with only these records nothing to compare."""


def follow_up_visit_problems(
    on: dt.date, baseline_on: dt.date | None, today: dt.date, measured_fields: frozenset[str]
) -> list[FieldError]:
    """Why a follow-up measurement visit is refused (issue 17): dated in the future; with no
    measurement (only its site, or nothing: an empty visit would replace the patient's response
    with "not assessed"); or dated on or before the baseline visit it is compared with (the
    response compares a later visit with the baseline)."""
    problems = []
    if on > today:
        problems.append(FieldError("measured_on", "A visit cannot be recorded for a future date."))
    if baseline_on is not None and on <= baseline_on:
        problems.append(FieldError("measured_on", f"A follow-up comes after the baseline visit of {baseline_on.isoformat()}."))
    if not (measured_fields - SITE_ONLY_FIELDS):
        problems.append(FieldError("measurements", "Enter at least one measurement: a visit with only its site records nothing to compare."))
    return problems


# --- Which visits a response compares -----------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A measurement visit, as far as choosing the response's visits needs it."""

    visit_id: int
    measured_on: dt.date
    consultation_id: int | None
    has_density: bool


@dataclass(frozen=True)
class ResponseVisits:
    baseline: Visit | None
    follow_up: Visit | None


def response_visits(visits: Sequence[Visit], consultation_id: int | None) -> ResponseVisits:
    """The baseline and the follow-up a response compares (domain.md §4: a patient is compared only
    with themself, before and after).

    The baseline is the visit measured at the consultation the course was planned from (the first,
    if it has several). When that consultation recorded no measurements, or there is none, it is
    the patient's first visit with a density, else their first visit. The follow-up is the latest
    visit after the baseline's day (ties: the one recorded last); none before a later visit exists.
    """
    ordered = sorted(visits, key=lambda v: (v.measured_on, v.visit_id))
    baseline = next((v for v in ordered if consultation_id is not None and v.consultation_id == consultation_id), None)
    if baseline is None:
        baseline = next((v for v in ordered if v.has_density), ordered[0] if ordered else None)
    later = [v for v in ordered if baseline is not None and v.measured_on > baseline.measured_on]
    return ResponseVisits(baseline, later[-1] if later else None)
