"""The interop router (FHIR bundles and documents, the full export, the registry CSV): each
operation works, refuses bad input naming the field, refuses conflicts with 409, and leaves the
audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import io
import zipfile

import pytest

from anagen.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


HEADER = "given_name,family_name,date_of_birth,sex,phone,email,abha_number\n"


def _upload(api, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post("/api/v1/registry/import", {"file": SimpleUploadedFile("r.csv", text.encode(), "text/csv")},
                           HTTP_AUTHORIZATION=f"Bearer {api.token}")


def test_the_registry_exports_and_imports_all_or_nothing(world, api_as):
    from anagen.patients.models import Patient

    api = api_as(world["staff"]["clinic_admin"])
    exported = api("get", "/registry/csv")
    assert exported.status_code == 200 and world["patient"].mrn in exported.content.decode()
    assert AuditEntry.objects.filter(object_type="patient_registry", action="export").exists()
    before = Patient.objects.count()
    bad = _upload(api, HEADER + "Priya,Sharma,1988-02-03,F,9820011111,,\n,Iyer,2090-01-01,x,9820033333,,\n")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert {"rows.3.given_name", "rows.3.date_of_birth", "rows.3.sex"} <= {e["field"] for e in bad.json()["errors"]}
    assert Patient.objects.count() == before
    good = _upload(api, HEADER + "Priya,Sharma,1988-02-03,F,9820011111,,\nRahul,Nair,14/08/1975,male,+919820022222,,\n")
    assert good.status_code == 201 and good.json()["created"] == 2
    assert Patient.objects.count() == before + 2


def test_fhir_bundle_document_and_export_are_downloads_audited_as_exports(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    patient = world["patient"]
    bundle = api("get", f"/patients/{patient.pk}/fhir")
    assert bundle.status_code == 200 and bundle["Content-Type"].startswith("application/fhir+json")
    assert bundle.data["resourceType"] == "Bundle"
    document = api("get", f"/consultations/{world['consultation'].pk}/fhir-document")
    assert document.status_code == 200 and document.data["type"] == "document"
    export = api("get", f"/patients/{patient.pk}/export")
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    exported = set(AuditEntry.objects.filter(action="export", patient_id=patient.pk).values_list("object_type", flat=True))
    assert {"fhir_bundle", "fhir_document", "patient_export"} <= exported


def test_a_draft_consultation_is_not_a_fhir_document(world, api_as):
    draft = api_as(world["staff"]["trichologist"])("post", "/consultations", {"patient_id": world["patient"].pk})
    response = api_as(world["staff"]["trichologist"])("get", f"/consultations/{draft.data['id']}/fhir-document")
    assert response.status_code == 409 and response.data["type"].endswith("not-signed")
