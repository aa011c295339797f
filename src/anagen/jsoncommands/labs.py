"""``anagen labs``: blood results in, exact conversions and flags out (docs/cli.md)."""

from __future__ import annotations

from typing import Any

from anagen.core.labs import (
    UNIT_FACTORS,
    LabInterpretation,
    LabResult,
    LabTest,
    Sex,
    convert,
    interpret_labs,
)
from anagen.core.protocol import Protocol
from anagen.jsoncommands._parse import Reader, json_number

FIELDS = ("sex", "results")
OPTIONAL_FIELDS = ("postmenopausal",)  # issue 17: iron-deficiency anaemia in a post-menopausal woman
RESULT_FIELDS = ("test", "value", "unit", "reference_low", "reference_high")
# Output rounding only; the core keeps exact fractions.
OUTPUT_PLACES = 3


def read(document: Any) -> tuple[Sex, list[LabResult]]:
    sex, results, _ = read_all(document)
    return sex, results


def read_all(document: Any) -> tuple[Sex, list[LabResult], bool]:
    r = Reader()
    doc = r.object(document, "", FIELDS, OPTIONAL_FIELDS)
    sex, results, postmenopausal = None, [], False
    if doc:
        sex = doc.enum("sex", Sex)
        if doc.has("postmenopausal"):
            postmenopausal = bool(doc.bool("postmenopausal"))
            if postmenopausal and sex is Sex.MALE:
                r.fail("postmenopausal", "cannot be true for sex male")
        items = list(doc.items("results"))
        if "results" in doc.data and isinstance(doc.data["results"], list) and not items:
            r.fail("results", "give at least one result")
        for path, item in items:
            obj = r.object(item, path, RESULT_FIELDS)
            if obj is None:
                continue
            result = r.build(
                path,
                LabResult,
                test=obj.enum("test", LabTest),
                value=obj.number("value"),
                unit=obj.str("unit"),
                reference_low=obj.number("reference_low", nullable=True),
                reference_high=obj.number("reference_high", nullable=True),
            )
            if result is not None:
                results.append(result)
    r.done()
    assert sex is not None
    return sex, results, postmenopausal


def to_dict(i: LabInterpretation) -> dict[str, Any]:
    return {
        "test": i.test.value,
        "value": json_number(i.value),
        "unit": i.unit,
        "canonical_value": json_number(i.canonical_value, OUTPUT_PLACES),
        "canonical_unit": i.canonical_unit,
        "flag": i.flag.value,
        "message": i.message,
        "source": i.source,
        "evidence_note": i.evidence_note,
        "lab_range": i.lab_range,
        "abnormal": i.abnormal,
        "severity": i.severity,
        "referral": i.referral,
        "referral_source": i.referral_source,
        "conversions": {
            unit: json_number(convert(i.value, i.test, i.unit, unit), OUTPUT_PLACES) for unit in UNIT_FACTORS[i.test]
        },
    }


def run(document: Any) -> dict[str, Any]:
    sex, results, postmenopausal = read_all(document)
    protocol = Protocol()
    return {"results": [to_dict(i) for i in interpret_labs(results, sex, protocol, postmenopausal=postmenopausal)]}
