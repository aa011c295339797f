"""Patients (all staff, like the registry pages) and their consents (read)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import ModelSchema, Query, Router, Schema, Status
from pydantic import Field

from anagen.api import auth
from anagen.api.common import ModelOut, actor, clinic, if_match, page_of, set_etag
from anagen.api.problems import Problem, form_errors, invalid, stale
from anagen.consents import services as consents
from anagen.core.errors import FieldError
from anagen.patients import services
from anagen.patients.forms import PatientForm, PatientSearchForm
from anagen.patients.models import DEMOGRAPHIC_FIELDS

router = Router(tags=["patients"])

Sex = Literal["female", "male", "other"]


class PatientOut(ModelSchema, ModelOut):
    id: int

    class Meta:
        model = "patients.Patient"
        fields = ["id", "mrn", "given_name", "family_name", "name_devanagari", "date_of_birth", "sex", "phone", "email", "address", "emergency_contact_name", "emergency_contact_phone", "abha_number", "abha_address", "created_at", "updated_at", "version"]


class PatientIn(Schema):
    given_name: str
    family_name: str = ""
    name_devanagari: str = ""
    date_of_birth: dt.date
    sex: Sex
    phone: str
    email: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    abha_number: str = ""
    abha_address: str = ""
    confirm_duplicate: bool = False


class PatientPatch(Schema):
    given_name: str | None = None
    family_name: str | None = None
    name_devanagari: str | None = None
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None
    abha_number: str | None = None
    abha_address: str | None = None


def _form_data(values: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def _duplicate(exc: services.DuplicateSuspected) -> Problem:
    return Problem(409, "A patient with this phone number and date of birth already exists. Send confirm_duplicate: true "
                   "if this is a different person.", kind="duplicate-suspected",
                   errors=[FieldError("confirm_duplicate", "Confirm that this is a different person.")],
                   extra={"candidate_ids": [p.pk for p in exc.candidates]})


def _search(request: HttpRequest, q: str, page: int, page_size: int) -> dict[str, Any]:
    form = PatientSearchForm({"q": q})
    if not form.is_valid():
        raise invalid(form_errors(form))
    found = services.list_patients(actor(request), clinic(request), form.cleaned_data["q"], page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.get("/patients", response=page_of(PatientOut), auth=auth.ANY_STAFF, summary="List and search patients (deprecated: use POST /patients/search)",
            deprecated=True)
def list_patients(request: HttpRequest, q: str = "", page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Patients of your clinic by name, ordered by family name, given name and id. ``q`` searches a
    name, a phone number (any format) or a record number. Every listed patient is audited.

    Deprecated for searching: ``q`` travels in the URL, where proxies, logs and browser histories
    keep names and phone numbers. Send the search in the body of ``POST /patients/search``."""
    return _search(request, q, page, page_size)


class PatientSearchIn(Schema):
    q: str = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


@router.post("/patients/search", response=page_of(PatientOut), auth=auth.ANY_STAFF, summary="Search patients")
def search_patients(request: HttpRequest, payload: PatientSearchIn) -> Any:
    """As ``GET /patients``, with the search words in the body so they stay out of URLs and logs:
    ``q`` searches a name, a phone number (any format) or a record number. Every listed patient is audited."""
    return _search(request, payload.q, payload.page, payload.page_size)


@router.post("/patients", response={201: PatientOut}, auth=auth.ANY_STAFF, summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientIn, response: HttpResponse) -> Any:
    values = payload.model_dump()
    form = PatientForm(_form_data(values))
    if not form.is_valid():
        raise invalid(form_errors(form))
    try:
        patient = services.register_patient(actor(request), clinic(request), form.registry_values(),
                                            confirm_duplicate=values["confirm_duplicate"])
    except services.DuplicateSuspected as exc:
        raise _duplicate(exc) from exc
    set_etag(response, patient.version)
    response["Location"] = f"{request.path.rstrip('/')}/{patient.pk}"
    return Status(201, patient)


@router.get("/patients/{patient_id}", response=PatientOut, auth=auth.ANY_STAFF, summary="Read a patient")
def get_patient(request: HttpRequest, patient_id: int, response: HttpResponse) -> Any:
    """The ETag header carries the record's version: send it back in If-Match to update."""
    patient = services.get_patient(actor(request), clinic(request), patient_id)
    set_etag(response, patient.version)
    return patient


@router.patch("/patients/{patient_id}", response=PatientOut, auth=auth.ANY_STAFF, summary="Update a patient's demographics")
def update_patient(request: HttpRequest, patient_id: int, payload: PatientPatch, response: HttpResponse) -> Any:
    """Only the fields sent change. Needs ``If-Match`` with the ETag of your last read: a stale
    write (someone saved in between) is refused with 409."""
    who = actor(request)
    expected = if_match(request)
    patient = services.get_patient(who, clinic(request), patient_id, audit_read=False)
    if expected is not None and patient.version != expected:
        raise stale()
    values = {field: getattr(patient, field) for field in DEMOGRAPHIC_FIELDS}
    values.update(payload.model_dump(exclude_unset=True))
    form = PatientForm(_form_data(values), instance=patient)
    if not form.is_valid():
        raise invalid(form_errors(form))
    updated = services.update_patient(who, patient, form.registry_values(), expected_version=expected)
    set_etag(response, updated.version)
    return updated


class ConsentRecordOut(ModelSchema, ModelOut):
    id: int
    text_id: int
    text_version: int
    language: str
    witness_id: int
    withdrawn_at: dt.datetime | None
    has_drawn_signature: bool

    class Meta:
        model = "consents.ConsentRecord"
        fields = ["id", "purpose", "signed_at", "method", "typed_name"]


class ConsentStatusOut(Schema):
    purpose: str
    state: Literal["granted", "withdrawn", "reconsent_required", "none"]
    valid: bool
    record_id: int | None


class PatientConsentsOut(Schema):
    patient_id: int
    statuses: list[ConsentStatusOut]
    records: list[ConsentRecordOut]


def consent_record_out(record: Any) -> dict[str, Any]:
    withdrawn = [e.at for e in record.events.all() if e.kind == "withdrawn"]
    return {
        "id": record.pk, "purpose": record.purpose, "text_id": record.text_id, "text_version": record.text.version,
        "language": record.text.language, "signed_at": record.signed_at, "method": record.method,
        "typed_name": record.typed_name, "witness_id": record.witness_id,
        "withdrawn_at": withdrawn[-1] if withdrawn else None, "has_drawn_signature": bool(record.signature_png),
    }


@router.get("/patients/{patient_id}/consents", response=PatientConsentsOut, auth=auth.ANY_STAFF, tags=["consents"],
            summary="A patient's consents: status per purpose and every record")
def patient_consents(request: HttpRequest, patient_id: int) -> Any:
    who = actor(request)
    patient = services.get_patient(who, clinic(request), patient_id, audit_read=False)
    statuses = consents.read_consents(who, patient)
    return {
        "patient_id": patient.pk,
        "statuses": [{"purpose": p, "state": s.state, "valid": s.is_valid, "record_id": s.record.pk if s.record else None}
                     for p, s in statuses.items()],
        "records": [consent_record_out(r) for r in consents.patient_records(patient)],
    }


@router.get("/consents/{record_id}", response=ConsentRecordOut, auth=auth.ANY_STAFF, tags=["consents"],
            summary="Read one consent record")
def consent_record(request: HttpRequest, record_id: int) -> Any:
    record = consents.get_record(actor(request), clinic(request), record_id)
    return consent_record_out(record)
