"""Erasure requests and record retention (DPDP Act 2023 §12; medical-record retention rules).

What an erasure does (``perform_erasure``, one transaction, with a report of exactly what was done):

- **Anonymised at once** (not needed for the medical record): given name becomes
  "Erased patient", family name the record number (so the record reads "Erased patient
  LOT-000042"); phone, email, address, emergency contact, ABHA number and ABHA address are
  cleared. The **date of birth is kept as its year only** (stored as 1 January of that year): age
  matters clinically (dosing, the response to treatment, paediatric rules) and for the retention
  period of a minor's record, the exact day does not. Sex is kept (clinical).
- **Every consent still in force is withdrawn** (a withdrawal event on the ledger, reason naming
  the erasure request). Marketing use of photographs stops at once. The signed consent records
  themselves are kept: they prove what the patient agreed to and when.
- **Kept under retention**: the clinical record (consultations, measurements, labs, sessions,
  product lots given, adverse events, clinical photographs, invoices) until ``retain_until``:
  ``settings.ANAGEN_RECORD_RETENTION_YEARS`` years after the last visit (``privacy.retention``).
- **Never erased**: the audit trail, which is the proof of what happened (including this erasure).
  The erasure's own audit entries name fields, never the erased values.

After the retention period ``purge_expired`` (command ``anagen manage purge_expired_records``,
dry-run unless ``--apply``) removes the photograph files of erased patients and marks the request
purged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.consents import services as consents
from anagen.consents.models import Purpose
from anagen.core.errors import Duplicate, NotFound, Refused
from anagen.patients.models import Patient
from anagen.patients.services import record_list_read
from anagen.photos.models import Photo
from anagen.photos.services import photo_storage
from anagen.portal.models import PatientAccount
from anagen.privacy.models import ErasureRequest, ErasureStatus
from anagen.privacy.retention import retention_ends
from anagen.reminders.models import OutboxMessage, OutboxStatus, ReminderOptIn

ERASED_GIVEN_NAME = "Erased patient"
CLEARED_FIELDS = (
    "phone", "email", "address", "emergency_contact_name", "emergency_contact_phone", "abha_number", "abha_address",
)
# Dates that mark a visit: the latest one starts the retention period.
VISIT_DATE_FIELDS = (
    ("consultations", "Consultation", "consulted_on"),
    ("procedures", "TreatmentSession", "performed_on"),
    ("photos", "Photo", "visit_date"),
)


class ErasureError(Refused):
    """An erasure request that cannot be recorded or carried out; ``field`` names the input at fault."""


# --- requests -------------------------------------------------------------------------------


def request_erasure(actor: Actor, patient: Patient, requested_by: User, reason: str) -> ErasureRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ErasureError(gettext("Write down the request (who asked, how, and when): it is part of the record."), "reason")
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=patient.pk)
        if ErasureRequest.objects.filter(patient=patient).exists():
            raise ErasureError(gettext("An erasure request for this patient already exists."), kind=Duplicate.kind)
        request = ErasureRequest.objects.create(
            clinic_id=patient.clinic_id, patient=patient, requested_by=requested_by, requested_at=timezone.now(), reason=reason
        )
        audit.append(
            actor, Action.CREATE, object_type="erasure_request", object_id=request.pk, patient_id=patient.pk,
            changes=audit.snapshot_created({"status": request.status, "reason": reason}),
        )
    return request


def get_request(actor: Actor, clinic: Clinic | None, request_id: int) -> ErasureRequest:
    """A request of the actor's clinic (else 404); the read is audited."""
    if clinic is None:
        raise NotFound
    try:
        request = ErasureRequest.objects.select_related("patient", "requested_by", "performed_by").get(pk=request_id, clinic=clinic)
    except ErasureRequest.DoesNotExist as exc:
        raise NotFound from exc
    audit.record_read(actor, "erasure_request", request.pk, request.patient_id)
    return request


def requests_of(clinic: Clinic) -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.filter(clinic=clinic).select_related("patient", "requested_by")


def list_requests(actor: Actor, clinic: Clinic, *, page: int = 1, page_size: int = 25) -> Page[ErasureRequest]:
    """Newest first, in one audit entry naming the patients listed."""
    found = page_of_query(requests_of(clinic).order_by("-requested_at", "-id"), page, page_size)
    record_list_read(actor, list({e.patient_id: e.patient for e in found.items}.values()))
    return found


def last_visit(patient: Patient) -> dt.date | None:
    from django.apps import apps

    dates = []
    for app_label, model_name, field in VISIT_DATE_FIELDS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        latest = model.objects.filter(patient=patient).aggregate(m=models.Max(field))["m"]
        if latest is not None:
            dates.append(latest)
    return max(dates) if dates else None


def kept_records(patient: Patient) -> dict[str, int]:
    """How many rows of each kind still point at the patient (the clinical record kept)."""
    counts: dict[str, int] = {}
    for relation in Patient._meta.related_objects:
        model = relation.related_model
        if model is ErasureRequest or relation.many_to_many:
            continue
        count = model._default_manager.filter(**{relation.field.name: patient}).count()
        if count:
            counts[f"{model._meta.app_label}.{model._meta.model_name}"] = count
    return dict(sorted(counts.items()))


# --- erasure --------------------------------------------------------------------------------


def perform_erasure(actor: Actor, request: ErasureRequest, today: dt.date) -> ErasureRequest:
    """Anonymise, withdraw consents, keep the clinical record under retention; one transaction."""
    years = settings.ANAGEN_RECORD_RETENTION_YEARS
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ErasureStatus.REQUESTED:
            raise ErasureError(gettext("This erasure request has already been carried out."))
        patient = Patient.objects.select_for_update().get(pk=request.patient_id)

        visit = last_visit(patient)
        retain_until = retention_ends(last_visit=visit, date_of_birth=patient.date_of_birth, years=years, today=today)

        withdrawn = []
        for purpose, status in consents.consent_status(patient).items():
            if status.record is not None and status.state in (consents.State.GRANTED, consents.State.RECONSENT_REQUIRED):
                consents.withdraw_consent(actor, status.record, f"Erasure request {request.pk}")
                withdrawn.append({"purpose": purpose, "record_id": status.record.pk, "text_version": status.record.text.version})

        anonymised = {
            "given_name": ERASED_GIVEN_NAME,
            "family_name": patient.mrn,
            "date_of_birth": dt.date(patient.date_of_birth.year, 1, 1),
            **{field: "" for field in CLEARED_FIELDS},
        }
        changed = [f for f, v in anonymised.items() if getattr(patient, f) != v]
        for field, value in anonymised.items():
            setattr(patient, field, value)
        patient.version += 1
        patient.save()
        # Field names only: the audit trail is kept for ever and must not keep the erased values.
        audit.append(
            actor, Action.UPDATE, object_type="patient", object_id=patient.pk, patient_id=patient.pk,
            changes={f: {"old": "(erased)", "new": str(anonymised[f])} for f in changed},
        )

        elsewhere = _erase_elsewhere(actor, patient)

        report: dict[str, Any] = {
            "anonymised_fields": changed,
            **elsewhere,
            "name_now": f"{ERASED_GIVEN_NAME} {patient.mrn}",
            "date_of_birth": f"kept as the year only ({patient.date_of_birth.year}): age is part of the clinical record",
            "kept_fields": ["record number", "sex", "birth year"],
            "consents_withdrawn": withdrawn,
            "consent_records": "kept as proof of what was agreed and withdrawn (ledger)",
            "marketing_use_of_photos": "none from now on (marketing consent withdrawn)",
            "kept_under_retention": kept_records(patient),
            "clinical_photographs": "kept: part of the medical record until the retention date, then purged",
            "retention_years": years,
            "retention_rule": "Indian Medical Council Regulations 2002 §1.3.1, counted from the last visit (ANAGEN_RECORD_RETENTION_YEARS)",
            "last_visit": visit.isoformat() if visit else None,
            "retain_until": retain_until.isoformat(),
            "audit_trail": "kept unchanged: it is the proof of what was done",
        }
        request.status = ErasureStatus.PERFORMED
        request.performed_at = timezone.now()
        request.performed_by_id = actor.user_id
        request.retain_until = retain_until
        request.report = report
        request.save()
        audit.append(
            actor, Action.UPDATE, object_type="erasure_request", object_id=request.pk, patient_id=patient.pk,
            changes={
                "status": {"old": ErasureStatus.REQUESTED.value, "new": ErasureStatus.PERFORMED.value},
                "retain_until": {"old": None, "new": retain_until.isoformat()},
            },
        )
    return request


def _erase_elsewhere(actor: Actor, patient: Patient) -> dict[str, Any]:
    """What other apps hold about the person: portal sign-in closed and its account details
    cleared, reminders stopped (opt-ins ended, unsent messages cancelled). Invoices are kept:
    GST law requires accounts and records for six years (CGST Act 2017 §36; Rule 56)."""
    report: dict[str, Any] = {}
    account = PatientAccount.objects.select_related("user").filter(patient=patient).first()
    if account is not None:
        user = account.user
        user.is_active = False
        user.email = ""
        user.first_name = ""
        user.last_name = ""
        user.set_unusable_password()
        user.save(update_fields=["is_active", "email", "first_name", "last_name", "password"])
        audit.append(actor, Action.UPDATE, object_type="portal_account", object_id=account.pk, patient_id=patient.pk,
                     changes={"access": {"old": "open", "new": "closed by erasure"}})
        report["patient_portal"] = "sign-in closed; the account's name and email cleared"
    now = timezone.now()
    ended = ReminderOptIn.objects.filter(patient=patient, opted_out_at__isnull=True).update(opted_out_at=now)
    cancelled = OutboxMessage.objects.filter(
        patient=patient, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED]
    ).update(status=OutboxStatus.CANCELLED, last_error="cancelled by an erasure request")
    report["reminders"] = f"{ended} channel opt-in(s) ended, {cancelled} unsent message(s) cancelled"
    report["invoices"] = "kept: GST law requires tax invoices for six years (CGST Act 2017 §36, Rules 2017 rule 56)"
    return report


# --- after the retention period -------------------------------------------------------------


@dataclass(frozen=True)
class PurgeItem:
    request_id: int
    patient_id: int
    mrn: str
    retain_until: dt.date
    photo_files: int


def expired(today: dt.date) -> list[ErasureRequest]:
    """Performed erasures whose retention period is over (``retain_until`` on or before today)."""
    return list(
        ErasureRequest.objects.filter(status=ErasureStatus.PERFORMED, retain_until__lte=today)
        .select_related("patient")
        .order_by("retain_until", "id")
    )


def purge_expired(actor: Actor, today: dt.date, *, apply: bool = False) -> list[PurgeItem]:
    """List (and with ``apply`` remove) what may go after the retention period: photograph files.

    Rows stay: they are already anonymised and other records refer to them.
    """
    items = []
    for request in expired(today):
        photos = list(Photo.objects.filter(patient_id=request.patient_id))
        items.append(PurgeItem(request.pk, request.patient_id, request.patient.mrn, request.retain_until, len(photos)))  # type: ignore[arg-type]
        if not apply:
            continue
        storage = photo_storage()
        with transaction.atomic():
            locked = ErasureRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status != ErasureStatus.PERFORMED:
                continue
            removed = 0
            for photo in photos:
                for name in (photo.file_name, photo.thumbnail_name):
                    if name and storage.exists(name):
                        storage.delete(name)
                        removed += 1
            locked.status = ErasureStatus.PURGED
            locked.purged_at = timezone.now()
            locked.report = {**locked.report, "purge": {"on": today.isoformat(), "photo_files_removed": removed}}
            locked.save()
            audit.append(
                actor, Action.DELETE, object_type="erasure_request", object_id=locked.pk, patient_id=locked.patient_id,
                changes={"status": {"old": ErasureStatus.PERFORMED.value, "new": ErasureStatus.PURGED.value},
                         "photo_files_removed": {"old": None, "new": removed}},
                patient_clinic_id=request.patient.clinic_id,
            )
    return items


# --- marketing use of photographs -----------------------------------------------------------


def marketing_photos(clinic: Clinic) -> QuerySet[Photo]:
    """Photographs that may be used in marketing now: only patients with valid marketing consent.

    Read from the consent ledger on every call, so a withdrawal hides the photos at once.
    """
    allowed = consents.patients_allowing(clinic, Purpose.MARKETING_PHOTOGRAPHS)
    return Photo.objects.filter(clinic=clinic, patient_id__in=allowed).exclude(
        patient__erasure_requests__status__in=[ErasureStatus.PERFORMED, ErasureStatus.PURGED]
    )
