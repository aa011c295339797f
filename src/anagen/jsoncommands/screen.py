"""``anagen screen``: an intake in, a screening verdict and findings out (docs/cli.md)."""

from __future__ import annotations

from typing import Any

from anagen.core.formulation import CATALOGUE
from anagen.core.labs import LabTest, Sex
from anagen.core.protocol import Protocol
from anagen.core.scales import PatternStage, Scale
from anagen.core.screening import (
    CONDITION_CODES,
    MEDICATION_CODES,
    NON_INGREDIENT_ALLERGENS,
    Diagnosis,
    FindingCode,
    Intake,
    ScalpState,
    ScreeningResult,
    code_problem,
    screen,
)
from anagen.jsoncommands._parse import Obj, Reader, enum, text

FIELDS = (
    "age_years", "sex", "pregnant", "breastfeeding", "planning_conception", "conditions",
    "medications", "allergies", "scalp", "pattern", "diagnosis",
)
# Added by issue 17; a document without them reads as before.
OPTIONAL_FIELDS = ("other_allergies", "unreviewed_abnormal_labs")
SCALP_FIELDS = ("active_infection", "active_inflammation", "scarring_alopecia")


def _codes(r: Reader, doc: Obj, key: str, allowed: frozenset[FindingCode]) -> frozenset[FindingCode]:
    codes = set()
    for path, item in doc.items(key):
        problem = code_problem(item, allowed) if isinstance(item, str) else "must be a code (text)"
        if problem:
            r.fail(path, problem)
        else:
            codes.add(FindingCode(item))
    return frozenset(codes)


def read(document: Any) -> Intake:
    """The Intake described by ``document``, or InvalidInput naming every bad field."""
    r = Reader()
    doc = r.object(document, "", FIELDS, OPTIONAL_FIELDS)
    intake = None
    if doc:
        scalp = None
        scalp_obj = doc.object("scalp", SCALP_FIELDS)
        if scalp_obj:
            scalp = r.build("scalp", ScalpState, **{name: scalp_obj.bool(name) for name in SCALP_FIELDS})
        pattern = None
        pattern_obj = doc.object("pattern", ("scale", "stage"), nullable=True)
        if pattern_obj:
            scale, stage = pattern_obj.enum("scale", Scale), pattern_obj.str("stage")
            if scale is not None and stage is not None:
                pattern = r.build("pattern", PatternStage, scale, stage)
        allergies = set()
        for path, item in doc.items("allergies"):
            if text(r, path, item) is None:
                continue
            if item not in CATALOGUE and item not in NON_INGREDIENT_ALLERGENS:
                r.fail(path, f"unknown allergy code {item!r}; one of {', '.join([*CATALOGUE, *sorted(NON_INGREDIENT_ALLERGENS)])} "
                             "(write any other allergen in other_allergies)")
            allergies.add(item)
        other = [item for path, item in doc.items("other_allergies") if text(r, path, item) is not None]
        labs = set()
        for path, item in doc.items("unreviewed_abnormal_labs"):
            code = enum(r, path, item, LabTest)
            if code is not None:
                labs.add(code.value)
        intake = r.build(
            "",
            Intake,
            age_years=doc.number("age_years"),
            sex=doc.enum("sex", Sex),
            pregnant=doc.bool("pregnant"),
            breastfeeding=doc.bool("breastfeeding"),
            planning_conception=doc.bool("planning_conception"),
            conditions=_codes(r, doc, "conditions", CONDITION_CODES),
            medications=_codes(r, doc, "medications", MEDICATION_CODES),
            allergies=frozenset(allergies),
            scalp=scalp,
            pattern=pattern,
            diagnosis=doc.enum("diagnosis", Diagnosis),
            other_allergies=tuple(other),
            unreviewed_abnormal_labs=frozenset(labs),
        )
    r.done()
    assert intake is not None
    return intake


def to_dict(result: ScreeningResult) -> dict[str, Any]:
    return {
        "verdict": result.verdict.value,
        "combination_recommended": result.combination_recommended,
        "findings": [
            {"code": f.code.value, "severity": f.severity.value, "message": f.message, "source": f.source}
            for f in result.findings
        ],
    }


def run(document: Any) -> dict[str, Any]:
    return to_dict(screen(read(document), Protocol()))
