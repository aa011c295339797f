"""The patient's whole record as one ZIP (the DPDP Act's right of access).

Layout (docs/fhir.md, "Patient data export"):
  README.txt                     what is where
  records/<type>.json            every record of one type, one JSON array per type
  fhir/bundle.json               the same record as a FHIR R4B collection Bundle
  signatures/consent-<id>.png    drawn consent signatures
  photos/..., reports/...        image and PDF files, when those apps have records
  manifest.json                  every other file with its size and SHA-256
  SHA256SUMS                     the same checksums in ``sha256sum -c`` format
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from anagen.consents.models import ConsentEvent, ConsentRecord, ConsentText
from anagen.consultations.models import (
    Addendum,
    Consultation,
    LabResult,
    MeasurementSet,
    ScreeningAcknowledgement,
    ScreeningDeferral,
)
from anagen.interop.fhir import optional_records, patient_bundle_dict
from anagen.patients.models import Patient
from anagen.procedures.models import LotUsage, SessionAddendum, TreatmentSession
from anagen.safety.models import AdverseEvent, FollowUpTask
from anagen.scheduling.models import Appointment
from anagen.treatments.models import Course, CourseCombination, Formulation, FormulationComponent

FORMAT = "anagen-patient-export/1"

README = """Anagen patient data export ({format})

records/*.json   every record of the patient, one file per record type (JSON arrays; ids are the
                 clinic system's own; dates are clinic-local, timestamps carry their UTC offset)
fhir/bundle.json the same record as a FHIR R4B Bundle (type collection)
signatures/      drawn consent signatures (PNG)
photos/, reports/  photographs and PDF reports, when the clinic keeps them in Anagen
manifest.json    every file above with its size and SHA-256 checksum
SHA256SUMS       the same checksums; check them with: sha256sum -c SHA256SUMS
"""


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def row(obj: models.Model, **extra: Any) -> dict[str, Any]:
    data = {f.attname: _value(getattr(obj, f.attname)) for f in obj._meta.concrete_fields if not isinstance(f, models.BinaryField)}
    data.update(extra)
    return data


def _rows(objects: Iterable[models.Model]) -> list[dict[str, Any]]:
    return [row(obj) for obj in objects]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8") + b"\n"


def collect_files(patient: Patient, now: dt.datetime) -> dict[str, bytes]:
    """Every file of the export but the manifest and checksums, path -> bytes."""
    p = patient
    files: dict[str, bytes] = {"README.txt": README.format(format=FORMAT).encode("utf-8")}
    consultations = Consultation.objects.filter(patient=p).order_by("consulted_on", "id")
    sessions = TreatmentSession.objects.filter(patient=p).order_by("performed_on", "id")
    formulations = Formulation.objects.filter(patient=p).order_by("created_at", "id")
    courses = Course.objects.filter(patient=p).order_by("start_date", "id")
    consent_records = ConsentRecord.objects.filter(patient=p).order_by("signed_at", "id")
    usages = LotUsage.objects.filter(session__patient=p).select_related("lot__product").order_by("session_id", "id")
    events = AdverseEvent.objects.filter(patient=p).order_by("onset_date", "id")

    records: dict[str, Any] = {
        "patient": [row(p)],
        "consultations": _rows(consultations),
        "measurements": _rows(MeasurementSet.all_objects.filter(patient=p).order_by("measured_on", "id")),
        "lab_results": _rows(LabResult.objects.filter(patient=p).order_by("collected_on", "id")),
        "screening_acknowledgements": _rows(ScreeningAcknowledgement.objects.filter(consultation__patient=p).order_by("at", "id")),
        "screening_deferrals": _rows(ScreeningDeferral.objects.filter(consultation__patient=p).order_by("at", "id")),
        "consultation_addenda": _rows(Addendum.objects.filter(consultation__patient=p).order_by("created_at", "id")),
        "formulations": _rows(formulations),
        "formulation_components": _rows(FormulationComponent.objects.filter(formulation__patient=p).order_by("formulation_id", "position")),
        "courses": _rows(courses),
        "course_combinations": _rows(CourseCombination.objects.filter(course__patient=p).order_by("course_id", "id")),
        "appointments": _rows(Appointment.objects.filter(patient=p).order_by("starts_at", "id")),
        "treatment_sessions": _rows(sessions),
        "lot_usages": [row(u, lot_number=u.lot.lot_number, product=u.lot.product.name, expiry_date=u.lot.expiry_date.isoformat())
                       for u in usages],
        "session_addenda": _rows(SessionAddendum.objects.filter(session__patient=p).order_by("created_at", "id")),
        "follow_ups": _rows(FollowUpTask.objects.filter(patient=p).order_by("due_from", "id")),
        "adverse_events": [row(e, lot_ids=sorted(e.lots.values_list("id", flat=True))) for e in events],
        "consent_texts": _rows(ConsentText.objects.filter(records__patient=p).distinct().order_by("id")),
        "consent_events": _rows(ConsentEvent.objects.filter(record__patient=p).order_by("at", "id")),
    }
    consents = []
    for record in consent_records:
        extra: dict[str, Any] = {}
        if record.signature_png:
            path = f"signatures/consent-{record.pk}.png"
            files[path] = bytes(record.signature_png)
            extra["signature_file"] = path
        consents.append(row(record, **extra))
    records["consent_records"] = consents

    # Photos and reports live in their storage aliases under the data folder (or object storage).
    from django.core.files.storage import storages

    for app_label, model_name, folder in (("photos", "Photo", "photos"), ("outcomes", "Report", "reports")):
        found = optional_records(app_label, model_name, p)
        if not found:
            continue
        storage = storages[folder]
        listed = []
        for obj in found:
            extra: dict[str, Any] = {}
            name = getattr(obj, "file_name", "")
            if name:
                path = f"{folder}/{obj.pk}-{name.rsplit('/', 1)[-1]}"
                try:
                    with storage.open(name, "rb") as handle:
                        files[path] = handle.read()
                except (OSError, ValueError):
                    extra["missing_files"] = [name]
                else:
                    extra["files"] = [path]
            listed.append(row(obj, **extra))
        records[folder] = listed

    # What the patient reported between visits (outcomes, a sibling app: looked up by name).
    records["shedding_diary"] = _rows(optional_records("outcomes", "SheddingDiaryEntry", p))
    records["reported_outcomes"] = _rows(optional_records("outcomes", "ReportedOutcome", p))

    for name, value in records.items():
        files[f"records/{name}.json"] = _json(value)
    files["fhir/bundle.json"] = _json(patient_bundle_dict(p, now=now))
    return files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_zip(patient: Patient, now: dt.datetime) -> tuple[bytes, dict[str, Any]]:
    files = collect_files(patient, now)
    manifest = {
        "format": FORMAT,
        "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "clinic": patient.clinic.name,
        "patient_id": patient.pk,
        "record_number": patient.mrn,
        "files": [{"path": path, "bytes": len(data), "sha256": sha256(data)} for path, data in sorted(files.items())],
    }
    files["manifest.json"] = _json(manifest)
    files["SHA256SUMS"] = "".join(f"{item['sha256']}  {item['path']}\n" for item in manifest["files"]).encode("utf-8")
    stamp = timezone.localtime(now).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in ["README.txt", "manifest.json", "SHA256SUMS", *sorted(k for k in files if k not in {"README.txt", "manifest.json", "SHA256SUMS"})]:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    return buffer.getvalue(), manifest
