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
from anagen.core.wording import gettext_noop

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
    # Issue 17: the screening vocabulary clinics see.
    TINEA_CAPITIS = "tinea_capitis"
    TRICHOTILLOMANIA = "trichotillomania"
    TRACTION_ALOPECIA = "traction_alopecia"
    ANAGEN_EFFLUVIUM = "anagen_effluvium"
    LIDOCAINE_ALLERGY = "lidocaine_allergy"
    CHLORHEXIDINE_ALLERGY = "chlorhexidine_allergy"
    LATEX_ALLERGY = "latex_allergy"
    OTHER_ALLERGY = "other_allergy"
    ACTIVE_CANCER = "active_cancer"
    CHEMOTHERAPY = "chemotherapy"
    PSORIASIS = "psoriasis"
    ALOPECIA_AREATA_HISTORY = "alopecia_areata_history"
    CARDIOVASCULAR_DISEASE = "cardiovascular_disease"
    LOW_BLOOD_PRESSURE = "low_blood_pressure"
    DEPRESSION = "depression"
    LIVER_DISEASE = "liver_disease"
    SEXUAL_DYSFUNCTION = "sexual_dysfunction"
    ABNORMAL_LABS_UNREVIEWED = "abnormal_labs_unreviewed"
    # Raised only by the pre-session re-screen.
    REACTION_LAST_SESSION = "reaction_last_session"
    NEW_BALD_PATCH = "new_bald_patch"


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
    # Issue 17: what clinics also see. Infection and anagen effluvium defer; the scarring alopecias
    # and trichotillomania are not eligible (refer); traction alopecia is a caution.
    TINEA_CAPITIS = "tinea_capitis"
    FRONTAL_FIBROSING_ALOPECIA = "frontal_fibrosing_alopecia"
    LICHEN_PLANOPILARIS = "lichen_planopilaris"
    DISCOID_LUPUS = "discoid_lupus"
    TRICHOTILLOMANIA = "trichotillomania"
    TRACTION_ALOPECIA = "traction_alopecia"
    ANAGEN_EFFLUVIUM = "anagen_effluvium"


SCARRING_DIAGNOSES = frozenset({
    Diagnosis.SCARRING_ALOPECIA, Diagnosis.FRONTAL_FIBROSING_ALOPECIA, Diagnosis.LICHEN_PLANOPILARIS, Diagnosis.DISCOID_LUPUS,
})
"""Primary cicatricial alopecias: frontal fibrosing alopecia and lichen planopilaris (lymphocytic),
discoid lupus: injecting an inflamed scarring scalp risks more scarring; refer to dermatology
(domain.md §6; Duque-Estrada 2009 JAAD)."""

NON_INGREDIENT_ALLERGENS = frozenset({"lidocaine", "chlorhexidine", "latex"})
"""Allergies that matter at the chair though no formulation contains them: the local anaesthetic
(numbing spray), the antiseptic, the gloves (domain.md §6: allergy to any component or material)."""


_S = Severity
_SIX = "domain.md §6 (contraindications and cautions seen in studies and clinic protocols)"

# Code -> (default severity, message, source). Each message is a msgid (gettext_noop): the app layer
# shows it in the reader's language by the finding's code (anagen.core.wording). Defaults are clinic protocol
# (configurable: Protocol.severity_overrides) except where the source says otherwise.
_RULES: Mapping[FindingCode, tuple[Severity, str, str]] = MappingProxyType(
    {
        FindingCode.UNDER_18: (
            _S.STOP,
            gettext_noop("Under the minimum age for scalp mesotherapy."),
            "source article: adults 18 and above (domain.md §1, §6); Protocol.minimum_age_years",
        ),
        FindingCode.SCARRING_ALOPECIA: (
            _S.STOP,
            gettext_noop("Scarring alopecia: do not inject; refer to a dermatologist."),
            f"{_SIX}; scarring alopecia after scalp injections: Duque-Estrada 2009 JAAD",
        ),
        FindingCode.AUTOIMMUNE_ALOPECIA: (
            _S.STOP,
            gettext_noop("Active autoimmune alopecia (alopecia areata): refer to a dermatologist."),
            _SIX,
        ),
        FindingCode.BLEEDING_DISORDER: (_S.STOP, gettext_noop("Bleeding disorder: scalp micro-injections are contraindicated."), _SIX),
        FindingCode.PREGNANCY: (_S.DEFER, gettext_noop("Pregnant: defer mesotherapy until after pregnancy and breastfeeding."), _SIX),
        FindingCode.BREASTFEEDING: (_S.DEFER, gettext_noop("Breastfeeding: defer mesotherapy until breastfeeding ends."), _SIX),
        FindingCode.ACTIVE_SCALP_INFECTION: (
            _S.DEFER,
            gettext_noop("Active scalp infection at the site: treat it first, then re-screen."),
            f"source article (domain.md §1); {_SIX}; injection-site mycobacterial infections: Ivan 2013 Emerg Infect Dis 19:1493",
        ),
        FindingCode.ACTIVE_SCALP_INFLAMMATION: (
            _S.DEFER,
            gettext_noop("Active scalp inflammation at the site: settle it first, then re-screen."),
            _SIX,
        ),
        FindingCode.UNCONTROLLED_DIABETES: (
            _S.DEFER,
            gettext_noop("Uncontrolled diabetes: defer until controlled (infection and healing risk)."),
            _SIX,
        ),
        FindingCode.ANTICOAGULANT: (_S.CAUTION, gettext_noop("Takes an anticoagulant: expect bruising and bleeding; consider with the prescriber."), _SIX),
        FindingCode.ANTIPLATELET: (_S.CAUTION, gettext_noop("Takes an antiplatelet drug: expect bruising and bleeding."), _SIX),
        FindingCode.KELOID_TENDENCY: (_S.CAUTION, gettext_noop("Keloid tendency: risk of scarring at injection points."), _SIX),
        FindingCode.IMMUNOSUPPRESSION: (
            _S.CAUTION,
            gettext_noop("Immunosuppressed: higher infection risk; strict asepsis, single-dose vials."),
            f"{_SIX}; Ivan 2013 Emerg Infect Dis 19:1493",
        ),
        FindingCode.HEART_FAILURE: (_S.CAUTION, gettext_noop("Heart failure: check with the treating physician."), _SIX),
        FindingCode.KIDNEY_DISEASE: (_S.CAUTION, gettext_noop("Kidney disease: check with the treating physician; review drug components."), _SIX),
        FindingCode.ISOTRETINOIN_RECENT: (_S.CAUTION, gettext_noop("Recent isotretinoin: impaired healing and scarring risk."), _SIX),
        FindingCode.VASOVAGAL_HISTORY: (
            _S.CAUTION,
            gettext_noop("History of fainting with needles: treat lying down, have a second person present."),
            _SIX,
        ),
        FindingCode.PLANNING_CONCEPTION: (
            _S.CAUTION,
            gettext_noop("Planning conception: no 5-alpha-reductase inhibitor in the formulation."),
            f"{_SIX}; injected dutasteride changed semen analysis and serum DHT: Sobhy 2013 Our Dermatol Online 4:40",
        ),
        FindingCode.INGREDIENT_ALLERGY: (
            _S.CAUTION,
            gettext_noop("Allergy to a formulation ingredient: it is excluded from formulations."),
            _SIX,
        ),
        FindingCode.FEVER_TODAY: (
            _S.DEFER,
            gettext_noop("Fever or acute illness today: do not inject; rebook when well."),
            f"{_SIX}; clinic protocol (pre-procedure checklist)",
        ),
        FindingCode.ADVANCED_PATTERN: (
            _S.CAUTION,
            gettext_noop("Advanced pattern hair loss: combination therapy recommended; mesotherapy alone may not be enough."),
            "source article (domain.md §1: advanced baldness may need other approaches); Protocol.advanced_stages",
        ),
        FindingCode.TINEA_CAPITIS: (
            _S.DEFER,
            gettext_noop("Tinea capitis: treat the fungal infection first (oral antifungal), then re-screen."),
            f"{_SIX} (active scalp infection); source article (domain.md §1)",
        ),
        FindingCode.TRICHOTILLOMANIA: (
            _S.STOP,
            gettext_noop("Trichotillomania: hair pulling is not treated by injections; refer (dermatology, psychology or psychiatry)."),
            "clinic protocol; domain.md §1 (indications do not include it)",
        ),
        FindingCode.TRACTION_ALOPECIA: (
            _S.CAUTION,
            gettext_noop("Traction alopecia: remove the traction (tight hairstyles) first; long-standing traction can scar."),
            "source article aftercare (no tight hairstyles, domain.md §1); clinic protocol",
        ),
        FindingCode.ANAGEN_EFFLUVIUM: (
            _S.DEFER,
            gettext_noop("Anagen effluvium (e.g. chemotherapy, toxins): defer and refer to find and treat the cause."),
            "clinic protocol; domain.md §6 (some medical conditions: not now)",
        ),
        FindingCode.LIDOCAINE_ALLERGY: (
            _S.CAUTION,
            gettext_noop("Allergy to lidocaine: no local anaesthetic and no numbing spray."),
            f"{_SIX} (allergy to any component)",
        ),
        FindingCode.CHLORHEXIDINE_ALLERGY: (
            _S.CAUTION,
            gettext_noop("Allergy to chlorhexidine: cleanse the scalp with another antiseptic."),
            f"{_SIX} (allergy to any component)",
        ),
        FindingCode.LATEX_ALLERGY: (
            _S.CAUTION,
            gettext_noop("Latex allergy: latex-free gloves and equipment."),
            f"{_SIX} (allergy to any component)",
        ),
        FindingCode.OTHER_ALLERGY: (
            _S.CAUTION,
            gettext_noop("Other allergy recorded: check every product and material used against it."),
            f"{_SIX} (allergy to any component)",
        ),
        FindingCode.ACTIVE_CANCER: (
            _S.DEFER,
            gettext_noop("Active cancer: growth factors may promote growth; defer and ask the oncologist."),
            f"{_SIX} (some medical conditions); clinic protocol",
        ),
        FindingCode.CHEMOTHERAPY: (
            _S.DEFER,
            gettext_noop("On chemotherapy: growth factors may promote growth and healing is impaired; defer and ask the oncologist."),
            f"{_SIX} (some medical conditions; immunosuppression); clinic protocol",
        ),
        FindingCode.PSORIASIS: (
            _S.CAUTION,
            gettext_noop("Psoriasis: skin injury can trigger new plaques (Koebner phenomenon); avoid active plaques."),
            f"{_SIX} (active scalp inflammation); clinic protocol",
        ),
        FindingCode.ALOPECIA_AREATA_HISTORY: (
            _S.CAUTION,
            gettext_noop("History of alopecia areata: watch for new patches; patchy hair loss after injections is reported."),
            f"{_SIX}; Duque-Estrada 2009 JAAD (patchy alopecia after injections)",
        ),
        FindingCode.CARDIOVASCULAR_DISEASE: (
            _S.CAUTION,
            gettext_noop("Cardiovascular disease: no minoxidil without a trichologist's acknowledgement (it lowers blood pressure)."),
            "Basilio 2025 Arch Dermatol Res 317:750 (diastolic drop after scalp minoxidil); domain.md §6",
        ),
        FindingCode.LOW_BLOOD_PRESSURE: (
            _S.CAUTION,
            gettext_noop("Low blood pressure: no minoxidil without a trichologist's acknowledgement (it lowers blood pressure further)."),
            "Basilio 2025 Arch Dermatol Res 317:750 (diastolic drop after scalp minoxidil)",
        ),
        FindingCode.DEPRESSION: (
            _S.CAUTION,
            gettext_noop("Depression: a 5-alpha-reductase inhibitor needs a trichologist's acknowledgement (mood changes reported)."),
            "finasteride and dutasteride labels (depression reported)",
        ),
        FindingCode.LIVER_DISEASE: (
            _S.CAUTION,
            gettext_noop("Liver disease: a 5-alpha-reductase inhibitor needs a trichologist's acknowledgement (cleared by the liver)."),
            "finasteride and dutasteride labels (hepatic metabolism)",
        ),
        FindingCode.SEXUAL_DYSFUNCTION: (
            _S.CAUTION,
            gettext_noop("Sexual dysfunction: a 5-alpha-reductase inhibitor needs a trichologist's acknowledgement."),
            "finasteride and dutasteride labels (sexual adverse effects); Sobhy 2013 (semen changes)",
        ),
        FindingCode.ABNORMAL_LABS_UNREVIEWED: (
            _S.DEFER,
            gettext_noop("Abnormal blood results not yet reviewed by a clinician: shedding or diffuse thinning may have that cause; "
                         "review them before treating."),
            "domain.md §5 (blood tests in the hair-loss work-up); clinic protocol",
        ),
        FindingCode.REACTION_LAST_SESSION: (
            _S.CAUTION,
            gettext_noop("A reaction after the last session: a trichologist reviews it before injecting again."),
            f"{_SIX}; clinic protocol (pre-procedure checklist)",
        ),
        FindingCode.NEW_BALD_PATCH: (
            _S.DEFER,
            gettext_noop("A new bald patch: do not inject; a trichologist examines it (patchy and scarring alopecia after injections)."),
            "Duque-Estrada 2009 JAAD; J Cosmet Dermatol 2017 doi 10.1111/jocd.12320 (domain.md §2)",
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
        FindingCode.ACTIVE_CANCER,
        FindingCode.CHEMOTHERAPY,
        FindingCode.PSORIASIS,
        FindingCode.ALOPECIA_AREATA_HISTORY,
        FindingCode.CARDIOVASCULAR_DISEASE,
        FindingCode.LOW_BLOOD_PRESSURE,
        FindingCode.DEPRESSION,
        FindingCode.LIVER_DISEASE,
        FindingCode.SEXUAL_DYSFUNCTION,
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
    FindingCode.TINEA_CAPITIS: "diagnosis",
    FindingCode.TRICHOTILLOMANIA: "diagnosis",
    FindingCode.TRACTION_ALOPECIA: "diagnosis",
    FindingCode.ANAGEN_EFFLUVIUM: "diagnosis",
    FindingCode.LIDOCAINE_ALLERGY: "allergies",
    FindingCode.CHLORHEXIDINE_ALLERGY: "allergies",
    FindingCode.LATEX_ALLERGY: "allergies",
    FindingCode.OTHER_ALLERGY: "other_allergies",
    FindingCode.ABNORMAL_LABS_UNREVIEWED: "unreviewed_abnormal_labs",
    FindingCode.REACTION_LAST_SESSION: "reaction at the last session (asked at the pre-session re-screen)",
    FindingCode.NEW_BALD_PATCH: "new bald patch (asked at the pre-session re-screen)",
}

_DIAGNOSIS_FINDINGS = {
    Diagnosis.TINEA_CAPITIS: FindingCode.TINEA_CAPITIS,
    Diagnosis.TRICHOTILLOMANIA: FindingCode.TRICHOTILLOMANIA,
    Diagnosis.TRACTION_ALOPECIA: FindingCode.TRACTION_ALOPECIA,
    Diagnosis.ANAGEN_EFFLUVIUM: FindingCode.ANAGEN_EFFLUVIUM,
}
_ALLERGEN_FINDINGS = {
    "lidocaine": FindingCode.LIDOCAINE_ALLERGY,
    "chlorhexidine": FindingCode.CHLORHEXIDINE_ALLERGY,
    "latex": FindingCode.LATEX_ALLERGY,
}
LAB_DEFERRED_DIAGNOSES = frozenset({Diagnosis.TELOGEN_EFFLUVIUM, Diagnosis.DIFFUSE_THINNING})
"""Diagnoses whose cause may be in the blood results (iron, thyroid, nutrition: domain.md §5):
unreviewed abnormal results defer them."""


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
    # Issue 17 (defaults keep older callers working): allergens written as free text, each a
    # caution; lab tests flagged abnormal that no clinician has reviewed yet.
    other_allergies: tuple[str, ...] = ()
    unreviewed_abnormal_labs: frozenset[str] = frozenset()

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
        for text in self.other_allergies:
            c.require(isinstance(text, str) and bool(text.strip()) and len(text) <= 200, "other_allergies",
                      "each other allergy is a non-empty text of at most 200 characters")
        for test in self.unreviewed_abnormal_labs:
            c.require(isinstance(test, str) and bool(test), "unreviewed_abnormal_labs", "each entry is a lab test code")
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
    """Screen an intake (domain.md §6; source article §1). Allergies name ingredients of
    ``catalogue`` (default: formulation.CATALOGUE), each raising ``ingredient_allergy``, or one of
    NON_INGREDIENT_ALLERGENS (lidocaine, chlorhexidine, latex), each raising its own caution; other
    allergens come as free text (``other_allergies``), each an ``other_allergy`` caution."""
    if catalogue is None:
        from anagen.core.formulation import CATALOGUE

        catalogue = CATALOGUE
    unknown = sorted(a for a in intake.allergies if a not in catalogue and a not in NON_INGREDIENT_ALLERGENS)
    if unknown:
        raise InvalidInput.single(
            "allergies",
            f"unknown allergy code(s) {', '.join(unknown)}; an ingredient of the catalogue or one of "
            f"{', '.join(sorted(NON_INGREDIENT_ALLERGENS))} (write any other allergen as free text)",
        )
    ingredient_allergies = sorted(a for a in intake.allergies if a in catalogue)

    present: set[FindingCode] = set()
    if intake.age_years < protocol.minimum_age_years:
        present.add(FindingCode.UNDER_18)
    if intake.scalp.scarring_alopecia or intake.diagnosis in SCARRING_DIAGNOSES:
        present.add(FindingCode.SCARRING_ALOPECIA)
    if intake.diagnosis in _DIAGNOSIS_FINDINGS:
        present.add(_DIAGNOSIS_FINDINGS[intake.diagnosis])
    present |= {_ALLERGEN_FINDINGS[a] for a in intake.allergies if a in _ALLERGEN_FINDINGS}
    if intake.unreviewed_abnormal_labs and intake.diagnosis in LAB_DEFERRED_DIAGNOSES:
        present.add(FindingCode.ABNORMAL_LABS_UNREVIEWED)
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
            for allergen in ingredient_allergies:
                findings.append(_finding(code, protocol, f"{catalogue[allergen].name} ({allergen})"))
        elif code is FindingCode.OTHER_ALLERGY:
            for text in intake.other_allergies:
                findings.append(_finding(code, protocol, text.strip()))
        elif code is FindingCode.SCARRING_ALOPECIA and code in present and intake.diagnosis in SCARRING_DIAGNOSES - {Diagnosis.SCARRING_ALOPECIA}:
            findings.append(_finding(code, protocol, intake.diagnosis.replace("_", " ")))
        elif code is FindingCode.ABNORMAL_LABS_UNREVIEWED and code in present:
            findings.append(_finding(code, protocol, ", ".join(sorted(intake.unreviewed_abnormal_labs))))
        elif code in present:
            findings.append(_finding(code, protocol))
    return ScreeningResult(
        verdict_for(f.severity for f in findings),
        advanced,
        tuple(findings),
        frozenset(ingredient_allergies),
    )


def finding(code: FindingCode, protocol: Protocol) -> Finding:
    """The finding for one code with its message, source and the protocol's severity."""
    return _finding(code, protocol)


# What a finding names after its rule's sentence (the ingredient, the allergen, the scarring
# diagnosis, the lab tests), one marked sentence per code with the name as %(detail)s.
FINDING_DETAILS: Mapping[FindingCode, str] = MappingProxyType({
    FindingCode.INGREDIENT_ALLERGY: gettext_noop("Excluded: %(detail)s."),
    FindingCode.OTHER_ALLERGY: gettext_noop("Allergen: %(detail)s."),
    FindingCode.SCARRING_ALOPECIA: gettext_noop("Diagnosis: %(detail)s."),
    FindingCode.ABNORMAL_LABS_UNREVIEWED: gettext_noop("Tests: %(detail)s."),
})


def _finding(code: FindingCode, protocol: Protocol, detail: str = "") -> Finding:
    default, message, source = _RULES[code]
    severity = protocol.severity_overrides.get(code, default)
    if detail:
        message = f"{message} {FINDING_DETAILS[code] % {'detail': detail}}"
    return Finding(code, Severity(severity), message, source)


def finding_parts(code: object, message: str) -> tuple[str, str | None, str] | None:
    """A finding's message taken apart for wording it in another language: (the rule's msgid, the
    detail's msgid or None, the detail itself). None when the message is not one this core writes
    for ``code`` (an unknown code, or a record signed under other wording): it is shown as kept."""
    try:
        rule = _RULES[FindingCode(str(code))][1]
    except ValueError:
        return None
    if message == rule:
        return rule, None, ""
    template = FINDING_DETAILS.get(FindingCode(str(code)))
    if template is None or not message.startswith(rule + " "):
        return None
    before, after = template.split("%(detail)s")
    rest = message[len(rule) + 1:]
    if rest.startswith(before) and rest.endswith(after) and len(rest) > len(before) + len(after):
        return rule, template, rest[len(before):len(rest) - len(after)]
    return None
