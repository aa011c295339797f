"""Response to a course: good, partial, none or worse, with reasons and the next maintenance step.

Measures (domain.md §4): hair density at the *same* recorded site (a patient is compared only with
themself at the same site), the 7-point global photographic assessment (-3..+3), and shedding
(modified wash test, Rebora 2005, or 60-second comb count, Wasko 2008). Every threshold is clinic
protocol (Protocol.*_pct, *_score; defaults documented there). The article's maintenance "every 1-3
months depending on response" gives the intervals (Protocol.maintenance_interval_days_*).

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

from anagen.core.errors import InvalidInput
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
    # None when the response is worse: stop, do not schedule maintenance.
    maintenance_interval_days: int | None
    next_step: NextStep
    # True when assessed earlier than Protocol.min_response_assessment_days.
    early_assessment: bool


def _pct_change(before: Decimal | int, after: Decimal | int) -> Decimal:
    return (Decimal(after) - Decimal(before)) * 100 / Decimal(before)


def _fmt(pct: Decimal) -> str:
    return f"{pct.quantize(Decimal('0.1')):+}%"


def _density(baseline: Assessment, follow_up: Assessment, protocol: Protocol) -> MeasureResult | str | None:
    """Density change at the same site (domain.md §4); thresholds Protocol.*_density_*_pct."""
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
    pct = _pct_change(before.density_per_cm2, after.density_per_cm2)
    # Words, not the zone's code: the site itself is shown beside the reasons.
    text = f"density {before.density_per_cm2} → {after.density_per_cm2}/cm² ({_fmt(pct)}) at the baseline site"
    if pct <= -protocol.worse_density_loss_pct:
        cls = ResponseClass.WORSE
    elif pct >= protocol.good_density_gain_pct:
        cls = ResponseClass.GOOD
    elif pct >= protocol.partial_density_gain_pct:
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


def _shedding(baseline: Assessment, follow_up: Assessment, protocol: Protocol) -> MeasureResult | str | None:
    """Shedding change: the wash test (Rebora 2005) if both visits have one, else the 60-second comb
    count (Wasko 2008); thresholds Protocol.*_shedding_*_pct."""
    if baseline.wash_test is not None and follow_up.wash_test is not None:
        name, before, after = "wash test", baseline.wash_test.shed_count, follow_up.wash_test.shed_count
    elif baseline.comb_count is not None and follow_up.comb_count is not None:
        name, before, after = "comb count", baseline.comb_count.count, follow_up.comb_count.count
    else:
        return None
    if before == 0:
        return f"shedding not compared: baseline {name} is 0"
    pct = _pct_change(before, after)
    text = f"{name} shedding {before} → {after} hairs ({_fmt(pct)})"
    if pct >= protocol.worse_shedding_increase_pct:
        cls = ResponseClass.WORSE
    elif -pct >= protocol.good_shedding_reduction_pct:
        cls = ResponseClass.GOOD
    elif -pct >= protocol.partial_shedding_reduction_pct:
        cls = ResponseClass.PARTIAL
    else:
        cls = ResponseClass.NONE
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
) -> ResponseResult:
    """Classify the response and recommend the maintenance interval (module docstring; defaults:
    good 90 days, partial 60, none 30 with a review/combination prompt, worse: stop and review the
    diagnosis; clinic protocol, Protocol.maintenance_interval_days_*)."""
    if follow_up.date <= baseline.date:
        raise InvalidInput.single("follow_up.date", "must be after baseline.date")
    measures: list[MeasureResult] = []
    notes: list[str] = []
    for outcome in (
        _density(baseline, follow_up, protocol),
        _photo(global_photographic_assessment, protocol),
        _shedding(baseline, follow_up, protocol),
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
    interval: int | None
    if cls is ResponseClass.GOOD:
        interval, step = protocol.maintenance_interval_days_good, NextStep.CONTINUE_MAINTENANCE
    elif cls is ResponseClass.PARTIAL:
        interval, step = protocol.maintenance_interval_days_partial, NextStep.CONTINUE_MAINTENANCE
    elif cls is ResponseClass.NONE:
        interval, step = protocol.maintenance_interval_days_none, NextStep.REVIEW_AND_CONSIDER_COMBINATION
        reasons.append("no response: review the plan and consider combination therapy (PRF, exosomes, peptides)")
    else:
        interval, step = None, NextStep.STOP_AND_REVIEW_DIAGNOSIS
        reasons.append("worse: stop mesotherapy and review the diagnosis")
    return ResponseResult(cls, tuple(reasons), tuple(measures), interval, step, early)


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
