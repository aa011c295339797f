"""The webhook Meta calls: the verification handshake, X-Hub-Signature-256, delivery statuses,
inbound messages opening the 24-hour window, and STOP ending the WhatsApp opt-in."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.consents import services as consents
from anagen.reminders import messaging
from anagen.reminders.models import DeliveryEvent, OutboxMessage, ReminderOptIn, WhatsAppContact

URL = "/reminders/whatsapp/webhook/"
APP_SECRET = "meta-app-secret-for-tests"
NUMBER_ID = "106540352242922"


@pytest.fixture(autouse=True)
def meta_app(settings):
    settings.ANAGEN_WHATSAPP_APP_SECRET = APP_SECRET
    settings.ANAGEN_WHATSAPP_VERIFY_TOKEN = "verify-me-please"


@pytest.fixture
def account(clinic):
    return messaging.save_account(Actor.system("test", clinic.pk), clinic, {"whatsapp_phone_number_id": NUMBER_ID})


def _notification(value, number_id=NUMBER_ID):
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": number_id}, **value}}]}]}


def _post(client, payload, secret=APP_SECRET, signature=None):
    body = json.dumps(payload).encode()
    header = signature if signature is not None else "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    extra = {"HTTP_X_HUB_SIGNATURE_256": header} if header else {}
    return client.post(URL, body, content_type="application/json", **extra)


def _inbound(wa_id, text, at):
    return _notification({"contacts": [{"profile": {"name": "Patient"}, "wa_id": wa_id}], "messages": [
        {"from": wa_id, "id": "wamid.IN1", "timestamp": str(int(at.timestamp())), "type": "text", "text": {"body": text}}]})


def test_meta_s_verification_handshake_echoes_the_challenge_only_with_our_verify_token(client):
    ok = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "verify-me-please", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    assert client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}).status_code == 403
    assert client.get(URL).status_code == 403


def test_an_unsigned_or_wrongly_signed_notification_is_refused_and_changes_nothing(client, clinic, account, make_patient, opted_in):
    patient = opted_in(make_patient(clinic, phone="+919820000010"), "whatsapp")
    stop = _inbound("919820000010", "STOP", timezone.now())
    assert _post(client, stop, signature="").status_code == 403
    assert _post(client, stop, secret="not-the-app-secret").status_code == 403
    assert _post(client, stop, signature="sha256=zz").status_code == 403
    assert _post(client, stop, signature="sha1=abc").status_code == 403
    assert ReminderOptIn.objects.get(patient=patient).active and not WhatsAppContact.objects.exists()


def test_without_an_app_secret_configured_every_notification_is_refused(client, settings, account):
    settings.ANAGEN_WHATSAPP_APP_SECRET = ""
    assert _post(client, _notification({}), secret="").status_code == 403


def test_a_signed_body_that_is_not_json_is_a_clear_400(client):
    body = b"not json"
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)
    assert response.status_code == 400


def test_delivery_statuses_are_recorded_against_the_outbox_message(client, clinic, account, make_patient):
    patient = make_patient(clinic)
    now = timezone.now()
    message = OutboxMessage.objects.create(clinic=clinic, patient=patient, kind="before", channel="whatsapp", scheduled_for=now,
                                           expires_at=now, dedupe_key="k1", status="sent", sent_at=now, next_attempt_at=now,
                                           provider_message_id="wamid.OUT1")
    moment = int(now.timestamp())
    for status in ("sent", "delivered", "read", "read"):
        response = _post(client, _notification({"statuses": [{"id": "wamid.OUT1", "status": status, "timestamp": str(moment),
                                                                 "recipient_id": "919820000011"}]}))
        assert response.status_code == 200
    assert list(DeliveryEvent.objects.filter(message=message).values_list("status", flat=True)) == ["sent", "delivered", "read"]
    assert AuditEntry.objects.filter(object_type="reminder", object_id=str(message.pk), action="update").count() == 3


def test_a_failed_delivery_is_recorded_with_its_error_code(client, clinic, account, make_patient):
    now = timezone.now()
    message = OutboxMessage.objects.create(clinic=clinic, patient=make_patient(clinic), kind="before", channel="whatsapp",
                                           scheduled_for=now, expires_at=now, dedupe_key="k2", status="sent", sent_at=now,
                                           next_attempt_at=now, provider_message_id="wamid.OUT2")
    _post(client, _notification({"statuses": [{"id": "wamid.OUT2", "status": "failed", "timestamp": str(int(now.timestamp())),
                                                "recipient_id": "919820000012", "errors": [{"code": 131026, "title": "Message undeliverable"}]}]}))
    event = DeliveryEvent.objects.get(message=message)
    message.refresh_from_db()
    assert (event.status, event.error_code) == ("failed", "131026")
    assert message.last_error == "WhatsApp: not delivered (error 131026)"


def test_an_inbound_message_opens_the_24_hour_window(client, clinic, account):
    wrote = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    assert _post(client, _inbound("919820000013", "Can I come at 11?", wrote)).json() == {"statuses": 0, "inbound": 1}
    assert messaging.window_open(clinic, "+91 98200 00013", wrote + timedelta(hours=23))
    assert not messaging.window_open(clinic, "+91 98200 00013", wrote + timedelta(hours=24))


def test_a_stop_reply_ends_that_patients_whatsapp_opt_in_and_is_audited(client, clinic, account, make_patient, opted_in):
    patient = opted_in(make_patient(clinic, phone="+91 98200 00014"), "whatsapp", "sms")
    _post(client, _inbound("919820000014", "Stop", timezone.now()))
    assert not ReminderOptIn.objects.get(patient=patient, channel="whatsapp").active
    assert ReminderOptIn.objects.get(patient=patient, channel="sms").active
    assert ReminderOptIn.objects.get(patient=patient, channel="whatsapp").source == "stop_reply"
    assert AuditEntry.objects.filter(object_type="reminder_opt_in", patient_id=patient.pk, username="whatsapp-stop").exists()
    assert consents.has_valid_consent(patient, "reminders")  # SMS remains


@pytest.mark.parametrize("text", ["opt out", "बंद करा", "थांबवा"])
def test_opt_out_in_english_hindi_or_marathi_ends_the_opt_in(client, clinic, account, make_patient, opted_in, text):
    patient = opted_in(make_patient(clinic, phone="+919820000015"), "whatsapp")
    _post(client, _inbound("919820000015", text, timezone.now()))
    assert not ReminderOptIn.objects.get(patient=patient).active


def test_a_notification_for_a_number_no_clinic_has_touches_nothing(client, clinic, other_clinic, account, make_patient, opted_in):
    patient = opted_in(make_patient(clinic, phone="+919820000016"), "whatsapp")
    messaging.save_account(Actor.system("test", other_clinic.pk), other_clinic, {"whatsapp_phone_number_id": "999999999"})
    # The same number writes STOP to the other clinic's WhatsApp number: this clinic's opt-in stays.
    value = _inbound("919820000016", "STOP", timezone.now())["entry"][0]["changes"][0]["value"]
    value.pop("metadata")
    assert _post(client, _notification(value, number_id="999999999")).status_code == 200
    assert ReminderOptIn.objects.get(patient=patient).active
    assert WhatsAppContact.objects.filter(clinic=other_clinic).exists() and not WhatsAppContact.objects.filter(clinic=clinic).exists()
    assert _post(client, _notification({}, number_id="123456789")).status_code == 200


def test_nothing_about_the_sender_or_the_text_reaches_the_log(client, clinic, account, make_patient, opted_in, caplog):
    opted_in(make_patient(clinic, phone="+919820000017"), "whatsapp")
    with caplog.at_level(logging.DEBUG):
        _post(client, _inbound("919820000017", "STOP", timezone.now()))
        _post(client, _inbound("919820000017", "STOP", timezone.now()), secret="bad")
    assert "9820000017" not in caplog.text and "STOP" not in caplog.text
