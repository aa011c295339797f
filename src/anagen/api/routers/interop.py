"""FHIR and export (clinical roles, clinic admin included, as on the web): the patient's record as a
FHIR R4B Bundle, a signed consultation as an ABDM document, and the full data export ZIP. Each
download is audited as an export."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja import UploadedFile as NinjaUploadedFile

from anagen.api import auth
from anagen.api.common import actor, clinic
from anagen.api.problems import invalid
from anagen.consultations.models import Consultation
from anagen.core.errors import FieldError
from anagen.interop import services
from anagen.interop.registry import MAX_BYTES
from anagen.patients import services as patient_services

router = Router(tags=["FHIR and export"])

FHIR_JSON = "application/fhir+json"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _fhir_doc(description: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": description,
                                  "content": {FHIR_JSON: {"schema": {"type": "object"}}}}}}


@router.get("/patients/{patient_id}/fhir", auth=auth.CLINICAL, summary="The patient's record as a FHIR R4B Bundle",
            response={200: None}, openapi_extra=_fhir_doc("A FHIR R4B collection Bundle (validated by fhir.resources)."))
def patient_bundle(request: HttpRequest, patient_id: int) -> Any:
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), patient_id, audit_read=False)
    bundle = services.patient_bundle(who, clinic(request), patient)
    return _download(json.dumps(bundle, ensure_ascii=False).encode("utf-8"), f"{FHIR_JSON}; charset=utf-8",
                     f"patient-{patient.pk}-fhir.json")


@router.get("/consultations/{consultation_id}/fhir-document", auth=auth.CLINICAL,
            summary="A signed consultation as an ABDM FHIR document", response={200: None},
            openapi_extra=_fhir_doc("A FHIR document Bundle, Composition first."))
def consultation_document(request: HttpRequest, consultation_id: int) -> Any:
    """Only a signed consultation can be shared: a draft gets 409."""
    consultation = Consultation.objects.select_related("patient__clinic", "author", "signed_by").filter(
        pk=consultation_id, clinic=clinic(request)).first()
    if consultation is None:
        from django.http import Http404

        raise Http404
    bundle = services.consultation_document(actor(request), clinic(request), consultation)
    return _download(json.dumps(bundle, ensure_ascii=False).encode("utf-8"), f"{FHIR_JSON}; charset=utf-8",
                     f"consultation-{consultation.pk}-document.json")


@router.get("/patients/{patient_id}/export", auth=auth.CLINICAL, summary="Everything held about the patient (ZIP)",
            response={200: None}, openapi_extra={"responses": {"200": {
                "description": "A ZIP of the patient's record, photographs and documents with a SHA-256 manifest.",
                "content": {"application/zip": {}}}}})
def patient_export(request: HttpRequest, patient_id: int) -> Any:
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), patient_id, audit_read=False)
    data = services.patient_export(who, clinic(request), patient)
    return _download(data, "application/zip", f"patient-{patient.pk}-export.zip")


# ------------------------------------------------------------------------------ registry CSV


class RegistryImportOut(Schema):
    rows: int
    created: int
    patient_ids: list[int]


@router.get("/registry/csv", auth=auth.ADMIN, summary="Export the patient registry (CSV)", response={200: None},
            openapi_extra={"responses": {"200": {"description": "Every patient of the clinic, registry columns only.",
                                                 "content": {"text/csv": {}}}}})
def registry_export(request: HttpRequest) -> Any:
    """Audited as an export naming every patient. Formula-like cells are written safe for spreadsheets."""
    return _download(services.registry_csv(actor(request), clinic(request)), "text/csv; charset=utf-8", "patient-registry.csv")


@router.post("/registry/import", response={201: RegistryImportOut}, auth=auth.ADMIN, summary="Import patients from a registry CSV")
def registry_import(request: HttpRequest, file: File[NinjaUploadedFile]) -> Any:
    """Multipart ``file``: the CSV (columns as the export; docs/fhir.md). All or nothing: every row
    is checked first; any problem gets 422 with one error per bad cell, ``field`` =
    ``rows.<line>.<column>`` (the header is line 1; ``file`` for the whole file), and no patient is
    registered."""
    if (file.size or 0) > MAX_BYTES:
        raise invalid([FieldError("file", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller files.")])
    result = services.import_registry(actor(request), clinic(request), b"".join(file.chunks()))
    if not result.ok:
        raise invalid([FieldError("file" if e.row == 0 else f"rows.{e.row}.{e.column}", e.message) for e in result.errors[:500]],
                      detail=f"Nothing was imported: {len(result.errors)} problem(s) in the file; see errors.")
    return Status(201, {"rows": result.rows, "created": len(result.created), "patient_ids": [p.pk for p in result.created]})
