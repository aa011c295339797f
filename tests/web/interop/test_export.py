"""The patient's data export: one ZIP, one JSON file per record type, the FHIR bundle, checksums."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from django.urls import reverse

from .conftest import actor_for


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_export_round_trips_its_checksums(full_record, trichologist):
    from anagen.interop.services import build_export

    archive = _zip(build_export(actor_for(trichologist), full_record["patient"]))
    manifest = json.loads(archive.read("manifest.json"))
    listed = {item["path"] for item in manifest["files"]}
    assert listed == set(archive.namelist()) - {"manifest.json", "SHA256SUMS"}
    for item in manifest["files"]:
        data = archive.read(item["path"])
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert len(data) == item["bytes"]
    sums = archive.read("SHA256SUMS").decode().splitlines()
    assert sorted(sums) == sorted(f"{i['sha256']}  {i['path']}" for i in manifest["files"])


def test_a_changed_file_no_longer_matches_the_manifest(full_record, trichologist):
    from anagen.interop.services import build_export

    archive = _zip(build_export(actor_for(trichologist), full_record["patient"]))
    manifest = {i["path"]: i["sha256"] for i in json.loads(archive.read("manifest.json"))["files"]}
    tampered = archive.read("records/patient.json").replace(b"Asha", b"Usha")
    assert hashlib.sha256(tampered).hexdigest() != manifest["records/patient.json"]


def test_the_export_holds_every_record_type_and_the_fhir_bundle(full_record, trichologist):
    from fhir.resources.R4B.bundle import Bundle

    from anagen.interop.services import build_export

    archive = _zip(build_export(actor_for(trichologist), full_record["patient"]))
    names = set(archive.namelist())
    for record_type in ("patient", "consultations", "measurements", "lab_results", "formulations", "formulation_components", "courses",
                        "appointments", "treatment_sessions", "lot_usages", "adverse_events", "consent_records", "consent_events"):
        assert f"records/{record_type}.json" in names
    assert json.loads(archive.read("records/patient.json"))[0]["abha_number"] == "91123456789012"
    assert json.loads(archive.read("records/lot_usages.json"))[0]["lot_number"] == "VC-2611"
    Bundle.model_validate(json.loads(archive.read("fhir/bundle.json")))


def test_a_drawn_signature_is_exported_as_a_png_file(full_record, trichologist, practitioner):
    import datetime as dt

    from anagen.consents.models import ConsentRecord
    from anagen.interop.services import build_export

    png = b"\x89PNG\r\n\x1a\nfake"
    record = ConsentRecord.objects.create(clinic=full_record["patient"].clinic, patient=full_record["patient"], text=full_record["consent"].text,
                                          purpose="photographs", signed_at=dt.datetime(2025, 1, 7, tzinfo=dt.UTC), method="drawn",
                                          signature_png=png, acknowledged=True, witness=practitioner)
    archive = _zip(build_export(actor_for(trichologist), full_record["patient"]))
    assert archive.read(f"signatures/consent-{record.pk}.png") == png


def test_the_export_view_downloads_a_zip_and_audits_an_export(client, full_record, trichologist):
    from anagen.audit.models import AuditEntry

    patient = full_record["patient"]
    client.force_login(trichologist)
    response = client.get(reverse("interop:patient_export", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert _zip(response.content).testzip() is None
    entry = AuditEntry.objects.filter(action="export", object_type="patient_export").last()
    assert entry.patient_id == patient.pk and entry.user_id == trichologist.pk
    assert entry.changes["sha256"]["new"] == hashlib.sha256(response.content).hexdigest()


def test_photos_and_reports_travel_in_the_export_and_the_fhir_bundle(full_record, trichologist, clinic):
    from django.utils import timezone
    from PIL import Image

    from anagen.consents.services import publish_text, sign_consent
    from anagen.interop.fhir import patient_bundle_dict
    from anagen.interop.services import build_export
    from anagen.outcomes.reports import generate_report
    from anagen.photos.services import UploadedFile, upload_photos

    patient, actor, today = full_record["patient"], actor_for(trichologist), timezone.localdate()
    text = publish_text(actor, clinic, "photographs", "en", "Clinical photographs", "I consent to clinical photographs.")
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=trichologist)
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (150, 110, 90)).save(buffer, "JPEG")
    [photo] = upload_photos(actor, patient, [UploadedFile("vertex.jpg", buffer.tell(), io.BytesIO(buffer.getvalue()))],
                            view_choice="vertex", visit_date=today, today=today, uploaded_by=trichologist)
    report = generate_report(actor, clinic, patient.pk, trichologist, today)
    archive = _zip(build_export(actor, patient))
    names = archive.namelist()
    photo_files = [n for n in names if n.startswith("photos/")]
    report_files = [n for n in names if n.startswith("reports/")]
    assert len(photo_files) == 1 and hashlib.sha256(archive.read(photo_files[0])).hexdigest() == photo.sha256
    assert len(report_files) == 1 and archive.read(report_files[0]).startswith(b"%PDF")
    kinds = {e["resource"]["resourceType"] for e in patient_bundle_dict(patient)["entry"]}
    assert {"Media", "DocumentReference"} <= kinds
    assert report.pk


def test_the_export_holds_what_the_patient_reported_between_visits(full_record, trichologist):
    import datetime as dt

    from django.utils import timezone

    from anagen.interop.services import build_export
    from anagen.outcomes.models import ReportedOutcome, SheddingDiaryEntry

    patient = full_record["patient"]
    SheddingDiaryEntry.objects.create(clinic=patient.clinic, patient=patient, day=dt.date(2026, 11, 2), hairs_shed=64, comb_count=11,
                                      recorded_at=timezone.now())
    ReportedOutcome.objects.create(clinic=patient.clinic, patient=patient, answered_at=timezone.now(), change=1, satisfaction=4)
    archive = _zip(build_export(actor_for(trichologist), patient))
    diary = json.loads(archive.read("records/shedding_diary.json"))
    assert [(d["day"], d["hairs_shed"], d["comb_count"]) for d in diary] == [("2026-11-02", 64, 11)]
    assert [(a["change"], a["satisfaction"]) for a in json.loads(archive.read("records/reported_outcomes.json"))] == [(1, 4)]
