"""Display names for every code a person may meet: one place, translatable (issue 20).

The clinical core speaks in stable codes (``vitamin_d_25oh``, ``ingredient_allergy``,
``eligible_with_cautions``); pages, documents and messages show these names instead, never the
code and never a string filter on it. A test checks that every member of every vocabulary here
has a name, so a new code cannot reach a page unnamed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anagen.core.course import CombinationTherapy, Weekday
from anagen.core.formulation import CATALOGUE
from anagen.core.labs import LabFlag, LabTest
from anagen.core.measurements import ScalpZone
from anagen.core.photos import PhotoView
from anagen.core.reminders import Channel
from anagen.core.response import NextStep, ResponseClass
from anagen.core.safety import AdverseEventType
from anagen.core.safety import Severity as EventSeverity
from anagen.core.screening import Diagnosis, FindingCode, Verdict
from anagen.core.screening import Severity as FindingSeverity

FINDINGS: Mapping[str, Promise] = {
    FindingCode.UNDER_18: _("Under 18"),
    FindingCode.SCARRING_ALOPECIA: _("Scarring alopecia"),
    FindingCode.AUTOIMMUNE_ALOPECIA: _("Autoimmune alopecia"),
    FindingCode.BLEEDING_DISORDER: _("Bleeding disorder"),
    FindingCode.PREGNANCY: _("Pregnancy"),
    FindingCode.BREASTFEEDING: _("Breastfeeding"),
    FindingCode.ACTIVE_SCALP_INFECTION: _("Active scalp infection"),
    FindingCode.ACTIVE_SCALP_INFLAMMATION: _("Active scalp inflammation"),
    FindingCode.UNCONTROLLED_DIABETES: _("Uncontrolled diabetes"),
    FindingCode.ANTICOAGULANT: _("Anticoagulant"),
    FindingCode.ANTIPLATELET: _("Antiplatelet drug"),
    FindingCode.KELOID_TENDENCY: _("Keloid tendency"),
    FindingCode.IMMUNOSUPPRESSION: _("Immunosuppression"),
    FindingCode.HEART_FAILURE: _("Heart failure"),
    FindingCode.KIDNEY_DISEASE: _("Kidney disease"),
    FindingCode.ISOTRETINOIN_RECENT: _("Isotretinoin in the last 6 months"),
    FindingCode.VASOVAGAL_HISTORY: _("Fainting with needles"),
    FindingCode.PLANNING_CONCEPTION: _("Planning conception"),
    FindingCode.INGREDIENT_ALLERGY: _("Allergy to an ingredient"),
    FindingCode.ADVANCED_PATTERN: _("Advanced pattern"),
    FindingCode.FEVER_TODAY: _("Fever today"),
    # Issue 17's findings.
    FindingCode.TINEA_CAPITIS: _("Tinea capitis (scalp ringworm)"),
    FindingCode.TRICHOTILLOMANIA: _("Trichotillomania"),
    FindingCode.TRACTION_ALOPECIA: _("Traction alopecia"),
    FindingCode.ANAGEN_EFFLUVIUM: _("Anagen effluvium"),
    FindingCode.LIDOCAINE_ALLERGY: _("Allergy to lidocaine"),
    FindingCode.CHLORHEXIDINE_ALLERGY: _("Allergy to chlorhexidine"),
    FindingCode.LATEX_ALLERGY: _("Allergy to latex"),
    FindingCode.OTHER_ALLERGY: _("Another allergy"),
    FindingCode.ACTIVE_CANCER: _("Active cancer"),
    FindingCode.CHEMOTHERAPY: _("Chemotherapy"),
    FindingCode.PSORIASIS: _("Psoriasis"),
    FindingCode.ALOPECIA_AREATA_HISTORY: _("History of alopecia areata"),
    FindingCode.CARDIOVASCULAR_DISEASE: _("Cardiovascular disease"),
    FindingCode.LOW_BLOOD_PRESSURE: _("Low blood pressure"),
    FindingCode.DEPRESSION: _("Depression"),
    FindingCode.LIVER_DISEASE: _("Liver disease"),
    FindingCode.SEXUAL_DYSFUNCTION: _("Sexual dysfunction"),
    FindingCode.ABNORMAL_LABS_UNREVIEWED: _("Abnormal blood results not yet reviewed"),
    FindingCode.REACTION_LAST_SESSION: _("Reaction after the last session"),
    FindingCode.NEW_BALD_PATCH: _("New bald patch"),
}

FINDING_SEVERITIES: Mapping[str, Promise] = {
    FindingSeverity.STOP: _("Stop"),
    FindingSeverity.DEFER: _("Defer"),
    FindingSeverity.CAUTION: _("Caution"),
    FindingSeverity.INFO: _("Note"),
}

VERDICTS: Mapping[str, Promise] = {
    Verdict.NOT_ELIGIBLE: _("Not eligible"),
    Verdict.DEFER: _("Defer"),
    Verdict.ELIGIBLE_WITH_CAUTIONS: _("Eligible with cautions"),
    Verdict.ELIGIBLE: _("Eligible"),
}

DIAGNOSES: Mapping[str, Promise] = {
    Diagnosis.ANDROGENETIC_ALOPECIA: _("Androgenetic alopecia (pattern hair loss)"),
    Diagnosis.TELOGEN_EFFLUVIUM: _("Telogen effluvium"),
    Diagnosis.DIFFUSE_THINNING: _("Diffuse thinning (nutritional or hormonal)"),
    Diagnosis.SCALP_CONDITION: _("Scalp condition (dry, flaky or oily scalp)"),
    Diagnosis.PREVENTION: _("Prevention (predisposed, no active loss)"),
    Diagnosis.ALOPECIA_AREATA: _("Alopecia areata (refer to dermatology)"),
    Diagnosis.SCARRING_ALOPECIA: _("Scarring alopecia (refer to dermatology)"),
    Diagnosis.TINEA_CAPITIS: _("Tinea capitis (treat the infection first)"),
    Diagnosis.FRONTAL_FIBROSING_ALOPECIA: _("Frontal fibrosing alopecia (scarring: refer to dermatology)"),
    Diagnosis.LICHEN_PLANOPILARIS: _("Lichen planopilaris (scarring: refer to dermatology)"),
    Diagnosis.DISCOID_LUPUS: _("Discoid lupus (scarring: refer to dermatology)"),
    Diagnosis.TRICHOTILLOMANIA: _("Trichotillomania (refer)"),
    Diagnosis.TRACTION_ALOPECIA: _("Traction alopecia"),
    Diagnosis.ANAGEN_EFFLUVIUM: _("Anagen effluvium (defer and refer)"),
}

LAB_TESTS: Mapping[str, Promise] = {
    LabTest.FERRITIN: _("Ferritin"),
    LabTest.VITAMIN_D: _("25-OH vitamin D"),
    LabTest.TSH: _("TSH"),
    LabTest.ZINC: _("Zinc"),
    LabTest.VITAMIN_B12: _("Vitamin B12"),
    LabTest.HAEMOGLOBIN: _("Haemoglobin"),
}

LAB_FLAGS: Mapping[str, Promise] = {
    LabFlag.LOW: _("Low"),
    LabFlag.BORDERLINE: _("Borderline"),
    LabFlag.NORMAL: _("Normal"),
    LabFlag.HIGH: _("High"),
}

ZONES: Mapping[str, Promise] = {
    ScalpZone.FRONTAL: _("Frontal"),
    ScalpZone.MID_SCALP: _("Mid-scalp"),
    ScalpZone.VERTEX: _("Vertex (crown)"),
    ScalpZone.TEMPORAL_LEFT: _("Left temple"),
    ScalpZone.TEMPORAL_RIGHT: _("Right temple"),
    ScalpZone.OCCIPITAL: _("Occipital (back)"),
}

EVENT_TYPES: Mapping[str, Promise] = {
    AdverseEventType.ERYTHEMA: _("Redness"),
    AdverseEventType.BRUISING: _("Bruising"),
    AdverseEventType.PAIN: _("Pain"),
    AdverseEventType.SWELLING: _("Swelling"),
    AdverseEventType.HEADACHE: _("Headache"),
    AdverseEventType.INFECTION: _("Infection"),
    AdverseEventType.ALLERGIC_REACTION: _("Allergic reaction"),
    AdverseEventType.FAINTING: _("Fainting"),
    AdverseEventType.PATCHY_HAIR_LOSS: _("Patchy hair loss"),
    AdverseEventType.OTHER: _("Other"),
}

EVENT_SEVERITIES: Mapping[str, Promise] = {
    EventSeverity.MILD: _("Mild"),
    EventSeverity.MODERATE: _("Moderate"),
    EventSeverity.SEVERE: _("Severe"),
}

RESPONSES: Mapping[str, Promise] = {
    ResponseClass.GOOD: _("Good response"),
    ResponseClass.PARTIAL: _("Partial response"),
    ResponseClass.NONE: _("No response yet"),
    ResponseClass.WORSE: _("Worse"),
}

NEXT_STEPS: Mapping[str, Promise] = {
    NextStep.CONTINUE_INTENSIVE_PHASE: _("Continue the intensive phase"),
    NextStep.REVIEW_EXPECTED_SHED: _("Review: shedding expected early in treatment"),
    NextStep.CONTINUE_MAINTENANCE: _("Continue maintenance"),
    NextStep.REVIEW_AND_CONSIDER_COMBINATION: _("Review; consider a combination therapy"),
    NextStep.STOP_AND_REVIEW_DIAGNOSIS: _("Stop mesotherapy and review the diagnosis"),
}

CHANNELS: Mapping[str, Promise] = {
    Channel.EMAIL: _("Email"),
    Channel.SMS: _("SMS"),
    Channel.WHATSAPP: _("WhatsApp"),
}

WEEKDAYS: Mapping[str, Promise] = {
    Weekday.MON: _("Monday"),
    Weekday.TUE: _("Tuesday"),
    Weekday.WED: _("Wednesday"),
    Weekday.THU: _("Thursday"),
    Weekday.FRI: _("Friday"),
    Weekday.SAT: _("Saturday"),
    Weekday.SUN: _("Sunday"),
}

THERAPIES: Mapping[str, Promise] = {
    CombinationTherapy.PRF: _("PRF"),
    CombinationTherapy.EXOSOMES: _("Exosomes"),
    CombinationTherapy.PEPTIDES: _("Peptide therapy"),
}

PHOTO_VIEWS: Mapping[str, Promise] = {
    PhotoView.VERTEX: _("Vertex"),
    PhotoView.MIDLINE_PART: _("Midline part"),
    PhotoView.FRONTAL: _("Frontal"),
    PhotoView.TEMPORAL_LEFT: _("Left temple"),
    PhotoView.TEMPORAL_RIGHT: _("Right temple"),
    PhotoView.OCCIPITAL: _("Occipital"),
    PhotoView.TRICHOSCOPY: _("Trichoscopy"),
}

# WHO 2011 anaemia grades of a low haemoglobin (anagen.core.labs.haemoglobin_severity).
ANAEMIA_GRADES: Mapping[str, Promise] = {
    "mild": _("Mild anaemia"),
    "moderate": _("Moderate anaemia"),
    "severe": _("Severe anaemia"),
}

INGREDIENTS: Mapping[str, str] = {code: ingredient.name for code, ingredient in CATALOGUE.items()}

VOCABULARIES: Mapping[str, Mapping[str, object]] = {
    "finding": FINDINGS,
    "severity": FINDING_SEVERITIES,
    "verdict": VERDICTS,
    "diagnosis": DIAGNOSES,
    "lab": LAB_TESTS,
    "lab_flag": LAB_FLAGS,
    "zone": ZONES,
    "event": EVENT_TYPES,
    "event_severity": EVENT_SEVERITIES,
    "response": RESPONSES,
    "next_step": NEXT_STEPS,
    "channel": CHANNELS,
    "weekday": WEEKDAYS,
    "therapy": THERAPIES,
    "photo_view": PHOTO_VIEWS,
    "ingredient": INGREDIENTS,
    "anaemia": ANAEMIA_GRADES,
}

# Which core enum each vocabulary names, for the completeness test.
ENUMS: Mapping[str, type[StrEnum]] = {
    "finding": FindingCode, "severity": FindingSeverity, "verdict": Verdict, "diagnosis": Diagnosis,
    "lab": LabTest, "lab_flag": LabFlag, "zone": ScalpZone, "event": AdverseEventType,
    "event_severity": EventSeverity, "response": ResponseClass, "next_step": NextStep,
    "channel": Channel, "weekday": Weekday, "therapy": CombinationTherapy, "photo_view": PhotoView,
}


def label(code: object, vocabulary: str) -> str:
    """The name of ``code`` in ``vocabulary`` ("finding", "lab", "zone", ...). A code that no
    vocabulary knows (a new one, before it is named here) reads as words, never as a code."""
    if code is None or code == "":
        return ""
    name = VOCABULARIES[vocabulary].get(str(code))
    if name is not None:
        return str(name)
    return str(code).replace("_", " ").strip().capitalize()


def labels(codes: object, vocabulary: str) -> list[str]:
    return [label(c, vocabulary) for c in (codes or [])]  # type: ignore[attr-defined]


def choices(vocabulary: str, codes: object = None) -> list[tuple[str, str]]:
    """(code, name) pairs for a form's choices, sorted by name; ``codes`` limits them."""
    names = VOCABULARIES[vocabulary]
    wanted = [str(c) for c in codes] if codes is not None else list(names)  # type: ignore[attr-defined]
    return sorted(((c, label(c, vocabulary)) for c in wanted), key=lambda pair: pair[1].lower())


_DESCRIBED_REFERENCE = re.compile(r"\bdomain\.md\s*§\s*[\w.]+(?:\s*,\s*§\s*[\w.]+)*\s*\(([^()]*)\)")
_BARE_REFERENCE = re.compile(r"\bdomain\.md(?:\s*§\s*[\w.]+(?:\s*,\s*§\s*[\w.]+)*)?")
_SETTING = re.compile(r"\bProtocol\.[A-Za-z0-9_*]+(?:/[A-Za-z0-9_*]+)*")


def _tidy(text: str) -> str:
    text = re.sub(r"(?:\s*[;,]\s*)+(?=[;,])", "", text)
    text = re.sub(r"^\s*[;,]\s*|\s*[;,]\s*$", "", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def readable_source(text: str) -> str:
    """A rule's source as a person reads it: the evidence it names, without the project's internal
    references (the domain notes' section numbers, the protocol's setting names), which become
    "clinic protocol"."""
    cleaned = _SETTING.sub("clinic protocol", text or "")
    cleaned = _DESCRIBED_REFERENCE.sub(lambda m: m.group(1), cleaned)
    # Inside brackets first, so "(domain.md §5; clinic protocol)" keeps its bracket balanced.
    cleaned = re.sub(r"\(([^()]*)\)", lambda m: f"({inner})" if (inner := _tidy(_BARE_REFERENCE.sub("", m.group(1)))) else "", cleaned)
    cleaned = _tidy(_BARE_REFERENCE.sub("", cleaned))
    cleaned = re.sub(r"\bclinic protocol(?:\s*[;,/]\s*clinic protocol)+", "clinic protocol", cleaned)
    cleaned = re.sub(r"\s+([;,)])", r"\1", cleaned)
    return cleaned or str(_("clinic protocol"))


def readable_unit(ucum: str) -> str:
    """UCUM spelling as people read it: m[IU]/L → mIU/L, ug/dL → µg/dL, umol/L → µmol/L."""
    return (ucum or "").replace("[IU]", "IU").replace("ug/", "µg/").replace("umol/", "µmol/")
