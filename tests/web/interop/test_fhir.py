"""FHIR R4B exports: golden files, validation by the fhir.resources models, codes, and the ABDM document.

Regenerate the golden files after a deliberate change of the mapping (then review the diff):

    ANAGEN_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/web/interop/test_fhir.py -q

In that mode the golden tests rewrite tests/web/interop/golden/*.json and fail, so a rewrite can
never pass unnoticed; run them again without the variable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import GOLDEN_NOW, normalise

GOLDEN = Path(__file__).parent / "golden"


def _compare_golden(name: str, bundle: dict[str, Any]) -> None:
    path = GOLDEN / name
    actual = normalise(bundle)
    if os.environ.get("ANAGEN_REGENERATE_GOLDEN"):
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        pytest.fail(f"rewrote {path}; review the diff and run again without ANAGEN_REGENERATE_GOLDEN")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected


def _resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]


def test_the_patient_bundle_matches_its_golden_file(full_record):
    from anagen.interop.fhir import patient_bundle_dict

    _compare_golden("patient_bundle.json", patient_bundle_dict(full_record["patient"], now=GOLDEN_NOW))


def test_the_consultation_document_matches_its_golden_file(full_record):
    from anagen.interop.fhir import consultation_document_dict

    _compare_golden("consultation_document.json", consultation_document_dict(full_record["consultation"], now=GOLDEN_NOW))


def test_every_resource_of_the_bundle_validates_with_the_r4b_models(full_record):
    from fhir.resources.R4B.bundle import Bundle

    from anagen.interop.fhir import patient_bundle_dict, validate_resource

    bundle = patient_bundle_dict(full_record["patient"], now=GOLDEN_NOW)
    Bundle.model_validate(bundle)
    types = set()
    for entry in bundle["entry"]:
        model = validate_resource(entry["resource"])
        assert type(model).__module__.startswith("fhir.resources.R4B.")
        types.add(entry["resource"]["resourceType"])
    assert {"Patient", "Practitioner", "Organization", "Encounter", "Condition", "Observation", "Procedure", "Medication",
            "MedicationAdministration", "CarePlan", "Appointment", "AdverseEvent", "Consent"} <= types


def test_the_patient_carries_the_abha_number_under_the_abdm_system(full_record):
    from anagen.interop.fhir import patient_bundle_dict

    patient = _resources(patient_bundle_dict(full_record["patient"]), "Patient")[0]
    assert {"system": "https://healthid.abdm.gov.in", "value": "91-1234-5678-9012"}.items() <= next(
        i for i in patient["identifier"] if i["system"] == "https://healthid.abdm.gov.in").items()
    assert patient["birthDate"] == "1990-05-17"


def test_labs_carry_loinc_codes_and_ucum_units(full_record):
    from anagen.interop.fhir import patient_bundle_dict

    observations = _resources(patient_bundle_dict(full_record["patient"]), "Observation")
    labs = {o["code"]["coding"][0]["code"]: o for o in observations if o["category"][0]["coding"][0]["code"] == "laboratory"}
    assert labs["2276-4"]["valueQuantity"] == {"value": 22, "unit": "ng/mL", "system": "http://unitsofmeasure.org", "code": "ng/mL"}
    assert labs["62292-8"]["valueQuantity"]["code"] == "nmol/L"
    assert labs["62292-8"]["referenceRange"][0]["low"]["value"] == 75


def test_trichology_measurements_use_the_anagen_code_system_and_the_scalp_site(full_record):
    from anagen.interop.fhir import patient_bundle_dict

    observations = _resources(patient_bundle_dict(full_record["patient"]), "Observation")
    by_code = {o["code"]["coding"][0]["code"]: o for o in observations}
    density = by_code["hair-density"]
    assert density["code"]["coding"][0]["system"] == "https://anagen.example/fhir/CodeSystem/anagen-observations"
    assert density["valueQuantity"] == {"value": 142.5, "unit": "hairs/cm2", "system": "http://unitsofmeasure.org", "code": "/cm2"}
    assert density["bodySite"]["coding"][0]["code"] == "41695006"
    assert by_code["shaft-diameter"]["valueQuantity"]["code"] == "um"
    assert by_code["ludwig-stage"]["valueString"] == "II"
    pull = {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in by_code["pull-test"]["component"]}
    assert pull == {"pull-test-grasped": 50, "pull-test-extracted": 4}


def test_each_session_is_a_procedure_on_the_scalp_with_its_lot_administered(full_record):
    from anagen.interop.fhir import patient_bundle_dict

    bundle = patient_bundle_dict(full_record["patient"])
    procedure = _resources(bundle, "Procedure")[0]
    assert procedure["bodySite"][0]["coding"][0]["code"] == "41695006"
    administration = _resources(bundle, "MedicationAdministration")[0]
    medication_url = administration["medicationReference"]["reference"]
    medication = next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == medication_url)
    assert medication["batch"] == {"lotNumber": "VC-2611", "expirationDate": "2026-06-30"}
    assert administration["dosage"]["dose"]["value"] == 2
    assert administration["partOf"][0]["reference"] == next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is procedure)


def test_every_reference_in_the_bundle_resolves_to_an_entry(full_record):
    from anagen.interop.fhir import consultation_document_dict, patient_bundle_dict

    for bundle in (patient_bundle_dict(full_record["patient"]), consultation_document_dict(full_record["consultation"])):
        urls = {e["fullUrl"] for e in bundle["entry"]}
        text = json.dumps(bundle)
        references = set(__import__("re").findall(r'"reference": "([^"]+)"', text))
        assert references and references <= urls


def test_the_document_bundle_puts_the_composition_first_with_nrces_profiles(full_record):
    from fhir.resources.R4B.bundle import Bundle

    from anagen.interop.fhir import consultation_document_dict

    bundle = consultation_document_dict(full_record["consultation"])
    Bundle.model_validate(bundle)
    assert bundle["type"] == "document"
    assert bundle["meta"]["profile"] == ["https://nrces.in/ndhm/fhir/r4/StructureDefinition/DocumentBundle"]
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert composition["meta"]["profile"] == ["https://nrces.in/ndhm/fhir/r4/StructureDefinition/OPConsultRecord"]
    assert bundle["identifier"]["value"] and bundle["timestamp"]


def test_it_refuses_a_document_for_a_draft_consultation(clinic, trichologist, patient):
    import datetime as dt

    from anagen.consultations.models import Consultation
    from anagen.interop.fhir import NotSigned, consultation_document_dict

    draft = Consultation.objects.create(clinic=clinic, patient=patient, author=trichologist, consulted_on=dt.date(2025, 1, 6))
    with pytest.raises(NotSigned):
        consultation_document_dict(draft)


def test_exporting_twice_names_every_record_the_same_way(full_record):
    from anagen.interop.fhir import patient_bundle_dict

    first, second = (patient_bundle_dict(full_record["patient"], now=GOLDEN_NOW) for _ in range(2))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert first["id"] != second["id"]
