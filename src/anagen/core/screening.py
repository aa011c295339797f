"""Screening an intake for scalp mesotherapy: a verdict and the findings behind it.

Contraindications and cautions come from domain.md §6 ("seen in studies and clinic protocols")
and the source article (§1: adults 18+, scalp healthy enough to treat, active infection "not
now", advanced baldness → combination therapy). The severity of each finding is a default that a
clinic may override (Protocol.severity_overrides); the codes are stable and documented in
docs/cli.md and docs/clinical-rules.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from anagen.core.errors import InvalidInput
from anagen.core.labs import Sex
from anagen.core.protocol import Protocol
from anagen.core.scales import PatternStage, is_advanced
from anagen.core.validation import Checks

if TYPE_CHECKING:
    from anagen.core.formulation import Ingredient


class Severity(StrEnum):
    STOP = "stop"
    DEFER = "defer"
    CAUTION = "caution"
    INFO = "info"


class Verdict(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    DEFER = "defer"
    ELIGIBLE_WITH_CAUTIONS = "eligible_with_cautions"
    ELIGIBLE = "eligible"


class FindingCode(StrEnum):
    """Stable finding codes; never rename one, add new ones instead."""

    UNDER_18 = "under_18"
    SCARRING_ALOPECIA = "scarring_alopecia"
    AUTOIMMUNE_ALOPECIA = "autoimmune_alopecia"
    BLEEDING_DISORDER = "bleeding_disorder"
    PREGNANCY = "pregnancy"
    BREASTFEEDING = "breastfeeding"
    ACTIVE_SCALP_INFECTION = "active_scalp_infection"
    ACTIVE_SCALP_INFLAMMATION = "active_scalp_inflammation"
    UNCONTROLLED_DIABETES = "uncontrolled_diabetes"
    ANTICOAGULANT = "anticoagulant"
    ANTIPLATELET = "antiplatelet"
    KELOID_TENDENCY = "keloid_tendency"
    IMMUNOSUPPRESSION = "immunosuppression"
    HEART_FAILURE = "heart_failure"
    KIDNEY_DISEASE = "kidney_disease"
    ISOTRETINOIN_RECENT = "isotretinoin_recent"
    VASOVAGAL_HISTORY = "vasovagal_history"
    PLANNING_CONCEPTION = "planning_conception"
    INGREDIENT_ALLERGY = "ingredient_allergy"
    ADVANCED_PATTERN = "advanced_pattern"
    # Raised only by the pre-session re-screen (anagen.core.safety.rescreen_for_session).
    FEVER_TODAY = "fever_today"


class Diagnosis(StrEnum):
    """Working diagnoses. The first five are the article's indications (domain.md §1); the last two
    are referred to dermatology (domain.md §6)."""

    ANDROGENETIC_ALOPECIA = "androgenetic_alopecia"
    TELOGEN_EFFLUVIUM = "telogen_effluvium"
    DIFFUSE_THINNING = "diffuse_thinning"
    SCALP_CONDITION = "scalp_condition"
    PREVENTION = "prevention"
    ALOPECIA_AREATA = "alopecia_areata"
    SCARRING_ALOPECIA = "scarring_alopecia"


_S = Severity
_SIX = "domain.md §6 (contraindications and cautions seen in studies and clinic protocols)"

# Code -> (default severity, message, source). Defaults are clinic protocol
# (configurable: Protocol.severity_overrides) except where the source says otherwise.
_RULES: Mapping[FindingCode, tuple[Severity, str, str]] = MappingProxyType(
    {
        FindingCode.UNDER_18: (
            _S.STOP,
            "Under the minimum age for scalp mesotherapy.",
            "source article: adults 18 and above (domain.md §1, §6); Protocol.minimum_age_years",
        ),
        FindingCode.SCARRING_ALOPECIA: (
            _S.STOP,
            "Scarring alopecia: do not inject; refer to a dermatologist.",
            f"{_SIX}; scarring alopecia after scalp injections: Duque-Estrada 2009 JAAD",
        ),
        FindingCode.AUTOIMMUNE_ALOPECIA: (
            _S.STOP,
            "Active autoimmune alopecia (alopecia areata): refer to a dermatologist.",
            _SIX,
        ),
        FindingCode.BLEEDING_DISORDER: (_S.STOP, "Bleeding disorder: scalp micro-injections are contraindicated.", _SIX),
        FindingCode.PREGNANCY: (_S.DEFER, "Pregnant: defer mesotherapy until after pregnancy and breastfeeding.", _SIX),
        FindingCode.BREASTFEEDING: (_S.DEFER, "Breastfeeding: defer mesotherapy until breastfeeding ends.", _SIX),
        FindingCode.ACTIVE_SCALP_INFECTION: (
            _S.DEFER,
            "Active scalp infection at the site: treat it first, then re-screen.",
            f"source article (domain.md §1); {_SIX}; injection-site mycobacterial infections: Ivan 2013 Emerg Infect Dis 19:1493",
        ),
        FindingCode.ACTIVE_SCALP_INFLAMMATION: (
            _S.DEFER,
            "Active scalp inflammation at the site: settle it first, then re-screen.",
            _SIX,
        ),
        FindingCode.UNCONTROLLED_DIABETES: (
            _S.DEFER,
            "Uncontrolled diabetes: defer until controlled (infection and healing risk).",
            _SIX,
        ),
        FindingCode.ANTICOAGULANT: (_S.CAUTION, "Takes an anticoagulant: expect bruising and bleeding; consider with the prescriber.", _SIX),
        FindingCode.ANTIPLATELET: (_S.CAUTION, "Takes an antiplatelet drug: expect bruising and bleeding.", _SIX),
        FindingCode.KELOID_TENDENCY: (_S.CAUTION, "Keloid tendency: risk of scarring at injection points.", _SIX),
        FindingCode.IMMUNOSUPPRESSION: (
            _S.CAUTION,
            "Immunosuppressed: higher infection risk; strict asepsis, single-dose vials.",
            f"{_SIX}; Ivan 2013 Emerg Infect Dis 19:1493",
        ),
        FindingCode.HEART_FAILURE: (_S.CAUTION, "Heart failure: check with the treating physician.", _SIX),
        FindingCode.KIDNEY_DISEASE: (_S.CAUTION, "Kidney disease: check with the treating physician; review drug components.", _SIX),
        FindingCode.ISOTRETINOIN_RECENT: (_S.CAUTION, "Recent isotretinoin: impaired healing and scarring risk.", _SIX),
        FindingCode.VASOVAGAL_HISTORY: (
            _S.CAUTION,
            "History of fainting with needles: treat lying down, have a second person present.",
            _SIX,
        ),
        FindingCode.PLANNING_CONCEPTION: (
            _S.CAUTION,
            "Planning conception: no 5-alpha-reductase inhibitor in the formulation.",
            f"{_SIX}; injected dutasteride changed semen analysis and serum DHT: Sobhy 2013 Our Dermatol Online 4:40",
        ),
        FindingCode.INGREDIENT_ALLERGY: (
            _S.CAUTION,
            "Allergy to a formulation ingredient: it is excluded from formulations.",
            _SIX,
        ),
        FindingCode.FEVER_TODAY: (
            _S.DEFER,
            "Fever or acute illness today: do not inject; rebook when well.",
            f"{_SIX}; clinic protocol (pre-procedure checklist)",
        ),
        FindingCode.ADVANCED_PATTERN: (
            _S.INFO,
            "Advanced pattern hair loss: combination therapy recommended.",
            "source article (domain.md §1); Protocol.advanced_stages",
        ),
    }
)

DEFAULT_SEVERITIES: Mapping[FindingCode, Severity] = MappingProxyType({code: rule[0] for code, rule in _RULES.items()})
"""Default severity per finding code (domain.md §6, source article; clinic protocol, configurable:
Protocol.severity_overrides)."""

# Codes accepted in Intake.conditions and Intake.medications; the other codes come from their own
# fields (age_years, pregnant, scalp.*, allergies, pattern, diagnosis).
CONDITION_CODES: frozenset[FindingCode] = frozenset(
    {
        FindingCode.BLEEDING_DISORDER,
        FindingCode.KELOID_TENDENCY,
        FindingCode.IMMUNOSUPPRESSION,
        FindingCode.HEART_FAILURE,
        FindingCode.KIDNEY_DISEASE,
        FindingCode.UNCONTROLLED_DIABETES,
        FindingCode.VASOVAGAL_HISTORY,
    }
)
MEDICATION_CODES: frozenset[FindingCode] = frozenset(
    {
        FindingCode.ANTICOAGULANT,
        FindingCode.ANTIPLATELET,
        FindingCode.ISOTRETINOIN_RECENT,
        FindingCode.IMMUNOSUPPRESSION,
    }
)
_OWN_FIELD = {
    FindingCode.UNDER_18: "age_years",
    FindingCode.PREGNANCY: "pregnant",
    FindingCode.BREASTFEEDING: "breastfeeding",
    FindingCode.PLANNING_CONCEPTION: "planning_conception",
    FindingCode.ACTIVE_SCALP_INFECTION: "scalp.active_infection",
    FindingCode.ACTIVE_SCALP_INFLAMMATION: "scalp.active_inflammation",
    FindingCode.SCARRING_ALOPECIA: "scalp.scarring_alopecia",
    FindingCode.AUTOIMMUNE_ALOPECIA: "diagnosis",
    FindingCode.INGREDIENT_ALLERGY: "allergies",
    FindingCode.ADVANCED_PATTERN: "pattern",
    FindingCode.FEVER_TODAY: "fever (asked at the pre-session re-screen)",
}


def code_problem(code: object, allowed: frozenset[FindingCode]) -> str | None:
    """Why ``code`` is not accepted in a list limited to ``allowed``, or None if it is."""
    if code in allowed:
        return None
    if code in _OWN_FIELD:
        return f"{code!r} is not recorded here; use the field {_OWN_FIELD[FindingCode(str(code))]}"
    return f"unknown code {code!r}; one of {', '.join(sorted(allowed))}"


def _check_codes(c: Checks, field: str, codes: Iterable[object], allowed: frozenset[FindingCode]) -> None:
    for code in codes:
        problem = code_problem(code, allowed)
        if problem:
            c.add(field, problem)


@dataclass(frozen=True)
class ScalpState:
    active_infection: bool
    active_inflammation: bool
    scarring_alopecia: bool

    def __post_init__(self) -> None:
        c = Checks()
        for name in ("active_infection", "active_inflammation", "scarring_alopecia"):
            c.boolean(name, getattr(self, name))
        c.done()


@dataclass(frozen=True)
class Intake:
    """What screening needs from the consultation. ``allergies`` are ingredient codes from the
    formulation catalogue; ``pattern`` is None when no pattern is graded (e.g. telogen effluvium)."""

    age_years: Decimal
    sex: Sex
    pregnant: bool
    breastfeeding: bool
    planning_conception: bool
    conditions: frozenset[FindingCode]
    medications: frozenset[FindingCode]
    allergies: frozenset[str]
    scalp: ScalpState
    pattern: PatternStage | None
    diagnosis: Diagnosis

    def __post_init__(self) -> None:
        c = Checks()
        c.number("age_years", self.age_years, 0, 120, "years")
        c.require(self.sex in set(Sex), "sex", f"one of {', '.join(Sex)}")
        for name in ("pregnant", "breastfeeding", "planning_conception"):
            c.boolean(name, getattr(self, name))
        if self.sex == Sex.MALE:
            c.require(self.pregnant is not True, "pregnant", "cannot be true for sex male")
            c.require(self.breastfeeding is not True, "breastfeeding", "cannot be true for sex male")
        _check_codes(c, "conditions", self.conditions, CONDITION_CODES)
        _check_codes(c, "medications", self.medications, MEDICATION_CODES)
        for allergy in self.allergies:
            c.require(isinstance(allergy, str) and bool(allergy), "allergies", "each allergy is an ingredient code")
        c.instance("scalp", self.scalp, ScalpState, "a ScalpState")
        c.require(self.pattern is None or isinstance(self.pattern, PatternStage), "pattern", "must be a PatternStage or None")
        c.require(self.diagnosis in set(Diagnosis), "diagnosis", f"one of {', '.join(Diagnosis)}")
        c.done()
        object.__setattr__(self, "conditions", frozenset(FindingCode(x) for x in self.conditions))
        object.__setattr__(self, "medications", frozenset(FindingCode(x) for x in self.medications))
        object.__setattr__(self, "diagnosis", Diagnosis(self.diagnosis))
        object.__setattr__(self, "sex", Sex(self.sex))


@dataclass(frozen=True)
class Finding:
    code: FindingCode
    severity: Severity
    message: str
    source: str


@dataclass(frozen=True)
class ScreeningResult:
    verdict: Verdict
    combination_recommended: bool
    findings: tuple[Finding, ...]
    # Ingredient codes the patient is allergic to: formulations must leave them out.
    excluded_ingredients: frozenset[str]


def verdict_for(severities: Iterable[Severity]) -> Verdict:
    """not_eligible if any stop, else defer if any defer, else eligible_with_cautions if any
    caution, else eligible (issue 4; severities per DEFAULT_SEVERITIES / Protocol)."""
    present = set(severities)
    if Severity.STOP in present:
        return Verdict.NOT_ELIGIBLE
    if Severity.DEFER in present:
        return Verdict.DEFER
    if Severity.CAUTION in present:
        return Verdict.ELIGIBLE_WITH_CAUTIONS
    return Verdict.ELIGIBLE


def screen(
    intake: Intake, protocol: Protocol, catalogue: Mapping[str, Ingredient] | None = None
) -> ScreeningResult:
    """Screen an intake (domain.md §6; source article §1). Allergies must name ingredients of
    ``catalogue`` (default: formulation.CATALOGUE); each raises ``ingredient_allergy``."""
    if catalogue is None:
        from anagen.core.formulation import CATALOGUE

        catalogue = CATALOGUE
    unknown = sorted(a for a in intake.allergies if a not in catalogue)
    if unknown:
        raise InvalidInput.single("allergies", f"unknown ingredient code(s) {', '.join(unknown)}; see the catalogue")

    present: set[FindingCode] = set()
    if intake.age_years < protocol.minimum_age_years:
        present.add(FindingCode.UNDER_18)
    if intake.scalp.scarring_alopecia or intake.diagnosis is Diagnosis.SCARRING_ALOPECIA:
        present.add(FindingCode.SCARRING_ALOPECIA)
    if intake.diagnosis is Diagnosis.ALOPECIA_AREATA:
        present.add(FindingCode.AUTOIMMUNE_ALOPECIA)
    if intake.pregnant:
        present.add(FindingCode.PREGNANCY)
    if intake.breastfeeding:
        present.add(FindingCode.BREASTFEEDING)
    if intake.planning_conception:
        present.add(FindingCode.PLANNING_CONCEPTION)
    if intake.scalp.active_infection:
        present.add(FindingCode.ACTIVE_SCALP_INFECTION)
    if intake.scalp.active_inflammation:
        present.add(FindingCode.ACTIVE_SCALP_INFLAMMATION)
    present |= intake.conditions | intake.medications
    advanced = intake.pattern is not None and is_advanced(intake.pattern.scale, intake.pattern.stage, protocol)
    if advanced:
        present.add(FindingCode.ADVANCED_PATTERN)

    findings: list[Finding] = []
    for code in FindingCode:  # enum order keeps the output stable
        if code is FindingCode.INGREDIENT_ALLERGY:
            for allergen in sorted(intake.allergies):
                findings.append(_finding(code, protocol, f" Excluded: {catalogue[allergen].name} ({allergen})."))
        elif code in present:
            findings.append(_finding(code, protocol))
    return ScreeningResult(
        verdict_for(f.severity for f in findings),
        advanced,
        tuple(findings),
        frozenset(intake.allergies),
    )


def finding(code: FindingCode, protocol: Protocol) -> Finding:
    """The finding for one code with its message, source and the protocol's severity."""
    return _finding(code, protocol)


def _finding(code: FindingCode, protocol: Protocol, extra: str = "") -> Finding:
    default, message, source = _RULES[code]
    severity = protocol.severity_overrides.get(code, default)
    return Finding(code, Severity(severity), message + extra, source)
