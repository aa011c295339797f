"""Every patient of the demo clinic exports to a FHIR bundle that the R4B models accept."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_fhir_export_of_every_demo_patient_validates():
    from fhir.resources.R4B.bundle import Bundle

    from anagen.demo.seed import seed_demo
    from anagen.interop.fhir import consultation_document_dict, patient_bundle_dict
    from anagen.patients.models import Patient

    assert seed_demo()
    patients = list(Patient.objects.select_related("clinic").order_by("id"))
    assert len(patients) >= 30
    kinds: set[str] = set()
    documents = 0
    for patient in patients:
        bundle = patient_bundle_dict(patient)
        Bundle.model_validate(bundle)
        kinds |= {e["resource"]["resourceType"] for e in bundle["entry"]}
        for consultation in patient.consultations.filter(status="signed"):
            Bundle.model_validate(consultation_document_dict(consultation))
            documents += 1
    # The demo has patients at every stage, so the exports cover the clinical resources too.
    assert {"Encounter", "Observation", "Procedure", "MedicationAdministration", "CarePlan", "Appointment", "Consent"} <= kinds
    assert documents > 0
