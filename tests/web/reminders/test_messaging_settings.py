"""The WhatsApp and SMS settings page (clinic admin only, audited, bad input named by field),
the opt-in wording recorded with the opt-in, and the warning when a template is missing."""

from __future__ import annotations

import pytest

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.reminders import messaging
from anagen.reminders.models import ApprovedTemplate, MessagingAccount, ReminderOptIn

URL = "/reminders/settings/messaging/"


def test_only_the_clinic_admin_opens_the_page(client, admin_user, receptionist, trichologist, practitioner):
    assert client.get(URL).status_code == 302  # to the sign-in page
    for user in (receptionist, trichologist, practitioner):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"action": "account", "sms_sender_id": "ANAGEN"}).status_code == 403
    assert not MessagingAccount.objects.exists()
    client.force_login(admin_user)
    page = client.get(URL)
    assert page.status_code == 200 and "Approved templates" in page.content.decode()


def test_the_admin_saves_the_accounts_and_the_change_is_audited(client, admin_user, clinic):
    client.force_login(admin_user)
    response = client.post(URL, {"action": "account", "whatsapp_phone_number_id": "106540352242922",
                                 "whatsapp_business_account_id": "102290129340398", "sms_sender_id": "anagen",
                                 "dlt_entity_id": "1101161234567890123"})
    assert response.status_code == 302
    account = MessagingAccount.objects.get(clinic=clinic)
    assert (account.whatsapp_phone_number_id, account.sms_sender_id) == ("106540352242922", "ANAGEN")
    entry = AuditEntry.objects.get(object_type="messaging_account")
    assert entry.changes["sms_sender_id"] == {"old": "", "new": "ANAGEN"} and entry.username == admin_user.username


def test_bad_account_input_is_refused_naming_each_field_and_nothing_is_saved(client, admin_user, clinic, other_clinic):
    messaging.save_account(Actor.system("test", other_clinic.pk), other_clinic, {"whatsapp_phone_number_id": "106540352242922"})
    client.force_login(admin_user)
    response = client.post(URL, {"action": "account", "whatsapp_phone_number_id": "106540352242922",
                                 "sms_sender_id": "ANAG3N", "dlt_entity_id": "12345"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "already another clinic" in page and "six letters" in page and "19-digit" in page
    assert not MessagingAccount.objects.filter(clinic=clinic).exists()


def test_the_admin_lists_approved_templates_per_message_and_language_and_removes_one(client, admin_user, clinic):
    client.force_login(admin_user)
    saved = client.post(URL, {"action": "template", "t-channel": "whatsapp", "t-kind": "before", "t-language": "hi",
                              "t-template_name": "appointment_reminder_hi", "t-language_code": "hi",
                              "t-parameters": "clinic, date, time"})
    assert saved.status_code == 302
    client.post(URL, {"action": "template", "t-channel": "sms", "t-kind": "before", "t-language": "hi",
                      "t-dlt_template_id": "1107161234567890123"})
    page = client.get(URL).content.decode()
    assert "<code>appointment_reminder_hi</code> (<code>hi</code>): <code>clinic, date, time</code>" in page and "1107161234567890123" in page
    assert AuditEntry.objects.filter(object_type="approved_template", action="create").count() == 2
    row = ApprovedTemplate.objects.get(channel="sms")
    assert client.post(URL, {"action": "delete", "template_id": row.pk}).status_code == 302
    assert not ApprovedTemplate.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.filter(object_type="approved_template", action="delete").count() == 1


def test_another_clinics_template_cannot_be_removed(client, admin_user, other_clinic):
    row = messaging.save_approved_template(Actor.system("test", other_clinic.pk), other_clinic, {
        "channel": "sms", "kind": "before", "language": "en", "dlt_template_id": "1107161234567890123"})
    client.force_login(admin_user)
    response = client.post(URL, {"action": "delete", "template_id": row.pk}, follow=True)
    assert "not in this clinic" in response.content.decode()
    assert ApprovedTemplate.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(("fields", "named"), [
    ({"t-channel": "whatsapp", "t-template_name": "Appointment Reminder", "t-language_code": "hi", "t-parameters": "clinic"},
     "lowercase letters, digits and underscores"),
    ({"t-channel": "whatsapp", "t-template_name": "appt", "t-language_code": "hindi", "t-parameters": "clinic"},
     "language code as approved"),
    ({"t-channel": "whatsapp", "t-template_name": "appt", "t-language_code": "hi", "t-parameters": "clinic, diagnosis"},
     "Use only: clinic, date, time, clinic_phone, opt_out_url"),
    ({"t-channel": "sms", "t-dlt_template_id": "12345"}, "19-digit number"),
])
def test_bad_template_input_names_the_field(client, admin_user, fields, named):
    client.force_login(admin_user)
    response = client.post(URL, {"action": "template", "t-kind": "before", "t-language": "hi", **fields})
    assert response.status_code == 400 and named in response.content.decode()
    assert not ApprovedTemplate.objects.exists()


def test_the_opt_in_records_wording_naming_the_clinic_and_whatsapp(client, receptionist, clinic, make_patient, consent_for):
    patient = make_patient(clinic)
    consent_for(patient)
    client.force_login(receptionist)
    page = client.get(f"/reminders/patients/{patient.pk}/").content.decode()
    assert f"from {clinic.name} on WhatsApp" in page
    client.post(f"/reminders/patients/{patient.pk}/", {"channel": "whatsapp", "language": "en"})
    row = ReminderOptIn.objects.get(patient=patient)
    assert clinic.name in row.wording and "WhatsApp" in row.wording
    entry = AuditEntry.objects.filter(object_type="reminder_opt_in", patient_id=patient.pk).latest("seq")
    assert entry.changes["wording"]["new"] == row.wording


def test_opting_in_to_whatsapp_warns_of_each_message_without_a_template_in_the_patients_language(client, receptionist, clinic, make_patient, consent_for):
    messaging.save_approved_template(Actor.system("test", clinic.pk), clinic, {
        "channel": "whatsapp", "kind": "before", "language": "hi", "template_name": "appointment_reminder_hi",
        "language_code": "hi", "parameters": "clinic, date, time"})
    patient = make_patient(clinic)
    consent_for(patient)
    client.force_login(receptionist)
    page = client.post(f"/reminders/patients/{patient.pk}/", {"channel": "whatsapp", "language": "hi"}, follow=True).content.decode()
    assert "No approved WhatsApp template in" in page
    assert "Check after a session" in page and "Maintenance session due" in page
    assert "Appointment reminder," not in page
    english = make_patient(clinic)
    consent_for(english)
    page = client.post(f"/reminders/patients/{english.pk}/", {"channel": "sms", "language": "en"}, follow=True).content.decode()
    assert "No approved WhatsApp template" not in page
