from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.patients.models import Patient

pytestmark = pytest.mark.django_db

VALID = {
    "given_name": "Ravi",
    "family_name": "Kulkarni",
    "date_of_birth": "1985-03-02",
    "sex": "male",
    "phone": "98200 55555",
    "email": "ravi@example.in",
    "address": "12 Hill Road, Bandra",
    "emergency_contact_name": "Sita Kulkarni",
    "emergency_contact_phone": "+91 98200 44444",
    "abha_number": "91-1234-5678-9012",
    "abha_address": "ravi.kulkarni@abdm",
}


def test_reception_registers_a_patient_with_normalised_identifiers(client, receptionist):
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), VALID)
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert patient.phone == "+919820055555"
    assert patient.emergency_contact_phone == "+919820044444"
    assert patient.abha_number == "91123456789012"
    assert patient.abha_number_display == "91-1234-5678-9012"
    assert patient.mrn == "LOT-000001"
    assert patient.clinic == receptionist.clinic


def test_record_numbers_count_up_per_clinic(clinic, other_clinic, make_patient):
    first, second = make_patient(clinic), make_patient(clinic)
    elsewhere = make_patient(other_clinic)
    assert (first.mrn, second.mrn, elsewhere.mrn) == ("LOT-000001", "LOT-000002", "OTH-000001")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "valid phone number"),
        ("phone", "", "required"),
        ("abha_number", "1234-5678", "exactly 14 digits"),
        ("abha_number", "91-1234-5678-901X", "exactly 14 digits"),
        ("abha_address", "ravi@gmail.com", "name@abdm"),
        ("abha_address", "r.a.v.i.kulkarni@abdm", "at most one dot"),
        ("abha_address", "_ravikulkarni@abdm", "start or end"),
        ("date_of_birth", (date.today() + timedelta(days=2)).isoformat(), "future"),
        ("date_of_birth", "1850-01-01", "more than 120 years"),
        ("date_of_birth", "31/31/2000", "valid date"),
        ("given_name", "   ", "required"),
        ("sex", "robot", "valid choice"),
        ("email", "not-an-email", "valid email"),
    ],
)
def test_it_refuses_bad_input_next_to_the_field_and_saves_nothing(client, receptionist, field, value, message):
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), {**VALID, field: value})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert Patient.objects.count() == 0
    assert AuditEntry.objects.filter(action="create").count() == 0
    # The message is rendered beside the field, inside its field group.
    assert message.encode() in response.content


def test_it_warns_about_a_likely_duplicate_before_creating_one(client, receptionist):
    client.force_login(receptionist)
    client.post(reverse("patients:create"), VALID)
    response = client.post(reverse("patients:create"), {**VALID, "given_name": "Ravindra", "abha_number": "", "abha_address": ""})
    assert response.status_code == 400
    assert b"Possible duplicate" in response.content
    assert "confirm_duplicate" in response.context["form"].errors
    assert Patient.objects.count() == 1
    response = client.post(reverse("patients:create"), {**VALID, "given_name": "Ravindra", "abha_number": "", "abha_address": "", "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_it_refuses_an_abha_number_another_patient_has(client, receptionist, make_patient):
    make_patient(receptionist.clinic, abha_number="91123456789012")
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), VALID)
    assert response.status_code == 400
    assert "abha_number" in response.context["form"].errors


def test_it_finds_patients_by_name_phone_or_record_number(client, receptionist, make_patient):
    asha = make_patient(receptionist.clinic, given_name="Asha", family_name="Bhosale", phone="+919867011111")
    make_patient(receptionist.clinic, given_name="Vikram", family_name="Rao", phone="+919867022222")
    client.force_login(receptionist)
    for query in ["bhosale", "Asha B", "98670 11111", "+91 9867011111", asha.mrn]:
        response = client.post(reverse("patients:list"), {"q": query})
        names = [p.family_name for p in response.context["page"].object_list]
        assert names == ["Bhosale"], query


def test_search_answers_an_htmx_request_with_the_results_only(client, receptionist, patient):
    client.force_login(receptionist)
    response = client.post(reverse("patients:list"), {"q": "Patil"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="patient-results")
    assert b"<html" not in response.content
    assert patient.full_name.encode() in response.content


def test_the_patient_list_pages_through_many_patients(client, receptionist, make_patient):
    for index in range(30):
        make_patient(receptionist.clinic, family_name=f"Shah{index:02d}")
    client.force_login(receptionist)
    first = client.get(reverse("patients:list"))
    second = client.get(reverse("patients:list"), {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5


def test_a_user_never_sees_another_clinics_patients(client, receptionist, other_clinic, make_patient):
    theirs = make_patient(other_clinic, family_name="Elsewhere")
    client.force_login(receptionist)
    assert client.get(reverse("patients:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("patients:edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("patients:edit", args=[theirs.pk]), VALID).status_code == 404
    response = client.post(reverse("patients:list"), {"q": "Elsewhere"})
    assert list(response.context["page"].object_list) == []


def test_editing_records_old_and_new_values(client, receptionist, patient):
    client.force_login(receptionist)
    form = {**VALID, "given_name": patient.given_name, "family_name": "Patil-Deshmukh", "phone": patient.phone, "abha_number": "", "abha_address": "", "version": patient.version}
    response = client.post(reverse("patients:edit", args=[patient.pk]), form)
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes["family_name"] == {"old": "Patil", "new": "Patil-Deshmukh"}
    assert entry.patient_id == patient.pk
    assert entry.user_id == receptionist.pk
    assert entry.ip_address == "127.0.0.1"


def test_a_stale_edit_is_refused_instead_of_overwriting(client, receptionist, patient):
    client.force_login(receptionist)
    base = {**VALID, "phone": patient.phone, "abha_number": "", "abha_address": ""}
    client.post(reverse("patients:edit", args=[patient.pk]), {**base, "family_name": "First", "version": 1})
    response = client.post(reverse("patients:edit", args=[patient.pk]), {**base, "family_name": "Second", "version": 1})
    assert response.status_code == 400
    assert b"Someone else changed this record" in response.content
    patient.refresh_from_db()
    assert patient.family_name == "First"


def test_a_search_never_puts_the_search_words_in_a_url(client, receptionist, make_patient):
    for index in range(30):
        make_patient(receptionist.clinic, family_name=f"Kulkarni{index:02d}")
    client.force_login(receptionist)
    response = client.post(reverse("patients:list"), {"q": "Kulkarni"})
    page = response.content.decode()
    assert "Kulkarni" not in "".join(__import__("re").findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', page))
    second = client.post(reverse("patients:list"), {"q": "Kulkarni", "page": 2})
    assert len(second.context["page"].object_list) == 5
