"""Patient-safety rules around treatment sessions: what blocks a session, the infection-cluster
alert by product lot, the injection map's volume checks, and the follow-up window.

Sources:
- Mycobacterial infections 1-12 weeks after injection, outbreaks traced to multi-dose vials
  (M. abscessus 17/77 in a Spanish outbreak; M. chelonae: Ivan 2013 Emerg Infect Dis 19:1493;
  domain.md §2): hence lot tracing and an alert when two or more infections share a lot within
  12 weeks (clinic protocol: ``ClusterPolicy``).
- Side effects resolve in 24-48 hours (source article, domain.md §1): the follow-up call falls in
  that window (clinic protocol: ``FOLLOW_UP_WINDOW_HOURS``).
- Volume per session within the protocol limit (Protocol.max_session_volume_ml, default 4 mL;
  Moftah 2013 used about 2 mL; 0.1-0.2 mL per point, domain.md §7).
- An unresolved moderate or severe adverse event blocks the next session until a trichologist
  has reviewed it (clinic protocol, issue 6).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.measurements import ScalpZone
from anagen.core.protocol import Protocol
from anagen.core.screening import (
    MEDICATION_CODES,
    FindingCode,
    Intake,
    ScreeningResult,
    Verdict,
    finding,
    screen,
    verdict_for,
)
from anagen.core.screening import Severity as FindingSeverity

FOLLOW_UP_WINDOW_HOURS = (24, 48)
"""Follow-up call window after a session: side effects resolve in 24-48 h (source article)."""

MAX_POINT_VOLUME_ML = Decimal("0.5")
"""Largest volume accepted at one injection point; protocol is 0.1-0.2 mL per point (domain.md §7),
nappage spreads more over a zone recorded as one entry."""


class AdverseEventType(StrEnum):
    ERYTHEMA = "erythema"
    BRUISING = "bruising"
    PAIN = "pain"
    SWELLING = "swelling"
    HEADACHE = "headache"
    INFECTION = "infection"
    ALLERGIC_REACTION = "allergic_reaction"
    FAINTING = "fainting"
    PATCHY_HAIR_LOSS = "patchy_hair_loss"
    OTHER = "other"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True)
class EventState:
    """What the blocking rule needs to know of one adverse event."""

    event_id: int
    severity: Severity
    resolved: bool
    reviewed: bool


def session_blockers(events: Iterable[EventState]) -> list[str]:
    """Reasons the next session may not go ahead (issue 6 protocol): each unresolved moderate or
    severe event not yet reviewed by a trichologist."""
    return [
        f"Adverse event {e.event_id} ({e.severity}) is unresolved and not yet reviewed by a trichologist."
        for e in events
        if e.severity in (Severity.MODERATE, Severity.SEVERE) and not e.resolved and not e.reviewed
    ]


@dataclass(frozen=True)
class ClusterPolicy:
    """Clinic protocol for the infection-cluster alert (defaults from domain.md §2: infections
    appear 1-12 weeks after injection)."""

    window_days: int = 84
    minimum_infections: int = 2


@dataclass(frozen=True)
class Exposure:
    patient_id: int
    lot_id: int
    on: dt.date


@dataclass(frozen=True)
class Infection:
    patient_id: int
    onset: dt.date


@dataclass(frozen=True)
class Cluster:
    lot_id: int
    patient_ids: tuple[int, ...]
    first_onset: dt.date
    last_onset: dt.date


def infection_clusters(
    exposures: Iterable[Exposure], infections: Iterable[Infection], policy: ClusterPolicy = ClusterPolicy()
) -> list[Cluster]:
    """Lots shared by at least ``minimum_infections`` patients whose infection began within
    ``window_days`` after they received that lot, with those onsets within one window of each other."""
    by_lot: dict[int, dict[int, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for exposure in exposures:
        by_lot[exposure.lot_id][exposure.patient_id].append(exposure.on)
    infections = list(infections)
    clusters = []
    for lot_id, patients in by_lot.items():
        onsets: dict[int, dt.date] = {}
        for infection in infections:
            dates = patients.get(infection.patient_id)
            if not dates:
                continue
            if any(0 <= (infection.onset - day).days <= policy.window_days for day in dates):
                earliest = onsets.get(infection.patient_id)
                onsets[infection.patient_id] = min(infection.onset, earliest) if earliest else infection.onset
        ordered = sorted(onsets.items(), key=lambda item: item[1])
        # The largest group of patients whose onsets fall within one window of each other.
        best: list[tuple[int, dt.date]] = []
        for i in range(len(ordered)):
            group = [p for p in ordered[i:] if (p[1] - ordered[i][1]).days <= policy.window_days]
            if len(group) > len(best):
                best = group
        if len(best) >= policy.minimum_infections:
            clusters.append(Cluster(lot_id, tuple(sorted(p for p, _ in best)), best[0][1], best[-1][1]))
    return sorted(clusters, key=lambda c: (c.last_onset, c.lot_id), reverse=True)


@dataclass(frozen=True)
class InjectionPoint:
    """One entry of the injection map: a zone, a position as fractions of the diagram, a volume."""

    zone: ScalpZone
    x: Decimal
    y: Decimal
    volume_ml: Decimal


@dataclass(frozen=True)
class MapCheck:
    total_volume_ml: Decimal
    volume_by_zone_ml: Mapping[str, Decimal]
    warnings: tuple[str, ...]


def check_injection_map(points: Iterable[InjectionPoint], *, formulation_volume_ml: Decimal, protocol: Protocol) -> MapCheck:
    """Range-check every point, then the total against the protocol limit (error) and against the
    prescribed formulation volume (a total above it is an error, below it a warning)."""
    points = list(points)
    errors: list[FieldError] = []
    if not points:
        errors.append(FieldError("injection_map", "Record at least one injection point or zone volume."))
    zones = {z.value for z in ScalpZone}
    for i, p in enumerate(points):
        if str(p.zone) not in zones:
            errors.append(FieldError(f"injection_map[{i}].zone", f"unknown zone; one of {', '.join(sorted(zones))}"))
        for axis in ("x", "y"):
            value = getattr(p, axis)
            if not isinstance(value, Decimal) or not Decimal(0) <= value <= Decimal(1):
                errors.append(FieldError(f"injection_map[{i}].{axis}", "a position is a fraction of the diagram, 0 to 1"))
        if not isinstance(p.volume_ml, Decimal) or not Decimal("0.01") <= p.volume_ml <= MAX_POINT_VOLUME_ML:
            errors.append(FieldError(f"injection_map[{i}].volume_ml", f"0.01 to {MAX_POINT_VOLUME_ML} mL per point"))
    if errors:
        raise InvalidInput(errors)
    total = sum((p.volume_ml for p in points), Decimal(0))
    by_zone: dict[str, Decimal] = defaultdict(Decimal)
    for p in points:
        by_zone[str(p.zone)] += p.volume_ml
    if total > protocol.max_session_volume_ml:
        raise InvalidInput.single(
            "injection_map", f"{total} mL in total is over the protocol limit of {protocol.max_session_volume_ml} mL per session"
        )
    if total > formulation_volume_ml:
        raise InvalidInput.single("injection_map", f"{total} mL in total is more than the {formulation_volume_ml} mL prescribed")
    warnings = []
    if total < formulation_volume_ml:
        warnings.append(f"{total} mL given of the {formulation_volume_ml} mL prescribed")
    return MapCheck(total, dict(by_zone), tuple(warnings))


@dataclass(frozen=True)
class SessionAnswers:
    """The pre-procedure questions asked on the day of every session (issue 6 checklist)."""

    fever: bool
    scalp_infection: bool
    pregnant: bool
    new_medications: frozenset[FindingCode]

    def __post_init__(self) -> None:
        unknown = sorted(str(c) for c in self.new_medications if c not in MEDICATION_CODES)
        if unknown:
            raise InvalidInput.single("new_medications", f"unknown medication code(s) {', '.join(unknown)}")


def rescreen_for_session(intake: Intake, answers: SessionAnswers, protocol: Protocol) -> ScreeningResult:
    """Screen the consultation's intake again with today's answers (domain.md §6; clinic protocol:
    every session re-screens fever, scalp infection, new medicines and pregnancy)."""
    today = replace(
        intake,
        pregnant=intake.pregnant or answers.pregnant,
        medications=intake.medications | answers.new_medications,
        scalp=replace(intake.scalp, active_infection=intake.scalp.active_infection or answers.scalp_infection),
    )
    result = screen(today, protocol)
    if not answers.fever:
        return result
    findings = (*result.findings, finding(FindingCode.FEVER_TODAY, protocol))
    return replace(result, findings=findings, verdict=verdict_for(f.severity for f in findings))


def rescreen_blockers(result: ScreeningResult, acknowledged_codes: Iterable[str]) -> list[str]:
    """A session may not go ahead on a stop or defer verdict today, nor with a caution that no
    trichologist has acknowledged for this patient (clinic protocol, issue 6)."""
    reasons = [f"Re-screen today: {f.message}" for f in result.findings if f.severity in (FindingSeverity.STOP, FindingSeverity.DEFER)]
    if result.verdict in (Verdict.NOT_ELIGIBLE, Verdict.DEFER) and not reasons:
        reasons.append("Re-screen today: not eligible now.")
    acknowledged = {str(c) for c in acknowledged_codes}
    reasons.extend(
        f"New caution today ({f.code}): a trichologist must review it before the session. {f.message}"
        for f in result.findings
        if f.severity == FindingSeverity.CAUTION and str(f.code) not in acknowledged
    )
    return reasons
