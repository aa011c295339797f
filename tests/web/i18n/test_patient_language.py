"""Reception records the language a patient reads; the consent the patient signs then opens in it
without anyone choosing, and staff may show another language (a relative reads it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor

pytestmark = pytest.mark.django_db

FORM = {"given_name": "Sunita", "family_name": "Patil", "date_of_birth": "1985-03-02", "sex": "female", "phone": "98200 55555",
        "email": "", "address": "", "emergency_contact_name": "", "emergency_contact_phone": "", "abha_number": "",
        "abha_address": ""}


def test_reception_registers_a_marathi_reader_and_changes_it_later_audited(client, receptionist):
    from anagen.patients.models import Patient

    client.force_login(receptionist)
    assert 'name="preferred_language"' in client.get(reverse("patients:create")).content.decode()
    assert client.post(reverse("patients:create"), {**FORM, "preferred_language": "mr"}).status_code == 302
    patient = Patient.objects.get()
    assert patient.preferred_language == "mr"
    edit = {**FORM, "preferred_language": "hi", "version": patient.version}
    assert client.post(reverse("patients:edit", args=[patient.pk]), edit).status_code == 302
    patient.refresh_from_db()
    assert patient.preferred_language == "hi"
    entry = AuditEntry.objects.filter(action="update", object_type="patient").get()
    assert entry.changes == {"preferred_language": {"old": "mr", "new": "hi"}}


def test_an_edit_posted_without_the_language_keeps_it(client, receptionist, clinic, make_patient):
    patient = make_patient(clinic, given_name="Sunita", preferred_language="mr")
    client.force_login(receptionist)
    form = {**FORM, "phone": patient.phone, "family_name": "Patil-Jadhav", "version": patient.version}
    assert client.post(reverse("patients:edit", args=[patient.pk]), form).status_code == 302
    patient.refresh_from_db()
    assert patient.preferred_language == "mr" and patient.family_name == "Patil-Jadhav"


def test_the_consent_opens_in_the_patients_language_and_staff_may_show_another(client, receptionist, clinic, make_patient):
    from anagen.demo.consents import publish_default_texts

    publish_default_texts(Actor.system("test", clinic.pk), clinic)
    patient = make_patient(clinic, preferred_language="mr")
    client.force_login(receptionist)  # the receptionist's own pages are English
    page = client.get(reverse("consents:sign", args=[patient.pk, "treatment"])).content.decode()
    assert "टाळूच्या मेसोथेरपीसाठी संमती" in page and "धोके." in page
    assert "मी ही संमती वाचली आहे आणि मला ती मान्य आहे" in page  # the box the patient ticks
    assert "रुग्णाची सही" in page
    assert "Consent to scalp mesotherapy" not in page and "Witness" in page  # the staff's part stays English
    for purpose in ("photographs", "marketing_photographs", "reminders", "abdm_sharing"):
        assert 'lang="mr"' in client.get(reverse("consents:sign", args=[patient.pk, purpose])).content.decode()
    english = client.get(reverse("consents:sign", args=[patient.pk, "treatment"]) + "?language=en").content.decode()
    assert "Consent to scalp mesotherapy" in english and "I have read and agree to this consent" in english
