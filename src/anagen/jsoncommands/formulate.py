"""``anagen formulate``: a diagnosis (and optionally the clinician's own components) in, a checked
formulation out (docs/cli.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from anagen.core.formulation import (
    CATALOGUE,
    TEMPLATES,
    Component,
    Formulation,
    FormulationCheck,
    FormulationContext,
    NamedProduct,
    PersonalisedFormulation,
    check_formulation,
    personalise,
    template_for,
)
from anagen.core.labs import Sex
from anagen.core.protocol import Protocol
from anagen.core.screening import CONDITION_CODES, Diagnosis, code_problem
from anagen.jsoncommands._parse import Obj, Reader, json_number, text

REASON_CODES = frozenset({
    "five_ari_telogen_effluvium", "minoxidil_cardiovascular_caution", "five_ari_condition_caution",
})
"""Issues a trichologist may override or acknowledge with a written reason."""

FIELDS = (
    "diagnosis", "allergies", "planning_conception", "trichologist_signoff", "consent_documented", "components",
)
# The patient's context (issue 17); a document without them reads as before.
OPTIONAL_FIELDS = (
    "sex", "pregnant", "breastfeeding", "able_to_become_pregnant", "contraception_documented_on",
    "negative_pregnancy_test_on", "today", "conditions", "trichologist_reasons", "products",
)
COMPONENT_FIELDS = ("ingredient", "volume_ml", "concentration")
PRODUCT_FIELDS = ("name", "ingredients")


def _reasons(r: Reader, doc: Obj) -> dict[str, str]:
    if not doc.has("trichologist_reasons"):
        return {}
    value = doc.data["trichologist_reasons"]
    if not isinstance(value, dict):
        r.fail("trichologist_reasons", "must be a JSON object of issue code: written reason")
        return {}
    reasons = {}
    for code, reason in value.items():
        if code not in REASON_CODES:
            r.fail(f"trichologist_reasons.{code}", f"unknown code; one of {', '.join(sorted(REASON_CODES))}")
        elif text(r, f"trichologist_reasons.{code}", reason) is not None:
            reasons[code] = reason
    return reasons


def _products(r: Reader, doc: Obj) -> list[NamedProduct]:
    products = []
    for index, (path, item) in enumerate(doc.items("products") if doc.has("products") else ()):
        obj = r.object(item, path, PRODUCT_FIELDS)
        if obj is None:
            continue
        name = obj.str("name")
        ingredients = set()
        for ipath, code in obj.items("ingredients"):
            if text(r, ipath, code) is not None and code not in CATALOGUE:
                r.fail(ipath, f"unknown ingredient code {code!r}; one of {', '.join(CATALOGUE)}")
            ingredients.add(code)
        if name is not None:
            products.append(NamedProduct(index, name, frozenset(ingredients)))
    return products


def read(document: Any) -> tuple[Diagnosis, FormulationContext, Formulation | None]:
    """(diagnosis, context, the clinician's formulation or None to start from the template)."""
    diagnosis, context, formulation, _ = read_all(document)
    return diagnosis, context, formulation


def read_all(document: Any) -> tuple[Diagnosis, FormulationContext, Formulation | None, list[NamedProduct]]:
    """``read`` plus the ready-made products the formulation names."""
    r = Reader()
    doc = r.object(document, "", FIELDS, OPTIONAL_FIELDS)
    diagnosis = context = formulation = None
    products: list[NamedProduct] = []
    if doc:
        diagnosis = doc.enum("diagnosis", Diagnosis)
        if diagnosis is not None and diagnosis not in TEMPLATES:
            r.fail("diagnosis", f"no mesotherapy template for {diagnosis}: defer or refer (domain.md §6)")
        allergies = set()
        for path, item in doc.items("allergies"):
            if text(r, path, item) is None:
                continue
            if item not in CATALOGUE:
                r.fail(path, f"unknown ingredient code {item!r}; one of {', '.join(CATALOGUE)}")
            allergies.add(item)
        conditions = set()
        for path, item in doc.items("conditions") if doc.has("conditions") else ():
            problem = code_problem(item, CONDITION_CODES) if isinstance(item, str) else "must be a code (text)"
            if problem:
                r.fail(path, problem)
            else:
                conditions.add(item)
        optional_bool = {name: doc.bool(name) if doc.has(name) else False
                         for name in ("pregnant", "breastfeeding", "able_to_become_pregnant")}
        optional_date = {name: doc.date(name, nullable=True) if doc.has(name) else None
                         for name in ("contraception_documented_on", "negative_pregnancy_test_on")}
        # The core has no clock: the command counts the pregnancy test's age from ``today`` when
        # given, else from this machine's date.
        today = doc.date("today") if doc.has("today") else dt.date.today()
        sex = doc.enum("sex", Sex, nullable=True) if doc.has("sex") else None
        context = r.build(
            "",
            FormulationContext,
            allergies=frozenset(allergies),
            planning_conception=doc.bool("planning_conception"),
            trichologist_signoff=doc.bool("trichologist_signoff"),
            consent_documented=doc.bool("consent_documented"),
            sex=sex.value if sex is not None else None,
            diagnosis=diagnosis.value if diagnosis is not None else None,
            conditions=frozenset(conditions),
            today=today,
            trichologist_reasons=_reasons(r, doc),
            **optional_bool,
            **optional_date,
        )
        products = _products(r, doc)
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
    return diagnosis, context, formulation, products


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
    diagnosis, context, custom, products = read_all(document)
    protocol = Protocol()
    if custom is None:
        source = "template"
        personalised = personalise(template_for(diagnosis), context.allergies, context.planning_conception)
    else:
        # The clinician's own components are checked, never silently changed.
        source = "custom"
        personalised = PersonalisedFormulation(custom, ())
    check = check_formulation(personalised.formulation, context, protocol, products=products)
    return to_dict(source, personalised, check, protocol)
