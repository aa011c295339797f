"""Staff read their own language, else their clinic's; the switch sets their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.accounts.models import User
from anagen.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_staff_read_the_clinics_language_until_they_choose_their_own(client, clinic, receptionist):
    clinic.language = "hi"
    clinic.save()
    client.force_login(receptionist)
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "hi"
    assert "साइन आउट" in response.content.decode()  # "Sign out"

    client.post(reverse("set_language"), {"language": "en-in", "next": reverse("home")})
    receptionist.refresh_from_db()
    assert receptionist.language == "en-in"
    assert "Sign out" in client.get(reverse("home")).content.decode()
    assert AuditEntry.objects.filter(object_type="staff_account", object_id=str(receptionist.pk), action="update").exists()


def test_a_hindi_speaking_member_of_staff_works_in_hindi_in_an_english_clinic(client, trichologist):
    client.force_login(trichologist)
    client.post(reverse("set_language"), {"language": "hi", "next": reverse("patients:list")})
    content = client.get(reverse("patients:list")).content.decode()
    assert "मरीज़" in content and "कैलेंडर" in content  # the navigation: Patients, Calendar


def test_staff_go_back_to_the_clinics_language(client, clinic, trichologist):
    clinic.language = "mr"
    clinic.save()
    trichologist.language = "en-in"
    trichologist.save()
    client.force_login(trichologist)
    client.post(reverse("set_language"), {"language": "", "next": reverse("home")})
    trichologist.refresh_from_db()
    assert trichologist.language == ""
    assert client.get(reverse("home"))["Content-Language"] == "mr"


def test_the_language_switch_needs_a_sign_in(client):
    response = client.post(reverse("set_language"), {"language": "mr"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_admin_sets_a_members_language_on_the_staff_form_and_it_takes_effect(client, admin_user, receptionist):
    client.force_login(admin_user)
    form = client.get(reverse("accounts:staff_edit", args=[receptionist.pk])).content.decode()
    assert 'name="language"' in form
    response = client.post(reverse("accounts:staff_edit", args=[receptionist.pk]), {
        "first_name": "Rekha", "last_name": "Jadhav", "email": "", "role": "reception", "is_active": "on", "language": "hi"})
    assert response.status_code == 302
    receptionist.refresh_from_db()
    assert receptionist.language == "hi"
    assert AuditEntry.objects.filter(object_type="staff_account", object_id=str(receptionist.pk), action="update").exists()
    client.force_login(receptionist)
    assert client.get(reverse("home"))["Content-Language"] == "hi"


def test_the_staff_form_refuses_a_language_anagen_does_not_speak(client, admin_user, receptionist):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_edit", args=[receptionist.pk]), {
        "first_name": "Rekha", "last_name": "", "email": "", "role": "reception", "is_active": "on", "language": "fr"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    receptionist.refresh_from_db()
    assert receptionist.language == ""


def test_the_clinic_settings_form_sets_the_language_of_staff_without_their_own(client, clinic, admin_user, receptionist):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:clinic_settings"), {
        "name": clinic.name, "city": "Mumbai", "address": "", "phone": "", "email": "", "gstin": "", "mrn_prefix": "AN",
        "language": "mr"})
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.language == "mr"
    assert AuditEntry.objects.filter(object_type="clinic", object_id=str(clinic.pk), action="update").exists()
    client.force_login(receptionist)
    assert client.get(reverse("home"))["Content-Language"] == "mr"


def test_a_new_member_starts_with_the_clinics_language(client, clinic, admin_user):
    clinic.language = "hi"
    clinic.save()
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_create"), {
        "username": "meera", "first_name": "Meera", "last_name": "", "email": "", "role": "practitioner", "language": "",
        "password1": "a long and unusual passphrase 42", "password2": "a long and unusual passphrase 42"})
    assert response.status_code == 302
    member = User.objects.get(username="meera")
    assert member.language == "" and member.staff_language == "hi"
