"""Opt-in pages, the STOP webhook with its signature, the one-time opt-out link, and access."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from anagen.consents import services as consents
from anagen.reminders import services
from anagen.reminders.models import OptOutToken, OutboxMessage, ReminderOptIn

from .conftest import local

SECRET = "inbound-test-secret"


def _signed_post(client, channel, payload, secret=SECRET):
    body = json.dumps(payload).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(f"/reminders/inbound/{channel}/", body, content_type="application/json", HTTP_X_ANAGEN_SIGNATURE=signature)


def test_reception_records_an_opt_in_only_after_a_reminders_consent(client, receptionist, clinic, make_patient, consent_for):
    patient = make_patient(clinic)
    client.force_login(receptionist)
    refused = client.post(f"/reminders/patients/{patient.pk}/", {"channel": "sms", "language": "hi"})
    assert refused.status_code == 400
    assert "no valid consent for reminders" in refused.content.decode()
    consent_for(patient)
    done = client.post(f"/reminders/patients/{patient.pk}/", {"channel": "sms", "language": "hi"})
    assert done.status_code == 302
    assert ReminderOptIn.objects.get(patient=patient).language == "hi"
    page = client.get(f"/reminders/patients/{patient.pk}/").content.decode()
    assert "Opted in" in page and "Stop SMS reminders" in page


def test_email_opt_in_needs_an_email_address(client, receptionist, clinic, make_patient, consent_for):
    patient = make_patient(clinic, email="")
    consent_for(patient)
    client.force_login(receptionist)
    response = client.post(f"/reminders/patients/{patient.pk}/", {"channel": "email", "language": "en"})
    assert response.status_code == 400
    assert "has no email address on record" in response.content.decode()


def test_a_signed_stop_reply_opts_out_and_withdraws_consent_when_no_channel_remains(client, settings, clinic, make_patient, opted_in):
    settings.ANAGEN_REMINDER_INBOUND_SECRET = SECRET
    patient = opted_in(make_patient(clinic), "sms", "whatsapp")
    response = _signed_post(client, "sms", {"from": patient.phone, "text": "STOP"})
    assert response.status_code == 200 and response.json() == {"opted_out": 1}
    assert consents.has_valid_consent(patient, "reminders")  # WhatsApp remains
    _signed_post(client, "whatsapp", {"from": patient.phone, "text": "stop"})
    assert not ReminderOptIn.objects.filter(patient=patient, opted_out_at__isnull=True).exists()
    assert not consents.has_valid_consent(patient, "reminders")
    assert set(ReminderOptIn.objects.values_list("source", flat=True)) == {"stop_reply"}


def test_it_refuses_an_unsigned_or_wrongly_signed_stop_reply(client, settings, clinic, make_patient, opted_in):
    settings.ANAGEN_REMINDER_INBOUND_SECRET = SECRET
    patient = opted_in(make_patient(clinic), "sms")
    assert _signed_post(client, "sms", {"from": patient.phone, "text": "STOP"}, secret="wrong").status_code == 403
    unsigned = client.post("/reminders/inbound/sms/", json.dumps({"from": patient.phone, "text": "STOP"}), content_type="application/json")
    assert unsigned.status_code == 403
    assert _signed_post(client, "sms", {"text": "STOP"}).status_code == 400
    assert ReminderOptIn.objects.get(patient=patient).active


def test_the_opt_out_link_asks_first_then_works_once(client, clinic, make_patient, opted_in, book, day, provider):
    patient = opted_in(make_patient(clinic), "sms")
    start = local(day, "10:00")
    book(patient, start)
    services.run_once(start - timedelta(hours=48))
    text = provider.requests[0]["text"]
    path = text[text.index("/reminders/stop/"):].split()[0]
    assert OptOutToken.objects.count() == 1 and path.split("/")[3] not in OptOutToken.objects.get().token_sha256
    assert client.get(path).status_code == 200
    assert ReminderOptIn.objects.get(patient=patient).active  # a GET (link scanner) changes nothing
    assert client.post(path).status_code == 200
    assert not ReminderOptIn.objects.get(patient=patient).active
    assert not consents.has_valid_consent(patient, "reminders")
    assert client.post(path).status_code == 404
    assert services.run_once(start - timedelta(hours=3)).sent == 0
    assert OutboxMessage.objects.filter(status="sent").count() == 1


def test_reminder_pages_need_a_login_and_the_patients_clinic(client, clinic, other_admin, admin_user, make_patient, receptionist):
    patient = make_patient(clinic)
    assert client.get(f"/reminders/patients/{patient.pk}/").status_code == 302
    client.force_login(other_admin)
    assert client.get(f"/reminders/patients/{patient.pk}/").status_code == 404
    client.force_login(receptionist)
    assert client.get("/reminders/settings/").status_code == 403
    client.force_login(admin_user)
    assert client.get("/reminders/settings/").status_code == 200


def test_the_protocol_and_templates_are_checked_before_saving(client, admin_user):
    client.force_login(admin_user)
    bad = client.post("/reminders/settings/", {"before_hours": "48, x", "side_effect_check_hours": 24, "maintenance_notice_days": 7,
                                               "max_attempts": 5, "backoff_base_seconds": 60, "backoff_max_seconds": 3600})
    assert bad.status_code == 400 and "whole hours" in bad.content.decode()
    template = client.post("/reminders/settings/templates/", {"t-kind": "before", "t-channel": "sms", "t-language": "en",
                                                              "t-body": "Hi {patient_name}"})
    assert template.status_code == 400 and "Unknown placeholder" in template.content.decode()
