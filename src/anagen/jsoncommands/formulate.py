"""``anagen formulate``: a diagnosis (and optionally the clinician's own components) in, a checked
formulation out (docs/cli.md)."""

from __future__ import annotations

from typing import Any

from anagen.core.formulation import (
    CATALOGUE,
    TEMPLATES,
    Component,
    Formulation,
    FormulationCheck,
    FormulationContext,
    PersonalisedFormulation,
    check_formulation,
    personalise,
    template_for,
)
from anagen.core.protocol import Protocol
from anagen.core.screening import Diagnosis
from anagen.jsoncommands._parse import Reader, json_number, text

FIELDS = (
    "diagnosis", "allergies", "planning_conception", "trichologist_signoff", "consent_documented", "components",
)
COMPONENT_FIELDS = ("ingredient", "volume_ml", "concentration")


def read(document: Any) -> tuple[Diagnosis, FormulationContext, Formulation | None]:
    """(diagnosis, context, the clinician's formulation or None to start from the template)."""
    r = Reader()
    doc = r.object(document, "", FIELDS)
    diagnosis = context = formulation = None
    if doc:
        diagnosis = doc.enum("diagnosis", Diagnosis)
        if diagnosis is not None and diagnosis not in TEMPLATES:
            r.fail("diagnosis", f"no mesotherapy for {diagnosis}: refer to a dermatologist (domain.md §6)")
        allergies = set()
        for path, item in doc.items("allergies"):
            if text(r, path, item) is None:
                continue
            if item not in CATALOGUE:
                r.fail(path, f"unknown ingredient code {item!r}; one of {', '.join(CATALOGUE)}")
            allergies.add(item)
        context = r.build(
            "",
            FormulationContext,
            allergies=frozenset(allergies),
            planning_conception=doc.bool("planning_conception"),
            trichologist_signoff=doc.bool("trichologist_signoff"),
            consent_documented=doc.bool("consent_documented"),
        )
        if "components" in doc.data and doc.data["components"] is not None:
            components = []
            for path, item in doc.items("components"):
                obj = r.object(item, path, COMPONENT_FIELDS)
                if obj is None:
                    continue
                ingredient = obj.str("ingredient")
                if ingredient is not None and ingredient not in CATALOGUE:
                    r.fail(obj.at("ingredient"), f"unknown ingredient code {ingredient!r}; one of {', '.join(CATALOGUE)}")
                component = r.build(
                    path, Component, ingredient, obj.number("volume_ml"), obj.number("concentration")
                )
                if component is not None:
                    components.append(component)
            formulation = r.build("", Formulation, tuple(components))
    r.done()
    assert diagnosis is not None and context is not None
    return diagnosis, context, formulation


def to_dict(
    source: str, personalised: PersonalisedFormulation, check: FormulationCheck, protocol: Protocol
) -> dict[str, Any]:
    components = []
    for c in personalised.formulation.components:
        ingredient = CATALOGUE[c.ingredient]
        components.append({
            "ingredient": c.ingredient,
            "name": ingredient.name,
            "volume_ml": json_number(c.volume_ml),
            "concentration": json_number(c.concentration),
            "concentration_unit": ingredient.concentration_unit,
            "prescription_drug": ingredient.prescription_drug,
            "evidence": ingredient.evidence,
        })
    return {
        "source": source,
        "components": components,
        "removed": [{"ingredient": r.ingredient, "reason": r.reason} for r in personalised.removed],
        "total_volume_ml": json_number(check.total_volume_ml),
        "max_session_volume_ml": json_number(protocol.max_session_volume_ml),
        "ok": check.ok,
        "issues": [
            {"code": i.code, "severity": i.severity.value, "field": i.field, "message": i.message, "source": i.source}
            for i in check.issues
        ],
    }


def run(document: Any) -> dict[str, Any]:
    diagnosis, context, custom = read(document)
    protocol = Protocol()
    if custom is None:
        source = "template"
        personalised = personalise(template_for(diagnosis), context.allergies, context.planning_conception)
    else:
        # The clinician's own components are checked, never silently changed.
        source = "custom"
        personalised = PersonalisedFormulation(custom, ())
    check = check_formulation(personalised.formulation, context, protocol)
    return to_dict(source, personalised, check, protocol)
