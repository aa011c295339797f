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
- At the chair (``check_session_draw``, issue 17): every product drawn is checked against the
  patient's allergies through its ingredient list and refused on a match (domain.md §6: allergy to
  any component); the product must be the one the signed formulation names, or the nurse writes a
  reason a trichologist reviews; the volumes drawn, prescribed and mapped reconcile within
  Protocol.volume_reconciliation_tolerance_ml, or signing needs a written reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.measurements import ScalpZone
from anagen.core.protocol import Protocol
from anagen.core.screening import (
    CONDITION_CODES,
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
from anagen.core.validation import Checks
from anagen.core.wording import Sentence, gettext_noop

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
    """The pre-procedure questions asked on the day of every session (issue 6 checklist, extended
    by issue 17: breastfeeding, newly planning conception, new diagnoses, allergies or medicines,
    a reaction at the last session, a new bald patch or inflammation). The issue-17 answers default
    to "no", so older callers keep working."""

    fever: bool
    scalp_infection: bool
    pregnant: bool
    new_medications: frozenset[FindingCode]
    breastfeeding: bool = False
    planning_conception: bool = False
    new_conditions: frozenset[FindingCode] = frozenset()
    new_allergies: frozenset[str] = frozenset()
    reaction_last_session: bool = False
    new_bald_patch: bool = False
    scalp_inflammation: bool = False

    def __post_init__(self) -> None:
        c = Checks()
        unknown = sorted(str(code) for code in self.new_medications if code not in MEDICATION_CODES)
        if unknown:
            c.add("new_medications", f"unknown medication code(s) {', '.join(unknown)}")
        unknown = sorted(str(code) for code in self.new_conditions if code not in CONDITION_CODES)
        if unknown:
            c.add("new_conditions", f"unknown condition code(s) {', '.join(unknown)}")
        for name in ("breastfeeding", "planning_conception", "reaction_last_session", "new_bald_patch", "scalp_inflammation"):
            c.boolean(name, getattr(self, name))
        c.done()


def rescreen_for_session(intake: Intake, answers: SessionAnswers, protocol: Protocol) -> ScreeningResult:
    """Screen the consultation's intake again with today's answers (domain.md §6; clinic protocol:
    every session re-screens fever, scalp infection or inflammation, pregnancy and breastfeeding,
    newly planned conception, new diagnoses, allergies and medicines; a reaction at the last session
    is a caution a trichologist reviews; a new bald patch defers the session)."""
    today = replace(
        intake,
        pregnant=intake.pregnant or answers.pregnant,
        breastfeeding=intake.breastfeeding or answers.breastfeeding,
        planning_conception=intake.planning_conception or answers.planning_conception,
        medications=intake.medications | answers.new_medications,
        conditions=intake.conditions | answers.new_conditions,
        allergies=intake.allergies | answers.new_allergies,
        scalp=replace(
            intake.scalp,
            active_infection=intake.scalp.active_infection or answers.scalp_infection,
            active_inflammation=intake.scalp.active_inflammation or answers.scalp_inflammation,
        ),
    )
    result = screen(today, protocol)
    extra = []
    if answers.fever:
        extra.append(finding(FindingCode.FEVER_TODAY, protocol))
    if answers.reaction_last_session:
        extra.append(finding(FindingCode.REACTION_LAST_SESSION, protocol))
    if answers.new_bald_patch:
        extra.append(finding(FindingCode.NEW_BALD_PATCH, protocol))
    if not extra:
        return result
    findings = (*result.findings, *extra)
    return replace(result, findings=findings, verdict=verdict_for(f.severity for f in findings))


def rescreen_blocker_sentences(result: ScreeningResult, acknowledged_codes: Iterable[str]) -> list[Sentence]:
    """A session may not go ahead on a stop or defer verdict today, nor with a caution that no
    trichologist has acknowledged for this patient (clinic protocol, issue 6). Each reason is a
    marked Sentence (anagen.core.wording) the app layer words in the reader's language."""
    reasons = [Sentence(gettext_noop("Re-screen today: %(finding)s"), {"finding": f})
               for f in result.findings if f.severity in (FindingSeverity.STOP, FindingSeverity.DEFER)]
    if result.verdict in (Verdict.NOT_ELIGIBLE, Verdict.DEFER) and not reasons:
        reasons.append(Sentence(gettext_noop("Re-screen today: not eligible now.")))
    acknowledged = {str(c) for c in acknowledged_codes}
    reasons.extend(
        Sentence(gettext_noop("New caution today: a trichologist must review it before the session. %(finding)s"), {"finding": f})
        for f in result.findings
        if f.severity == FindingSeverity.CAUTION and str(f.code) not in acknowledged
    )
    return reasons


def rescreen_blockers(result: ScreeningResult, acknowledged_codes: Iterable[str]) -> list[str]:
    """The same reasons in English (the command line, the JSON API)."""
    return [str(reason) for reason in rescreen_blocker_sentences(result, acknowledged_codes)]


# --- At the chair: what is drawn must be what was prescribed, and safe for this patient ---------------


@dataclass(frozen=True)
class DrawnProduct:
    """One lot drawn at a session: its product and that product's ingredient list (catalogue codes;
    empty when the clinic recorded none) and the volume drawn from it."""

    lot_id: int
    product_id: int
    product_name: str
    ingredients: frozenset[str]
    volume_ml: Decimal

    def __post_init__(self) -> None:
        c = Checks()
        c.number("volume_ml", self.volume_ml, Decimal("0.01"), 20, "mL")
        c.done()


@dataclass(frozen=True)
class PrescribedFormulation:
    """The signed formulation the session carries out: its ingredient codes, the ready-made products
    it names (empty when it is compounded from ingredients) and its volume per session."""

    ingredients: frozenset[str]
    product_ids: frozenset[int]
    volume_ml: Decimal


class DrawProblemCode(StrEnum):
    """Stable codes of ``check_session_draw``; never rename one."""

    PRODUCT_ALLERGY = "product_allergy"
    PRODUCT_INGREDIENTS_UNKNOWN = "product_ingredients_unknown"
    PRODUCT_NOT_PRESCRIBED = "product_not_prescribed"
    DRAWN_LESS_THAN_INJECTED = "drawn_less_than_injected"
    INJECTED_MORE_THAN_PRESCRIBED = "injected_more_than_prescribed"
    VOLUME_MISMATCH = "volume_mismatch"


@dataclass(frozen=True)
class DrawProblem:
    """One finding of the draw check. ``overridable``: a written reason lets the session be signed
    (the reason is kept with the session for a trichologist to see); otherwise it is refused."""

    code: DrawProblemCode
    field: str
    message: str
    overridable: bool
    source: str


@dataclass(frozen=True)
class VolumeDifference:
    """One pair of the three volumes and how far apart they are (signed: first minus second)."""

    between: str
    difference_ml: Decimal
    within_tolerance: bool


@dataclass(frozen=True)
class SessionDrawCheck:
    drawn_ml: Decimal
    prescribed_ml: Decimal
    mapped_ml: Decimal
    tolerance_ml: Decimal
    differences: tuple[VolumeDifference, ...]
    problems: tuple[DrawProblem, ...]
    # Problems that still refuse signing: the non-overridable ones, and overridable ones without a reason.
    blocking: tuple[DrawProblem, ...]
    # A reason was given and accepted for a product other than the prescribed one: a trichologist reviews it.
    product_substituted: bool
    # A reason was given and accepted for volumes that do not reconcile.
    volume_discrepancy: bool

    @property
    def ok(self) -> bool:
        return not self.blocking

    @property
    def needs_trichologist_review(self) -> bool:
        return self.product_substituted or self.volume_discrepancy

    def errors(self) -> list[FieldError]:
        return [FieldError(p.field, p.message) for p in self.blocking]


_ALLERGY_SOURCE = "domain.md §6 (allergy to any component); issue 17 (a biotin-allergic patient injected from a biotin lot)"
_PRODUCT_SOURCE = "clinic protocol: the product drawn is the one the signed formulation names (issue 17)"
_VOLUME_SOURCE = (
    "clinic protocol: drawn, prescribed and mapped volumes reconcile within "
    "Protocol.volume_reconciliation_tolerance_ml (default 0.1 mL, one injection point: domain.md §7)"
)


def _fmt_ml(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))} mL"


def product_allergy_problems(drawn: Iterable[DrawnProduct], allergies: Iterable[str]) -> list[DrawProblem]:
    """Every drawn product containing an ingredient the patient is allergic to (refused, never
    overridden), and every product with no recorded ingredient list when the patient has any
    ingredient allergy (it cannot be checked, so it is refused too)."""
    allergic = frozenset(allergies)
    problems = []
    for i, product in enumerate(drawn):
        conflicts = sorted(product.ingredients & allergic)
        if conflicts:
            problems.append(DrawProblem(
                DrawProblemCode.PRODUCT_ALLERGY, f"lots[{i}]",
                f"{product.product_name} contains {', '.join(conflicts)}, which the patient is allergic to: do not inject it.",
                False, _ALLERGY_SOURCE,
            ))
        elif allergic and not product.ingredients:
            problems.append(DrawProblem(
                DrawProblemCode.PRODUCT_INGREDIENTS_UNKNOWN, f"lots[{i}]",
                f"{product.product_name} has no ingredient list on record, so it cannot be checked against the "
                "patient's allergies: record its ingredients in the product catalogue first.",
                False, _ALLERGY_SOURCE,
            ))
    return problems


def product_mismatch_problems(drawn: Iterable[DrawnProduct], prescription: PrescribedFormulation) -> list[DrawProblem]:
    """Each drawn product that is not what the formulation prescribes: when the formulation names
    ready-made products, one of those; when it is compounded from ingredients, a product whose every
    ingredient is one of the formulation's (nothing unprescribed enters the patient)."""
    problems = []
    for i, product in enumerate(drawn):
        if prescription.product_ids:
            if product.product_id in prescription.product_ids:
                continue
            why = "the formulation names other products"
        else:
            extra = sorted(product.ingredients - prescription.ingredients)
            if product.ingredients and not extra:
                continue
            why = (f"it contains {', '.join(extra)}, not in the formulation" if extra
                   else "its ingredient list is not on record, so it cannot be matched to the formulation")
        problems.append(DrawProblem(
            DrawProblemCode.PRODUCT_NOT_PRESCRIBED, f"lots[{i}]",
            f"{product.product_name} is not the prescribed product ({why}): give the reason for using it; "
            "a trichologist will review it.",
            True, _PRODUCT_SOURCE,
        ))
    return problems


def reconcile_volumes(
    drawn_ml: Decimal, prescribed_ml: Decimal, mapped_ml: Decimal, protocol: Protocol
) -> tuple[tuple[VolumeDifference, ...], list[DrawProblem]]:
    """Compare the three volumes of a session pairwise against the protocol tolerance.

    - Less drawn than injected is impossible to reconcile: refused.
    - More injected than prescribed: refused (as ``check_injection_map``).
    - Any other difference over ``Protocol.volume_reconciliation_tolerance_ml`` (less injected than
      prescribed, more drawn than injected or prescribed) blocks signing unless a reason is written.
    A difference exactly equal to the tolerance is within it.
    """
    tolerance = protocol.volume_reconciliation_tolerance_ml
    pairs = (
        ("drawn_vs_mapped", drawn_ml - mapped_ml),
        ("mapped_vs_prescribed", mapped_ml - prescribed_ml),
        ("drawn_vs_prescribed", drawn_ml - prescribed_ml),
    )
    differences = tuple(VolumeDifference(name, diff, abs(diff) <= tolerance) for name, diff in pairs)
    problems: list[DrawProblem] = []
    if drawn_ml < mapped_ml:
        problems.append(DrawProblem(
            DrawProblemCode.DRAWN_LESS_THAN_INJECTED, "lots",
            f"The lots account for {_fmt_ml(drawn_ml)} but {_fmt_ml(mapped_ml)} was injected.", False, _VOLUME_SOURCE,
        ))
    if mapped_ml > prescribed_ml:
        problems.append(DrawProblem(
            DrawProblemCode.INJECTED_MORE_THAN_PRESCRIBED, "injection_map",
            f"{_fmt_ml(mapped_ml)} injected is more than the {_fmt_ml(prescribed_ml)} prescribed.", False, _VOLUME_SOURCE,
        ))
    if not problems and not all(d.within_tolerance for d in differences):
        problems.append(DrawProblem(
            DrawProblemCode.VOLUME_MISMATCH, "volume_discrepancy_reason",
            f"Drawn {_fmt_ml(drawn_ml)}, prescribed {_fmt_ml(prescribed_ml)} and injected {_fmt_ml(mapped_ml)} differ by more "
            f"than {_fmt_ml(tolerance)}: give the reason before signing.",
            True, _VOLUME_SOURCE,
        ))
    return differences, problems


def check_session_draw(
    drawn: Sequence[DrawnProduct],
    prescription: PrescribedFormulation,
    mapped_ml: Decimal,
    *,
    allergies: Iterable[str],
    protocol: Protocol,
    product_reason: str = "",
    volume_reason: str = "",
) -> SessionDrawCheck:
    """The at-the-chair check of what goes into the patient, called by every interface that records
    a session (issue 17): allergies through each product's ingredient list (refused on a match),
    the product against the signed formulation (a written reason a trichologist sees, or refused),
    and the volumes drawn, prescribed and mapped (reconciled within the protocol tolerance, or a
    written reason, or refused). Nothing here depends on the order the nurse fills the form in."""
    drawn = tuple(drawn)
    drawn_ml = sum((d.volume_ml for d in drawn), Decimal(0))
    problems = product_allergy_problems(drawn, allergies)
    allergic_lots = {p.field for p in problems}
    problems += [p for p in product_mismatch_problems(drawn, prescription) if p.field not in allergic_lots]
    if not drawn:
        problems.append(DrawProblem(
            DrawProblemCode.DRAWN_LESS_THAN_INJECTED, "lots", "Record the lot(s) used.", False, _VOLUME_SOURCE,
        ))
        differences: tuple[VolumeDifference, ...] = ()
    else:
        differences, volume_problems = reconcile_volumes(drawn_ml, prescription.volume_ml, mapped_ml, protocol)
        problems += volume_problems
    has_product_reason = bool(product_reason.strip())
    has_volume_reason = bool(volume_reason.strip())
    blocking = []
    for problem in problems:
        if not problem.overridable:
            blocking.append(problem)
        elif problem.code is DrawProblemCode.PRODUCT_NOT_PRESCRIBED and not has_product_reason:
            blocking.append(problem)
        elif problem.code is DrawProblemCode.VOLUME_MISMATCH and not has_volume_reason:
            blocking.append(problem)
    substituted = any(p.code is DrawProblemCode.PRODUCT_NOT_PRESCRIBED for p in problems) and has_product_reason
    discrepancy = any(p.code is DrawProblemCode.VOLUME_MISMATCH for p in problems) and has_volume_reason
    return SessionDrawCheck(
        drawn_ml, prescription.volume_ml, mapped_ml, protocol.volume_reconciliation_tolerance_ml,
        differences, tuple(problems), tuple(blocking), substituted, discrepancy,
    )
