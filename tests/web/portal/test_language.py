"""The portal speaks the patient's preferred language, with nobody switching anything, and the
patient can change it (the change is their registry record's, audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_marathi_preferring_patient_reads_the_portal_in_marathi(client, patient, patient_user, book, consent):
    patient.preferred_language = "mr"
    patient.save()
    book(patient)
    consent(patient)
    client.force_login(patient_user)
    response = client.get(reverse("portal:home"))
    content = response.content.decode()
    assert response["Content-Language"] == "mr"
    assert '<html lang="mr">' in content
    assert f"नमस्कार, {patient.given_name}" in content
    assert "तुमच्या पुढील भेटी" in content  # "Your next appointments"
    assert "पुनर्तपासणी" in content  # the appointment kind "Review"
    assert "जाहिरातीत छायाचित्रांचा वापर" in content  # the consent purpose
    assert "Your next appointments" not in content
    assert "Sign out" not in content


def test_a_hindi_preferring_patient_reads_hindi_even_when_the_browser_asks_for_english(client, patient, patient_user):
    patient.preferred_language = "hi"
    patient.save()
    client.force_login(patient_user)
    response = client.get(reverse("portal:access_log"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "hi"
    assert "मेरा रिकॉर्ड किसने खोला" in response.content.decode()


def test_an_english_preferring_patient_reads_english(client, patient, patient_user):
    client.force_login(patient_user)
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="mr")
    assert f"Hello, {patient.given_name}" in response.content.decode()


def test_the_patient_changes_their_language_and_the_change_is_their_records_and_audited(client, patient, patient_user):
    client.force_login(patient_user)
    response = client.post(reverse("set_language"), {"language": "mr", "next": reverse("portal:my_data")})
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_data")
    patient.refresh_from_db()
    assert patient.preferred_language == "mr"
    entry = AuditEntry.objects.filter(object_type="patient", action="update", patient_id=patient.pk, user_id=patient_user.pk).latest("seq")
    assert entry.changes == {"preferred_language": {"old": "en-in", "new": "mr"}}
    assert "माझ्या माहितीची प्रत" in client.get(reverse("portal:my_data")).content.decode()


def test_an_unknown_language_is_refused_with_a_message_naming_it_and_nothing_changes(client, patient, patient_user):
    client.force_login(patient_user)
    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("portal:home")}, follow=True)
    assert response.status_code == 200
    assert "Language: choose one of the languages in the list." in response.content.decode()
    patient.refresh_from_db()
    assert patient.preferred_language == "en-in"


def test_the_switch_never_sends_the_patient_to_another_site(client, patient, patient_user):
    client.force_login(patient_user)
    response = client.post(reverse("set_language"), {"language": "hi", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_demo_seeds_an_english_a_marathi_and_a_hindi_portal_sign_in(clinic, other_clinic, receptionist, make_patient):
    from datetime import date

    from anagen.accounts.models import User
    from anagen.demo.portal import seed_portal
    from anagen.demo.seed import SeedContext

    patients = [make_patient(clinic) for _ in range(3)]
    ctx = SeedContext(clinic=clinic, branch=other_clinic, staff={"reception": receptionist}, patients=patients, today=date(2026, 12, 3))
    seed_portal(ctx)
    seed_portal(ctx)  # a second run adds nothing
    languages = {u.username: u.patient_account.patient.preferred_language for u in User.objects.filter(role="patient")}
    assert languages == {"patient": "en-in", "patient-mr": "mr", "patient-hi": "hi"}
    assert all(u.is_demo_account and u.check_password("demo") for u in User.objects.filter(role="patient"))


def test_the_demos_marathi_reader_signed_in_marathi_and_gets_marathi_reminders(clinic, other_clinic, receptionist, make_patient):
    from datetime import date

    from anagen.audit.services import Actor
    from anagen.consents import services as consents
    from anagen.demo.consents import publish_default_texts
    from anagen.demo.portal import seed_portal
    from anagen.demo.seed import SeedContext
    from anagen.reminders import services as reminders
    from anagen.reminders.models import ReminderOptIn

    texts = publish_default_texts(Actor.system("test", clinic.pk), clinic)
    patients = [make_patient(clinic) for _ in range(3)]
    actor = Actor.system("test", clinic.pk)
    for patient in patients:  # as the clinical seeder leaves them: signed in English, SMS reminders on
        for purpose in ("treatment", "reminders"):
            consents.sign_consent(actor, patient, texts[(purpose, "en")], method="typed", typed_name=patient.full_name,
                                  acknowledged=True, witness=receptionist)
        reminders.opt_in(actor, patient, "sms", "en")
    seed_portal(SeedContext(clinic=clinic, branch=other_clinic, staff={"reception": receptionist}, patients=patients,
                            today=date(2026, 12, 3)))
    by_language = {p.preferred_language: p for p in (type(patients[0]).objects.filter(pk__in=[p.pk for p in patients]))}
    for language in ("mr", "hi"):
        patient = by_language[language]
        status = consents.consent_status(patient)
        assert status["treatment"].record.text.language == language and status["treatment"].is_valid
        assert ReminderOptIn.objects.get(patient=patient, channel="sms").language == language
    english = by_language["en-in"]
    assert consents.consent_status(english)["treatment"].record.text.language == "en"
    assert ReminderOptIn.objects.get(patient=english, channel="sms").language == "en"
