"""The progress report: a real PDF with extractable text (Devanagari too), stored and audited."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from .pdftext import pdf_text


@pytest.fixture
def hindi_patient(clinic, make_patient):
    return make_patient(clinic, given_name="अनन्या", family_name="शर्मा")


def test_the_report_holds_the_name_in_devanagari_and_the_measurements(client, trichologist, hindi_patient, make_programme):
    from anagen.audit.models import AuditEntry
    from anagen.outcomes.models import Report

    make_programme(hindi_patient, gains=(2.0, 6.0))
    client.force_login(trichologist)
    response = client.post(reverse("outcomes:generate_report", args=[hindi_patient.pk]))
    report = Report.objects.get(patient=hindi_patient)
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:download_report", args=[report.pk])
    assert AuditEntry.objects.filter(action="export", object_type="progress_report", object_id=str(report.pk),
                                     patient_id=hindi_patient.pk).exists()
    download = client.get(response["Location"])
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == report.sha256
    assert storages["reports"].exists(report.file_name)
    text = pdf_text(data)
    assert "अनन्या शर्मा" in text
    for value in ("140.0", "142.8", "148.4", "120", "5 of 50"):
        assert value in text
    assert "3 of 8 sessions done" in text or "5 of 8 sessions done" in text
    assert "No photographs were taken." in text
    assert "Aftercare" in text


def test_the_report_page_lists_earlier_reports_and_shares_one(client, trichologist, patient, make_programme):
    from anagen.outcomes.models import Report

    make_programme(patient)
    client.force_login(trichologist)
    client.post(reverse("outcomes:generate_report", args=[patient.pk]))
    report = Report.objects.get(patient=patient)
    body = client.get(reverse("outcomes:progress", args=[patient.pk])).content.decode()
    assert f"Download report {report.pk} (PDF)" in body
    client.post(reverse("outcomes:share_report", args=[report.pk]), {"shared": "1"})
    report.refresh_from_db()
    assert report.shared_with_patient is True


def test_reception_cannot_generate_or_download_a_report(client, receptionist, trichologist, patient, make_programme):
    from anagen.outcomes.models import Report

    make_programme(patient)
    client.force_login(trichologist)
    client.post(reverse("outcomes:generate_report", args=[patient.pk]))
    report = Report.objects.get(patient=patient)
    client.force_login(receptionist)
    assert client.post(reverse("outcomes:generate_report", args=[patient.pk])).status_code == 403
    assert client.get(reverse("outcomes:download_report", args=[report.pk])).status_code == 403


def test_another_clinic_cannot_download_a_report(client, trichologist, other_admin, patient, make_programme):
    from anagen.outcomes.models import Report

    make_programme(patient)
    client.force_login(trichologist)
    client.post(reverse("outcomes:generate_report", args=[patient.pk]))
    report = Report.objects.get(patient=patient)
    client.force_login(other_admin)
    assert client.get(reverse("outcomes:download_report", args=[report.pk])).status_code == 404
    assert client.post(reverse("outcomes:share_report", args=[report.pk]), {"shared": "1"}).status_code == 404


def test_a_patient_without_measurements_still_gets_a_report(client, trichologist, patient):
    client.force_login(trichologist)
    response = client.post(reverse("outcomes:generate_report", args=[patient.pk]))
    data = b"".join(client.get(response["Location"]).streaming_content)
    text = pdf_text(data)
    assert "No course has been planned yet." in text and "No measurements recorded yet." in text


def test_a_failed_audit_leaves_no_report_and_no_file(trichologist, patient, make_programme, monkeypatch, today):
    from tests.web.outcomes.conftest import actor_for

    from anagen.outcomes import reports
    from anagen.outcomes.models import Report

    make_programme(patient)
    saved = []
    real_save = storages["reports"].save

    def save(name, content):
        saved.append(real_save(name, content))
        return saved[-1]

    def broken(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(storages["reports"], "save", save)
    monkeypatch.setattr(reports.audit, "append", broken)
    with pytest.raises(RuntimeError):
        reports.generate_report(actor_for(trichologist), patient.clinic, patient.pk, trichologist, today)
    assert not Report.objects.filter(patient=patient).exists()
    assert saved and not storages["reports"].exists(saved[0])
