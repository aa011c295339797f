from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.consents.models import ConsentEvent
from anagen.consents.services import has_valid_consent
from anagen.outcomes.models import Report
from anagen.portal import services
from anagen.portal.models import ChangeRequest, ExportRequest

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_appointments_and_consents_and_audits_the_read_as_the_patient(client, patient, patient_user, book, consent):
    appointment = book(patient)
    consent(patient)
    client.force_login(patient_user)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Review" in content
    assert f"Hello, {patient.given_name}" in content
    assert reverse("portal:request_change", args=[appointment.pk]) in content
    assert "Use of photographs in marketing" in content
    assert "Withdraw consent for use of photographs in marketing" in content
    assert AuditEntry.objects.filter(object_type="portal_home", action="read", patient_id=patient.pk, user_id=patient_user.pk).exists()


def test_the_home_page_hides_past_and_cancelled_appointments(client, patient, patient_user, book, actor):
    from anagen.scheduling.services import cancel_appointment

    cancelled = book(patient, days=3)
    cancel_appointment(actor, cancelled, "Patient travelling")
    client.force_login(patient_user)
    assert reverse("portal:request_change", args=[cancelled.pk]) not in client.get(reverse("portal:home")).content.decode()


def test_the_aftercare_sheet_of_a_session_is_shown_without_clinical_notes(client, patient, recorded_session, enrol):
    user = enrol(patient)
    client.force_login(user)
    content = client.get(reverse("portal:home")).content.decode()
    assert "After your scalp mesotherapy session" in content
    assert "Do not wash your hair for one day." in content
    assert "VC-2611" not in content  # lot numbers, volumes and injection maps stay with the staff
    assert "Thinning" not in content


def test_withdrawing_a_consent_from_the_portal_records_an_event(client, patient, patient_user, consent):
    record = consent(patient, "marketing_photographs")
    assert has_valid_consent(patient, "marketing_photographs")
    client.force_login(patient_user)
    page = client.get(reverse("portal:withdraw_consent", args=[record.pk]))
    assert page.status_code == 200
    response = client.post(reverse("portal:withdraw_consent", args=[record.pk]), {"reason": "I do not want my photos used in adverts."})
    assert response.status_code == 302
    event = ConsentEvent.objects.get(record=record, kind="withdrawn")
    assert event.by_id == patient_user.pk
    assert event.reason == "I do not want my photos used in adverts."
    assert has_valid_consent(patient, "marketing_photographs") is False
    assert AuditEntry.objects.filter(object_type="consent", action="update", object_id=str(record.pk), user_id=patient_user.pk).exists()
    assert "Withdrawn" in client.get(reverse("portal:home")).content.decode()


def test_a_withdrawal_needs_a_reason_and_cannot_happen_twice(client, patient, patient_user, consent):
    record = consent(patient)
    client.force_login(patient_user)
    empty = client.post(reverse("portal:withdraw_consent", args=[record.pk]), {"reason": "  "})
    assert empty.status_code == 400
    assert empty.context["form"].errors["reason"]
    assert not ConsentEvent.objects.filter(record=record, kind="withdrawn").exists()
    client.post(reverse("portal:withdraw_consent", args=[record.pk]), {"reason": "No longer"})
    again = client.post(reverse("portal:withdraw_consent", args=[record.pk]), {"reason": "Again"})
    assert again.status_code == 400
    assert "already been withdrawn" in again.context["form"].errors["reason"][0]
    assert ConsentEvent.objects.filter(record=record, kind="withdrawn").count() == 1


def test_the_access_log_shows_staff_reads_of_the_record(client, patient, patient_user, trichologist, receptionist):
    staff = client.__class__()
    staff.force_login(trichologist)
    assert staff.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    staff.force_login(receptionist)
    staff.get(reverse("patients:detail", args=[patient.pk]))
    client.force_login(patient_user)
    client.get(reverse("portal:home"))
    response = client.get(reverse("portal:access_log"))
    assert response.status_code == 200
    rows = response.context["rows"]
    opened = [(r.who, r.role) for r in rows if r.action == "opened" and r.what == "your record"]
    # Staff by name and role, never by their sign-in name (issue 20).
    assert (trichologist.get_full_name(), "Trichologist") in opened
    assert all(who != trichologist.username for who, _ in opened)
    assert (receptionist.get_full_name(), "Reception") in opened
    assert any(r.who == "You" and r.what == "your portal page" for r in rows)
    content = response.content.decode()
    entry = AuditEntry.objects.filter(patient_id=patient.pk).last()
    assert entry.entry_hash not in content and entry.prev_hash not in content
    assert AuditEntry.objects.filter(object_type="portal_access_log", user_id=patient_user.pk).exists()


def test_the_access_log_lists_only_this_patients_entries(client, patient, patient_user, other_patient, trichologist):
    staff = client.__class__()
    staff.force_login(trichologist)
    staff.get(reverse("patients:detail", args=[other_patient.pk]))
    client.force_login(patient_user)
    rows = client.get(reverse("portal:access_log")).context["rows"]
    assert not any(r.who == trichologist.username for r in rows)


def test_a_change_request_is_visible_to_staff_and_can_be_marked_handled(client, patient, patient_user, book, receptionist):
    appointment = book(patient)
    client.force_login(patient_user)
    response = client.post(reverse("portal:request_change", args=[appointment.pk]), {"message": "Could we make it Saturday morning?"})
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.appointment_id == appointment.pk
    assert "the clinic will call you" in client.get(reverse("portal:home")).content.decode()
    staff = client.__class__()
    staff.force_login(receptionist)
    listing = staff.get(reverse("portal:requests")).content.decode()
    assert "Could we make it Saturday morning?" in listing
    assert "Could we make it Saturday morning?" in staff.get(reverse("patients:data", args=[patient.pk])).content.decode()
    assert staff.post(reverse("portal:handle_change", args=[change.pk])).status_code == 302
    change.refresh_from_db()
    assert change.handled_by_id == receptionist.pk and change.handled_at is not None
    assert "Saturday" not in staff.get(reverse("portal:requests")).content.decode()


def test_a_change_request_needs_a_message(client, patient, patient_user, book):
    appointment = book(patient)
    client.force_login(patient_user)
    response = client.post(reverse("portal:request_change", args=[appointment.pk]), {"message": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["message"]
    assert not ChangeRequest.objects.exists()


def test_another_clinic_cannot_handle_a_change_request(client, patient, patient_user, book, other_admin):
    appointment = book(patient)
    change = services.request_change(services.Actor.system("t", patient.clinic_id), patient, appointment.pk, "Later please")
    client.force_login(other_admin)
    assert client.post(reverse("portal:handle_change", args=[change.pk])).status_code == 404
    assert "Later please" not in client.get(reverse("portal:requests")).content.decode()


def test_a_shared_report_is_listed_and_its_download_audited_as_an_export(client, patient, patient_user, trichologist):
    name = storages["reports"].save("portal-test/report.pdf", ContentFile(b"%PDF-1.4 test"))
    report = Report.objects.create(clinic_id=patient.clinic_id, patient=patient, created_by=trichologist, file_name=name,
                                   size_bytes=13, sha256="0" * 64, shared_with_patient=True)
    try:
        client.force_login(patient_user)
        assert reverse("portal:report_download", args=[report.pk]) in client.get(reverse("portal:home")).content.decode()
        response = client.get(reverse("portal:report_download", args=[report.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
        assert AuditEntry.objects.filter(action="export", object_type="progress_report", user_id=patient_user.pk).exists()
    finally:
        storages["reports"].delete(name)


def test_a_data_export_is_requested_fulfilled_and_downloaded(client, patient, patient_user, trichologist, monkeypatch):
    client.force_login(patient_user)
    assert client.post(reverse("portal:my_data")).status_code == 302
    client.post(reverse("portal:my_data"))  # asking twice keeps one open request
    export = ExportRequest.objects.get()
    assert "Your request is with the clinic" in client.get(reverse("portal:my_data")).content.decode()

    built = []
    monkeypatch.setattr(services, "export_builder", lambda: (lambda actor, p: built.append(p.pk) or b"PK-zip-bytes"))
    staff = client.__class__()
    staff.force_login(trichologist)
    assert patient.full_name in staff.get(reverse("portal:requests")).content.decode()
    assert staff.post(reverse("portal:fulfil_export", args=[export.pk]), {"note": ""}).status_code == 302
    export.refresh_from_db()
    assert built == [patient.pk]
    assert export.fulfilled_at is not None and export.file_name
    try:
        response = client.get(reverse("portal:export_download", args=[export.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"PK-zip-bytes"
        assert AuditEntry.objects.filter(action="export", object_type="portal_export_request", user_id=patient_user.pk).exists()
    finally:
        storages["default"].delete(export.file_name)


def test_without_the_export_service_staff_record_how_the_copy_was_given(client, patient, patient_user, trichologist, receptionist, monkeypatch):
    monkeypatch.setattr(services, "export_builder", lambda: None)
    export = services.request_export(services.Actor.system("t", patient.clinic_id), patient)
    staff = client.__class__()
    staff.force_login(receptionist)
    assert staff.post(reverse("portal:fulfil_export", args=[export.pk]), {"note": "Printed"}).status_code == 403
    staff.force_login(trichologist)
    refused = staff.post(reverse("portal:fulfil_export", args=[export.pk]), {"note": ""}, follow=True)
    assert "say how the copy was given" in refused.content.decode()
    export.refresh_from_db()
    assert export.fulfilled_at is None
    staff.post(reverse("portal:fulfil_export", args=[export.pk]), {"note": "Printed copy handed over at the desk"})
    export.refresh_from_db()
    assert export.fulfilled_at is not None and not export.file_name
    client.force_login(patient_user)
    assert "Printed copy handed over at the desk" in client.get(reverse("portal:my_data")).content.decode()
    assert client.get(reverse("portal:export_download", args=[export.pk])).status_code == 404


def test_the_interop_export_service_builds_the_zip_the_patient_downloads(client, patient, patient_user, trichologist):
    import io
    import zipfile

    assert services.export_builder() is not None
    export = services.request_export(services.Actor.system("t", patient.clinic_id), patient)
    staff = client.__class__()
    staff.force_login(trichologist)
    staff.post(reverse("portal:fulfil_export", args=[export.pk]), {"note": ""})
    export.refresh_from_db()
    try:
        assert export.file_name and export.sha256
        client.force_login(patient_user)
        assert reverse("portal:export_download", args=[export.pk]) in client.get(reverse("portal:my_data")).content.decode()
        data = b"".join(client.get(reverse("portal:export_download", args=[export.pk])).streaming_content)
        assert zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert AuditEntry.objects.filter(action="export", object_type="patient_export", user_id=trichologist.pk, patient_id=patient.pk).exists()
    finally:
        storages["default"].delete(export.file_name)


def test_a_marathi_reader_reads_the_aftercare_sheet_in_marathi_whatever_was_printed(client, patient, recorded_session, enrol):
    patient.preferred_language = "mr"
    patient.save()
    client.force_login(enrol(patient))
    content = client.get(reverse("portal:home")).content.decode()
    assert "टाळूच्या मेसोथेरपी सत्रानंतर" in content and "एक दिवस केस धुऊ नका." in content
    assert "After your scalp mesotherapy session" not in content
