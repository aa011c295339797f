"""A Marathi-reading patient's reminders are in Marathi: reception's opt-in form starts from the
patient's own language, the message uses the Marathi wording, and the stop link opens in Marathi."""

from __future__ import annotations

from datetime import timedelta

from anagen.reminders import services
from anagen.reminders.models import ReminderOptIn

from .conftest import local


def test_a_marathi_reading_patient_gets_marathi_reminders_and_a_marathi_stop_page(client, receptionist, clinic, make_patient,
                                                                                  consent_for, book, day, provider):
    patient = make_patient(clinic, preferred_language="mr")
    consent_for(patient)
    client.force_login(receptionist)
    form = client.get(f"/reminders/patients/{patient.pk}/").content.decode()
    assert '<option value="mr" selected>' in form  # nobody has to choose Marathi
    assert client.post(f"/reminders/patients/{patient.pk}/", {"channel": "sms", "language": "mr"}).status_code == 302
    assert ReminderOptIn.objects.get(patient=patient).language == "mr"
    start = local(day, "10:00")
    book(patient, start)
    services.run_once(start - timedelta(hours=48))
    text = provider.requests[0]["text"]
    assert text.startswith("स्मरणपत्र:") and "वाजता तुमची भेट आहे" in text and "10:00" in text
    path = text[text.index("/reminders/stop/"):].split()[0]
    client.logout()
    page = client.get(path)
    assert "SMS स्मरणपत्रे बंद करायची?" in page.content.decode()
    done = client.post(path).content.decode()
    assert "SMS स्मरणपत्रे बंद केली" in done


def test_an_english_reading_patients_form_starts_from_english(client, receptionist, clinic, make_patient):
    patient = make_patient(clinic)
    client.force_login(receptionist)
    assert '<option value="en" selected>' in client.get(f"/reminders/patients/{patient.pk}/").content.decode()
