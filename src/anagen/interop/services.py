"""Interoperability use cases: FHIR bundles, calendar feeds, the patient's data export and the
registry CSV. Each takes (actor, clinic, object), returns dicts or bytes, checks that the object
belongs to the clinic (another clinic's record is a 404) and writes the audit trail.

The REST API (anagen.api) calls these same functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from anagen.accounts.models import Clinic, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.consultations.models import Consultation
from anagen.core.errors import NotFound
from anagen.interop import calendar, export, fhir, registry
from anagen.interop.fhir import FhirValidationError, NotSigned  # noqa: F401 - re-exported for callers
from anagen.interop.models import FeedKind, FeedToken
from anagen.interop.registry import RowError
from anagen.patients.models import Patient
from anagen.patients.services import DuplicateAbhaNumber, register_patient
from anagen.scheduling.models import Appointment, Status

# Calendar feeds show this window around today (clinic-local dates).
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365


def _in_clinic(clinic: Clinic | None, obj: Any) -> None:
    if clinic is None or obj is None or obj.clinic_id != clinic.pk:
        raise NotFound


# ----------------------------------------------------------------------------------- FHIR


def patient_bundle(actor: Actor, clinic: Clinic | None, patient: Patient) -> dict[str, Any]:
    """The patient's whole record as a FHIR R4B collection Bundle (a JSON-ready dict); audited as an export."""
    _in_clinic(clinic, patient)
    bundle = fhir.patient_bundle_dict(patient)
    audit.append(actor, Action.EXPORT, object_type="fhir_bundle", object_id=patient.pk, patient_id=patient.pk,
                 changes={"resources": {"old": None, "new": str(len(bundle.get("entry", [])))}})
    return bundle


def consultation_document(actor: Actor, clinic: Clinic | None, consultation: Consultation) -> dict[str, Any]:
    """A signed consultation as an ABDM document Bundle (Composition first). NotSigned for drafts."""
    _in_clinic(clinic, consultation)
    bundle = fhir.consultation_document_dict(consultation)
    audit.append(actor, Action.EXPORT, object_type="fhir_document", object_id=consultation.pk, patient_id=consultation.patient_id)
    return bundle


# ----------------------------------------------------------------------------- patient export


def build_export(actor: Actor, patient: Patient) -> bytes:
    """One ZIP of everything the clinic holds about the patient, with a SHA-256 manifest; audited."""
    data, manifest = export.build_zip(patient, timezone.now())
    audit.append(actor, Action.EXPORT, object_type="patient_export", object_id=patient.pk, patient_id=patient.pk,
                 changes={"files": {"old": None, "new": str(len(manifest["files"]))},
                          "sha256": {"old": None, "new": export.sha256(data)}})
    return data


def patient_export(actor: Actor, clinic: Clinic | None, patient: Patient) -> bytes:
    _in_clinic(clinic, patient)
    return build_export(actor, patient)


# ---------------------------------------------------------------------------------- calendars


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed(actor: Actor, clinic: Clinic | None, *, practitioner: User | None = None, patient: Patient | None = None,
                created_by: User | None = None) -> tuple[FeedToken, str]:
    """A new secret feed URL token for one practitioner's or one patient's appointments.

    Returns the row and the token; only the token's hash is stored, so it is shown once.
    """
    if (practitioner is None) == (patient is None):
        raise ValueError("a feed is for exactly one practitioner or one patient")
    subject = practitioner if practitioner is not None else patient
    _in_clinic(clinic, subject)
    token = secrets.token_urlsafe(32)
    kind = FeedKind.PRACTITIONER if practitioner is not None else FeedKind.PATIENT
    with transaction.atomic():
        feed = FeedToken.objects.create(clinic=clinic, kind=kind, practitioner=practitioner, patient=patient,
                                        token_sha256=_token_hash(token), created_by=created_by)
        audit.append(actor, Action.CREATE, object_type="calendar_feed", object_id=feed.pk,
                     patient_id=patient.pk if patient else None,
                     changes=audit.snapshot_created({"kind": kind, "practitioner_id": practitioner.pk if practitioner else None}))
    return feed, token


def get_feed(clinic: Clinic | None, feed_id: int) -> FeedToken:
    if clinic is None:
        raise NotFound
    try:
        return FeedToken.objects.select_related("patient", "practitioner").get(pk=feed_id, clinic=clinic)
    except FeedToken.DoesNotExist as exc:
        raise NotFound from exc


def revoke_feed(actor: Actor, clinic: Clinic | None, feed: FeedToken, *, revoked_by: User | None = None) -> FeedToken:
    """Revoke a feed: its URL answers 404 from now on. Revoking twice changes nothing."""
    _in_clinic(clinic, feed)
    with transaction.atomic():
        current = FeedToken.objects.select_for_update().get(pk=feed.pk)
        if current.revoked_at is not None:
            return current
        current.revoked_at = timezone.now()
        current.revoked_by = revoked_by
        current.save(update_fields=["revoked_at", "revoked_by"])
        audit.append(actor, Action.UPDATE, object_type="calendar_feed", object_id=current.pk, patient_id=current.patient_id,
                     changes={"revoked_at": {"old": None, "new": current.revoked_at.isoformat()}})
    return current


def feeds(clinic: Clinic, *, practitioner: User | None = None, patient: Patient | None = None) -> QuerySet[FeedToken]:
    qs = FeedToken.objects.filter(clinic=clinic).select_related("practitioner", "patient", "created_by")
    if practitioner is not None:
        qs = qs.filter(practitioner=practitioner)
    if patient is not None:
        qs = qs.filter(patient=patient)
    return qs


def _feed_appointments(feed: FeedToken, today: dt.date) -> list[Appointment]:
    start = dt.datetime.combine(today - dt.timedelta(days=FEED_DAYS_BACK), dt.time(0, 0), tzinfo=calendar.clinic_zone(feed.clinic))
    end = dt.datetime.combine(today + dt.timedelta(days=FEED_DAYS_AHEAD), dt.time(0, 0), tzinfo=calendar.clinic_zone(feed.clinic))
    qs = Appointment.objects.filter(clinic=feed.clinic, starts_at__gte=start, starts_at__lt=end).exclude(status=Status.NO_SHOW)
    if feed.kind == FeedKind.PATIENT:
        qs = qs.filter(patient=feed.patient)
    else:
        qs = qs.filter(practitioner=feed.practitioner)
    return list(qs.select_related("patient", "room").order_by("starts_at", "id"))


def calendar_feed(token: str, *, ip_address: str | None = None, today: dt.date | None = None) -> bytes:
    """The iCalendar feed a token grants; NotFound for an unknown or revoked token. Audited as a read."""
    if not token or len(token) > 100:
        raise NotFound
    feed = FeedToken.objects.select_related("clinic", "patient", "practitioner").filter(
        token_sha256=_token_hash(token), revoked_at__isnull=True).first()
    if feed is None:
        raise NotFound
    if feed.kind == FeedKind.PRACTITIONER and not (feed.practitioner.is_active and feed.practitioner.clinic_id == feed.clinic_id):
        raise NotFound
    appointments = _feed_appointments(feed, today or timezone.localdate())
    actor = Actor(user_id=None, username=f"calendar-feed-{feed.pk}", clinic_id=feed.clinic_id, ip_address=ip_address)
    if feed.kind == FeedKind.PATIENT:
        audit.append(actor, Action.READ, object_type="calendar_feed", object_id=feed.pk, patient_id=feed.patient_id,
                     changes={"appointment_ids": [a.pk for a in appointments]})
        return calendar.patient_feed(feed.clinic, appointments)
    audit.append(actor, Action.READ, object_type="calendar_feed", object_id=feed.pk, patient_id=None,
                 changes={"patient_ids": sorted({a.patient_id for a in appointments})})
    return calendar.practitioner_feed(feed.clinic, appointments)


def appointment_ics(actor: Actor, clinic: Clinic | None, appointment: Appointment) -> bytes:
    """One appointment as an .ics attachment (patient-safe wording); audited as a read."""
    _in_clinic(clinic, appointment)
    audit.record_read(actor, "appointment_ics", appointment.pk, appointment.patient_id)
    return calendar.appointment_invitation(appointment)


# --------------------------------------------------------------------------------- registry CSV


def registry_csv(actor: Actor, clinic: Clinic) -> bytes:
    """Every patient of the clinic, registry columns only; audited as an export naming them."""
    patients = list(Patient.objects.filter(clinic=clinic).order_by("mrn"))
    data = registry.export_csv(patients)
    # Every patient in the file, in batches, each indexed so they see the export in their portal.
    audit.record_bulk_read(actor, "patient_registry", clinic.pk, [p.pk for p in patients], action=Action.EXPORT)
    return data


@dataclass
class ImportResult:
    created: list[Patient] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        self.error = error


def import_registry(actor: Actor, clinic: Clinic, data: bytes, *, today: dt.date | None = None) -> ImportResult:
    """Validate every row first; then register all patients in one transaction, or none."""
    parsed = registry.parse_import(clinic, data, today or timezone.localdate())
    if parsed.errors:
        return ImportResult(errors=sorted(parsed.errors), rows=len(parsed.rows))
    created: list[Patient] = []
    try:
        with transaction.atomic():
            for line, values in parsed.rows:
                try:
                    created.append(register_patient(actor, clinic, values, confirm_duplicate=True))
                except DuplicateAbhaNumber as exc:
                    raise _RowFailed(RowError(line, "abha_number", exc.message)) from exc
            audit.append(actor, Action.CREATE, object_type="patient_import", object_id=clinic.pk, patient_id=None,
                         changes={"patient_ids": [p.pk for p in created]})
    except _RowFailed as failed:
        return ImportResult(errors=[failed.error], rows=len(parsed.rows))
    return ImportResult(created=created, rows=len(parsed.rows))
