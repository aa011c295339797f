"""Erasure requests: anonymise what may go, withdraw consents, keep the clinical record under retention."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor, verify_chain
from anagen.consents.services import has_valid_consent, ledger
from anagen.patients.models import Patient
from anagen.photos.models import Photo
from anagen.photos.services import photo_storage
from anagen.privacy import services
from anagen.privacy.models import ErasureRequest, ErasureStatus
from anagen.privacy.retention import add_years

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def full_patient(clinic, make_patient):
    return make_patient(
        clinic, given_name="Meera", family_name="Joshi", date_of_birth=dt.date(1988, 9, 23), phone="+919820055555",
        email="meera@example.in", address="12 Marine Drive, Mumbai", emergency_contact_name="Anil Joshi",
        emergency_contact_phone="+919820066666", abha_number="12345678901234", abha_address="meera@abdm",
    )


def _request(patient, admin):
    return services.request_erasure(Actor.system("test", patient.clinic_id), patient, admin, "Asked in person on 18 Nov")


def test_erasure_anonymises_demographics_and_keeps_only_the_birth_year(full_patient, admin_user):
    request = services.perform_erasure(Actor.system("test", admin_user.clinic_id), _request(full_patient, admin_user), TODAY)
    p = Patient.objects.get(pk=full_patient.pk)
    assert p.full_name == f"Erased patient {p.mrn}"
    assert (p.phone, p.email, p.address, p.emergency_contact_name, p.emergency_contact_phone, p.abha_number, p.abha_address) == ("",) * 7
    assert p.date_of_birth == dt.date(1988, 1, 1)
    assert p.sex == full_patient.sex and p.mrn == full_patient.mrn
    assert request.status == ErasureStatus.PERFORMED
    assert set(request.report["anonymised_fields"]) >= {"given_name", "family_name", "phone", "email", "abha_number", "date_of_birth"}


def test_erasure_withdraws_every_consent_in_force_as_ledger_events(full_patient, admin_user, consent_texts, sign, practitioner):
    for purpose in ("treatment", "photographs", "marketing_photographs", "reminders"):
        sign(full_patient, purpose, practitioner)
    request = services.perform_erasure(Actor.system("test", admin_user.clinic_id), _request(full_patient, admin_user), TODAY)
    for purpose in ("treatment", "photographs", "marketing_photographs", "reminders", "abdm_sharing"):
        assert not has_valid_consent(full_patient, purpose)
    withdrawals = [e for e in ledger(full_patient) if e.kind == "withdrawn"]
    assert len(withdrawals) == 4
    assert all(e.reason == f"Erasure request {request.pk}" for e in withdrawals)
    assert sorted(c["purpose"] for c in request.report["consents_withdrawn"]) == ["marketing_photographs", "photographs", "reminders", "treatment"]


def test_erasure_keeps_the_clinical_record_and_counts_retention_from_the_last_visit(full_patient, admin_user, practitioner, make_photo, consent_texts, sign, settings):
    settings.ANAGEN_RECORD_RETENTION_YEARS = 3
    sign(full_patient, "marketing_photographs", practitioner)
    make_photo(full_patient, practitioner, dt.date(2025, 6, 1))
    make_photo(full_patient, practitioner, dt.date(2026, 2, 14))
    request = services.perform_erasure(Actor.system("test", admin_user.clinic_id), _request(full_patient, admin_user), TODAY)
    assert Photo.objects.filter(patient=full_patient).count() == 2
    assert request.retain_until == dt.date(2029, 2, 14)
    assert request.report["last_visit"] == "2026-02-14"
    assert request.report["kept_under_retention"]["photos.photo"] == 2
    assert request.report["retention_years"] == 3
    assert services.marketing_photos(full_patient.clinic).count() == 0


def test_the_audit_trail_keeps_the_proof_but_not_the_erased_values(full_patient, admin_user):
    before = AuditEntry.objects.count()
    services.perform_erasure(Actor.system("test", admin_user.clinic_id), _request(full_patient, admin_user), TODAY)
    new_entries = AuditEntry.objects.order_by("seq")[before:]
    text = json.dumps([e.changes for e in new_entries])
    for value in ("Meera", "Joshi", "9820055555", "meera@example.in", "Marine Drive", "12345678901234", "1988-09-23"):
        assert value not in text
    erased = AuditEntry.objects.get(object_type="patient", patient_id=full_patient.pk, action="update")
    assert erased.changes["phone"] == {"old": "(erased)", "new": ""}
    assert AuditEntry.objects.filter(object_type="erasure_request", action="update").exists()
    assert verify_chain().ok


def test_an_erasure_is_all_or_nothing(full_patient, admin_user, consent_texts, sign, practitioner, monkeypatch):
    sign(full_patient, "treatment", practitioner)
    request = _request(full_patient, admin_user)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "kept_records", broken)
    with pytest.raises(RuntimeError):
        services.perform_erasure(Actor.system("test", admin_user.clinic_id), request, TODAY)
    p = Patient.objects.get(pk=full_patient.pk)
    assert p.given_name == "Meera" and p.phone == "+919820055555"
    assert has_valid_consent(p, "treatment")
    assert ErasureRequest.objects.get(pk=request.pk).status == ErasureStatus.REQUESTED


def test_it_refuses_to_carry_out_an_erasure_twice(full_patient, admin_user):
    request = _request(full_patient, admin_user)
    services.perform_erasure(Actor.system("test", admin_user.clinic_id), request, TODAY)
    with pytest.raises(services.ErasureError, match="already"):
        services.perform_erasure(Actor.system("test", admin_user.clinic_id), request, TODAY)


def test_it_refuses_a_request_without_the_patients_words(full_patient, admin_user):
    with pytest.raises(services.ErasureError) as exc:
        services.request_erasure(Actor.system("test", full_patient.clinic_id), full_patient, admin_user, "  ")
    assert exc.value.field == "reason"
    assert not ErasureRequest.objects.exists()


# --- pages (clinic admin only) -------------------------------------------------------------------


def test_a_clinic_admin_records_and_carries_out_an_erasure_in_the_browser_pages(client, admin_user, full_patient, privacy_urls):
    client.force_login(admin_user)
    response = client.post(reverse("privacy:erasure_new", args=[full_patient.pk]), {"reason": "Email of 18 Nov"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get()
    detail = reverse("privacy:erasure_detail", args=[request.pk])
    assert response["Location"] == detail
    response = client.post(detail, {"confirm_mrn": "wrong"})
    assert response.status_code == 400
    assert "Type the record number exactly" in response.content.decode()
    assert Patient.objects.get(pk=full_patient.pk).given_name == "Meera"
    response = client.post(detail, {"confirm_mrn": full_patient.mrn})
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "What was done" in page and "Erased patient" in page
    assert client.get(reverse("privacy:erasure_list")).status_code == 200
    assert AuditEntry.objects.filter(object_type="erasure_request", action="read", object_id=str(request.pk)).exists()


def test_only_a_clinic_admin_may_see_or_make_erasure_requests(client, trichologist, receptionist, full_patient, admin_user, privacy_urls):
    request = _request(full_patient, admin_user)
    for user in (trichologist, receptionist):
        client.force_login(user)
        assert client.get(reverse("privacy:erasure_list")).status_code == 403
        assert client.post(reverse("privacy:erasure_detail", args=[request.pk]), {"confirm_mrn": full_patient.mrn}).status_code == 403
        assert client.post(reverse("privacy:erasure_new", args=[full_patient.pk]), {"reason": "x"}).status_code == 403
    assert ErasureRequest.objects.get().status == ErasureStatus.REQUESTED


def test_another_clinics_erasure_request_does_not_exist(client, other_admin, full_patient, admin_user, privacy_urls):
    request = _request(full_patient, admin_user)
    client.force_login(other_admin)
    assert client.get(reverse("privacy:erasure_detail", args=[request.pk])).status_code == 404
    assert client.get(reverse("privacy:erasure_new", args=[full_patient.pk])).status_code == 404


# --- after the retention period -----------------------------------------------------------------


def _erased_with_photo(patient, admin, practitioner, make_photo, visit):
    photo = make_photo(patient, practitioner, visit)
    request = services.perform_erasure(Actor.system("test", admin.clinic_id), _request(patient, admin), TODAY)
    return request, photo


def test_purge_is_a_dry_run_by_default_and_lists_only_expired_records(full_patient, admin_user, practitioner, make_photo, settings):
    settings.ANAGEN_RECORD_RETENTION_YEARS = 3
    request, photo = _erased_with_photo(full_patient, admin_user, practitioner, make_photo, dt.date(2026, 1, 10))
    out = io.StringIO()
    call_command("purge_expired_records", "--today", "2029-01-09", stdout=out)
    assert "nothing to purge" in out.getvalue()
    out = io.StringIO()
    call_command("purge_expired_records", "--today", "2029-01-10", stdout=out)
    assert f"would purge erasure request {request.pk}" in out.getvalue()
    assert "dry run" in out.getvalue()
    assert photo_storage().exists(photo.file_name)
    assert ErasureRequest.objects.get(pk=request.pk).status == ErasureStatus.PERFORMED


def test_purge_with_apply_removes_the_photo_files_and_records_it(full_patient, admin_user, practitioner, make_photo):
    request, photo = _erased_with_photo(full_patient, admin_user, practitioner, make_photo, dt.date(2020, 1, 10))
    out = io.StringIO()
    call_command("purge_expired_records", "--apply", "--today", TODAY.isoformat(), stdout=out)
    assert f"purged erasure request {request.pk}" in out.getvalue()
    storage = photo_storage()
    assert not storage.exists(photo.file_name) and not storage.exists(photo.thumbnail_name)
    request.refresh_from_db()
    assert request.status == ErasureStatus.PURGED
    assert request.report["purge"]["photo_files_removed"] == 2
    assert AuditEntry.objects.filter(object_type="erasure_request", action="delete", object_id=str(request.pk)).exists()


def test_purge_never_touches_patients_who_did_not_ask_for_erasure(clinic, make_patient, practitioner, make_photo):
    photo = make_photo(make_patient(clinic), practitioner, dt.date(2015, 1, 1))
    call_command("purge_expired_records", "--apply", stdout=io.StringIO())
    assert photo_storage().exists(photo.file_name)


def test_purge_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today"):
        call_command("purge_expired_records", "--today", "yesterday")


def test_erasure_uses_the_clinic_local_date_by_default(client, admin_user, full_patient, privacy_urls):
    request = _request(full_patient, admin_user)
    client.force_login(admin_user)
    client.post(reverse("privacy:erasure_detail", args=[request.pk]), {"confirm_mrn": full_patient.mrn})
    request.refresh_from_db()
    assert request.retain_until == add_years(timezone.localdate(), 3)


def test_erasure_closes_portal_access_and_stops_reminders_but_keeps_invoices(full_patient, admin_user, clinic):
    from anagen.accounts.models import Role, User
    from anagen.portal.models import PatientAccount
    from anagen.reminders.models import OutboxMessage, ReminderOptIn

    user = User.objects.create_user("meera.joshi", password="a long portal password", clinic=clinic, role=Role.PATIENT,
                                    email="meera@example.in", first_name="Meera")
    PatientAccount.objects.create(user=user, patient=full_patient, invited_by=admin_user, invited_at=timezone.now(), activated_at=timezone.now())
    ReminderOptIn.objects.create(clinic=clinic, patient=full_patient, channel="sms", opted_in_at=timezone.now())
    now = timezone.now()
    pending = OutboxMessage.objects.create(
        clinic=clinic, patient=full_patient, kind="before", channel="sms", scheduled_for=now, expires_at=now + dt.timedelta(days=1),
        next_attempt_at=now, dedupe_key="erasure-test", status="pending",
    )
    request = _request(full_patient, admin_user)
    services.perform_erasure(Actor.system("test", clinic.pk), request, TODAY)
    user.refresh_from_db()
    assert not user.is_active and user.email == "" and not user.has_usable_password()
    assert not ReminderOptIn.objects.filter(patient=full_patient, opted_out_at__isnull=True).exists()
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    report = ErasureRequest.objects.get(pk=request.pk).report
    assert "sign-in closed" in report["patient_portal"]
    assert "six years" in report["invoices"]
