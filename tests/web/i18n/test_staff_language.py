"""Staff read their own language, else their clinic's; the switch sets their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

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
