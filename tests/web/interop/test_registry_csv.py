"""Registry CSV: export for the clinic admin; import validates every row, then imports all or nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

HEADER = "given_name,family_name,date_of_birth,sex,phone,email,abha_number\n"


def _import(clinic, text: str | bytes, user=None):
    from anagen.audit.services import Actor
    from anagen.interop.services import import_registry

    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_registry(Actor.system("test", clinic.pk), clinic, data)


def test_it_imports_every_row_when_all_are_valid(clinic):
    from anagen.patients.models import Patient

    result = _import(clinic, HEADER + "Priya,Sharma,1988-02-03,F,98200 11111,priya@example.in,\n"
                                      "Rahul,Nair,14/08/1975,male,+919820022222,,91-1234-5678-9012\n")
    assert result.ok and len(result.created) == 2
    rahul = Patient.objects.get(clinic=clinic, given_name="Rahul")
    assert (rahul.phone, rahul.abha_number, rahul.date_of_birth.isoformat(), rahul.sex) == ("+919820022222", "91123456789012", "1975-08-14", "male")
    assert rahul.mrn.startswith("LOT-")


def test_it_imports_nothing_when_one_row_is_wrong_and_names_the_row_and_column(clinic):
    from anagen.audit.models import AuditEntry
    from anagen.patients.models import Patient

    before = AuditEntry.objects.count()
    result = _import(clinic, HEADER + "Priya,Sharma,1988-02-03,F,9820011111,,\n"
                                      "Rahul,Nair,1975-08-14,M,12345,,\n"
                                      ",Iyer,2090-01-01,x,9820033333,,\n")
    assert not result.ok and result.created == []
    assert Patient.objects.filter(clinic=clinic).count() == 0
    assert AuditEntry.objects.count() == before
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "phone") in found
    assert {(4, "given_name"), (4, "date_of_birth"), (4, "sex")} <= found
    assert all(e.message for e in result.errors)


def test_it_reads_utf8_with_a_byte_order_mark_and_devanagari_names(clinic):
    result = _import(clinic, ("\ufeff" + HEADER + "अनन्या,शर्मा,1990-01-01,female,9820044444,,\n").encode("utf-8"))
    assert result.ok and result.created[0].given_name == "अनन्या"


def test_it_refuses_a_file_that_is_not_utf8(clinic):
    result = _import(clinic, (HEADER + "Zoë,Khan,1990-01-01,female,9820044444,,\n").encode("latin-1"))
    assert [(e.row, e.column) for e in result.errors] == [(0, "file")]


def test_it_reports_duplicates_within_the_file_and_against_the_registry(clinic, make_patient):
    make_patient(clinic, phone="+919820055555", date_of_birth=__import__("datetime").date(1980, 1, 1))
    result = _import(clinic, HEADER + "A,B,1980-01-01,F,9820055555,,\n"
                                      "C,D,1970-01-01,M,9820066666,,91-1234-5678-9012\n"
                                      "E,F,1970-01-01,M,9820066666,,91-1234-5678-9012\n")
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "already registered" in messages[(2, "phone")]
    assert "row 3" in messages[(4, "phone")]
    assert "row 3" in messages[(4, "abha_number")]


def test_it_refuses_unknown_and_missing_columns(clinic):
    result = _import(clinic, "given_name,Phone No,sex\nA,1,F\n")
    columns = {e.column for e in result.errors}
    assert "Phone No" in columns and "date_of_birth" in columns and "phone" in columns


def test_it_refuses_too_many_rows(clinic, monkeypatch):
    from anagen.interop import registry

    monkeypatch.setattr(registry, "MAX_ROWS", 2)
    result = _import(clinic, HEADER + "".join(f"A{i},B,1980-01-01,F,982007777{i},,\n" for i in range(3)))
    assert any("more than 2" in e.message for e in result.errors)


def test_the_export_round_trips_through_the_import(clinic, other_clinic, make_patient, admin_user):
    from anagen.audit.services import Actor
    from anagen.interop.services import registry_csv
    from anagen.patients.models import Patient

    make_patient(clinic, given_name="=HYPERLINK(1)", family_name="Patil", abha_number="91123456789012", address="1, Carter Road\nBandra")
    data = registry_csv(Actor.system("test", clinic.pk), clinic)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["given_name"] == "'=HYPERLINK(1)" and rows[0]["abha_number"] == "91-1234-5678-9012"
    result = _import(other_clinic, data)
    assert result.ok
    moved = Patient.objects.get(clinic=other_clinic)
    assert (moved.given_name, moved.abha_number, moved.address) == ("=HYPERLINK(1)", "91123456789012", "1, Carter Road\nBandra")


def test_only_the_clinic_admin_opens_the_registry_pages(client, trichologist, receptionist):
    for user in (trichologist, receptionist):
        client.force_login(user)
        assert client.get(reverse("interop:registry")).status_code == 403
        assert client.get(reverse("interop:registry_export")).status_code == 403


def test_the_admin_exports_the_registry_and_it_is_audited(client, admin_user, patient):
    from anagen.audit.models import AuditEntry

    client.force_login(admin_user)
    response = client.get(reverse("interop:registry_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert patient.mrn in response.content.decode("utf-8-sig")
    entry = AuditEntry.objects.filter(action="export", object_type="patient_registry").last()
    assert entry.changes["patient_ids"] == [patient.pk]


def test_the_import_page_shows_row_errors_and_offers_them_as_csv(client, admin_user):
    from anagen.patients.models import Patient

    client.force_login(admin_user)
    upload = SimpleUploadedFile("patients.csv", (HEADER + "Priya,Sharma,1988-02-03,F,9820011111,,\nRahul,Nair,bad,M,9820022222,,\n").encode())
    response = client.post(reverse("interop:registry"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html and "date_of_birth" in html
    assert Patient.objects.count() == 0
    errors = client.get(reverse("interop:registry_import_errors"))
    assert errors.status_code == 200
    rows = list(csv.reader(io.StringIO(errors.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "message"] and rows[1][:2] == ["3", "date_of_birth"]


def test_the_import_page_imports_and_audits_each_patient(client, admin_user):
    from anagen.audit.models import AuditEntry

    client.force_login(admin_user)
    upload = SimpleUploadedFile("patients.csv", (HEADER + "Priya,Sharma,1988-02-03,F,9820011111,,\n").encode())
    response = client.post(reverse("interop:registry"), {"file": upload})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="create", object_type="patient", user_id=admin_user.pk).count() == 1
    assert AuditEntry.objects.filter(action="create", object_type="patient_import").exists()


@pytest.mark.parametrize("content", [b"", b"given_name\n"])
def test_an_empty_or_header_only_file_is_refused_with_a_message(clinic, content):
    result = _import(clinic, content)
    assert not result.ok and result.errors[0].message
