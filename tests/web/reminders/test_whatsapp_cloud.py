"""Contract tests of the WhatsApp Cloud API adapter against a local server speaking Meta's
documented shapes, and of the worker choosing the approved template, free text or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from anagen.audit.services import Actor
from anagen.reminders import messaging, services
from anagen.reminders.models import MessageTemplate, OutboxMessage, WhatsAppContact
from anagen.reminders.providers import OutgoingMessage, Route, SendFailed, WhatsAppCloudProvider

from .conftest import local
from .fake_providers import WHATSAPP_OK, FakeProvider, whatsapp_error

TOKEN = "EAAG-test-access-token"
NUMBER_ID = "106540352242922"


@pytest.fixture
def cloud(settings):
    server = FakeProvider(WHATSAPP_OK)
    settings.ANAGEN_WHATSAPP_API_BASE = server.base_url
    settings.ANAGEN_WHATSAPP_API_VERSION = "v23.0"
    settings.ANAGEN_WHATSAPP_ACCESS_TOKEN = TOKEN
    settings.ANAGEN_REMINDER_ADAPTERS = {"email": "log", "sms": "log", "whatsapp": "whatsapp_cloud"}
    yield server
    server.close()


@pytest.fixture
def whatsapp_clinic(clinic, admin_user):
    actor = Actor.system("test", clinic.pk)
    messaging.save_account(actor, clinic, {"whatsapp_phone_number_id": NUMBER_ID})
    return clinic


def _outgoing(**overrides):
    values = {"outbox_id": 7, "channel": "whatsapp", "to": "+91 98200 00001", "body": "Reminder: appointment at Anagen.",
              "language": "hi", "whatsapp_phone_number_id": NUMBER_ID}
    fields = {**values, **overrides}
    route = Route(**{key: fields.pop(key) for key in list(fields) if key in Route.__dataclass_fields__})
    return OutgoingMessage(**fields, route=route)


def _adapter(cloud):
    return WhatsAppCloudProvider(TOKEN, base_url=cloud.base_url, api_version="v23.0", timeout=5)


def test_a_template_message_is_posted_exactly_as_the_cloud_api_documents_it(cloud):
    provider_id = _adapter(cloud).send(_outgoing(whatsapp_template="appointment_reminder", template_language_code="hi",
                                                 template_parameters=("Anagen Mumbai", "Wed 23 Dec 2026", "10:00")))
    assert provider_id == "wamid.HBgMOTE5ODIwMDAwMDAxFQIAERgSRkE2"
    [request] = cloud.requests
    assert request["path"] == f"/v23.0/{NUMBER_ID}/messages"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["json"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "919820000001", "type": "template",
        "template": {"name": "appointment_reminder", "language": {"code": "hi"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Anagen Mumbai"},
                                            {"type": "text", "text": "Wed 23 Dec 2026"},
                                            {"type": "text", "text": "10:00"}]}]},
    }


def test_free_text_goes_as_a_text_message_only_while_the_window_is_open(cloud):
    _adapter(cloud).send(_outgoing(free_text_allowed=True))
    assert cloud.requests[0]["json"] == {"messaging_product": "whatsapp", "recipient_type": "individual",
                                         "to": "919820000001", "type": "text",
                                         "text": {"preview_url": False, "body": "Reminder: appointment at Anagen."}}
    with pytest.raises(SendFailed) as refused:
        _adapter(cloud).send(_outgoing(free_text_allowed=False))
    assert not refused.value.retryable and "window is closed" in str(refused.value)
    assert len(cloud.requests) == 1  # nothing was sent the second time


def test_a_throttling_error_is_retried_and_a_re_engagement_error_is_not(cloud):
    cloud.answers = [whatsapp_error(130429, "(#130429) Rate limit hit"),
                     whatsapp_error(131047, "(#131047) Re-engagement message"),
                     (500, {})]
    with pytest.raises(SendFailed) as throttled:
        _adapter(cloud).send(_outgoing(whatsapp_template="appointment_reminder"))
    assert throttled.value.retryable and "130429" in str(throttled.value)
    with pytest.raises(SendFailed) as late:
        _adapter(cloud).send(_outgoing(whatsapp_template="appointment_reminder"))
    assert not late.value.retryable and "131047" in str(late.value)
    with pytest.raises(SendFailed) as down:
        _adapter(cloud).send(_outgoing(whatsapp_template="appointment_reminder"))
    assert down.value.retryable


def test_an_unreachable_api_is_a_retryable_failure(settings):
    adapter = WhatsAppCloudProvider(TOKEN, base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(SendFailed) as failed:
        adapter.send(_outgoing(whatsapp_template="appointment_reminder"))
    assert failed.value.retryable


def test_the_worker_sends_the_approved_template_in_the_patients_language(whatsapp_clinic, make_patient, opted_in, book, day, cloud):
    clinic = whatsapp_clinic
    patient = opted_in(make_patient(clinic, phone="+919820000001"), "whatsapp", language="hi")
    messaging.save_approved_template(Actor.system("test", clinic.pk), clinic, {
        "channel": "whatsapp", "kind": "before", "language": "hi", "template_name": "appointment_reminder_hi",
        "language_code": "hi", "parameters": "clinic, date, time"})
    start = local(day, "10:00")
    book(patient, start)
    assert services.run_once(start - timedelta(hours=48)).sent == 1
    [request] = cloud.requests
    template = request["json"]["template"]
    assert (template["name"], template["language"]) == ("appointment_reminder_hi", {"code": "hi"})
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert values[0] == clinic.name and values[2] == "10:00" and str(day.day) in values[1]
    message = OutboxMessage.objects.get()
    assert (message.status, message.provider_message_id) == ("sent", WHATSAPP_OK["messages"][0]["id"])


def test_without_a_template_the_worker_sends_free_text_inside_the_window_and_nothing_outside(whatsapp_clinic, make_patient, opted_in, book, day, cloud):
    clinic = whatsapp_clinic
    patient = opted_in(make_patient(clinic, phone="+919820000002"), "whatsapp")
    start = local(day, "10:00")
    book(patient, start)
    now = start - timedelta(hours=48)
    WhatsAppContact.objects.create(clinic=clinic, wa_id="919820000002", last_inbound_at=now - timedelta(hours=25))
    assert services.run_once(now).cancelled == 1
    assert cloud.requests == []
    assert OutboxMessage.objects.get().last_error == "no approved WhatsApp template"
    WhatsAppContact.objects.filter(clinic=clinic).update(last_inbound_at=start - timedelta(hours=4))
    assert services.run_once(start - timedelta(hours=3)).sent == 1
    [request] = cloud.requests
    assert request["json"]["type"] == "text" and clinic.name in request["json"]["text"]["body"]


def test_a_permanent_error_fails_the_message_at_once_without_retries(whatsapp_clinic, make_patient, opted_in, book, day, cloud):
    clinic = whatsapp_clinic
    patient = opted_in(make_patient(clinic), "whatsapp")
    messaging.save_approved_template(Actor.system("test", clinic.pk), clinic, {
        "channel": "whatsapp", "kind": "before", "language": "en", "template_name": "appointment_reminder",
        "language_code": "en_US", "parameters": "clinic, date, time"})
    book(patient, local(day, "10:00"))
    cloud.answers = [whatsapp_error(132001, "(#132001) Template name does not exist in the translation")]
    assert services.run_once(local(day, "10:00") - timedelta(hours=48)).failed == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("failed", 1) and "132001" in message.last_error
    assert patient.phone not in message.last_error


def test_a_template_approved_in_the_message_wording_fills_its_placeholders_in_order(whatsapp_clinic, make_patient, opted_in, book, day, cloud):
    clinic = whatsapp_clinic
    patient = opted_in(make_patient(clinic), "whatsapp", language="hi")
    MessageTemplate.objects.create(clinic=clinic, kind="before", channel="whatsapp", language="hi",
                                   body="{clinic} में {date} को {time} बजे अपॉइंटमेंट।", whatsapp_template_name="appt_reminder_hi",
                                   whatsapp_approved=True)
    start = local(day, "10:00")
    book(patient, start)
    assert services.run_once(start - timedelta(hours=48)).sent == 1
    template = cloud.requests[0]["json"]["template"]
    assert (template["name"], template["language"]) == ("appt_reminder_hi", {"code": "hi"})
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert values[0] == clinic.name and values[2] == "10:00" and len(values) == 3
