"""Contract tests of the DLT SMS adapter (MSG91's v2 sendsms API) against a local server, and the
worker carrying the DLT template id set per message kind and language in the clinic's settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from anagen.audit.services import Actor
from anagen.reminders import messaging, services
from anagen.reminders.models import OutboxMessage
from anagen.reminders.providers import Msg91SmsProvider, OutgoingMessage, Route, SendFailed

from .conftest import local
from .fake_providers import MSG91_OK, FakeProvider

AUTHKEY = "msg91-test-authkey"
DLT_ID = "1107161234567890123"


@pytest.fixture
def gateway(settings):
    server = FakeProvider(MSG91_OK)
    settings.ANAGEN_MSG91_API_BASE = server.base_url
    settings.ANAGEN_MSG91_AUTHKEY = AUTHKEY
    settings.ANAGEN_REMINDER_ADAPTERS = {"email": "log", "sms": "msg91", "whatsapp": "log"}
    yield server
    server.close()


def _outgoing(**overrides):
    values = {"outbox_id": 3, "channel": "sms", "to": "+919820000003", "body": "Reminder: appointment at Anagen on Wed 23 Dec 2026 at 10:00.",
              "sms_sender_id": "ANAGEN", "dlt_template_id": DLT_ID}
    fields = {**values, **overrides}
    route = Route(**{key: fields.pop(key) for key in list(fields) if key in Route.__dataclass_fields__})
    return OutgoingMessage(**fields, route=route)


def test_an_sms_is_posted_with_the_sender_id_and_dlt_template_id_as_msg91_documents(gateway):
    provider_id = Msg91SmsProvider(AUTHKEY, base_url=gateway.base_url).send(_outgoing())
    assert provider_id == MSG91_OK["message"]
    [request] = gateway.requests
    assert request["path"] == "/api/v2/sendsms"
    assert request["headers"]["authkey"] == AUTHKEY
    assert request["json"] == {"sender": "ANAGEN", "route": "4", "country": "91", "unicode": 0,
                               "sms": [{"message": "Reminder: appointment at Anagen on Wed 23 Dec 2026 at 10:00.", "to": ["9820000003"]}],
                               "DLT_TE_ID": DLT_ID}
    assert AUTHKEY not in request["path"]


def test_hindi_text_is_sent_as_unicode(gateway):
    Msg91SmsProvider(AUTHKEY, base_url=gateway.base_url).send(_outgoing(body="रिमाइंडर: अपॉइंटमेंट"))
    assert gateway.requests[0]["json"]["unicode"] == 1


def test_a_refusal_in_a_200_answer_is_a_permanent_failure_and_a_server_error_a_retryable_one(gateway):
    gateway.answers = [(200, {"message": "Authentication failure", "type": "error"}), (503, {})]
    adapter = Msg91SmsProvider(AUTHKEY, base_url=gateway.base_url)
    with pytest.raises(SendFailed) as refused:
        adapter.send(_outgoing())
    assert not refused.value.retryable and "Authentication failure" in str(refused.value)
    with pytest.raises(SendFailed) as down:
        adapter.send(_outgoing())
    assert down.value.retryable


def test_an_sms_without_a_dlt_template_id_is_not_sent(gateway):
    with pytest.raises(SendFailed) as refused:
        Msg91SmsProvider(AUTHKEY, base_url=gateway.base_url).send(_outgoing(dlt_template_id=""))
    assert not refused.value.retryable and "DLT" in str(refused.value)
    assert gateway.requests == []


def test_the_worker_sends_the_sms_with_the_clinics_dlt_ids_per_message_and_language(clinic, make_patient, opted_in, book, day, gateway):
    actor = Actor.system("test", clinic.pk)
    messaging.save_account(actor, clinic, {"sms_sender_id": "anagen", "dlt_entity_id": "1101161234567890123"})
    messaging.save_approved_template(actor, clinic, {"channel": "sms", "kind": "before", "language": "hi", "dlt_template_id": DLT_ID})
    patient = opted_in(make_patient(clinic, phone="+919820000004"), "sms", language="hi")
    start = local(day, "10:00")
    book(patient, start)
    assert services.run_once(start - timedelta(hours=48)).sent == 1
    sent = gateway.requests[0]["json"]
    assert (sent["sender"], sent["DLT_TE_ID"], sent["unicode"], sent["sms"][0]["to"]) == ("ANAGEN", DLT_ID, 1, ["9820000004"])
    assert "रिमाइंडर" in sent["sms"][0]["message"]
    assert OutboxMessage.objects.get().provider_message_id == MSG91_OK["message"]


def test_without_a_dlt_template_id_for_the_kind_the_message_fails_with_a_clear_reason(clinic, make_patient, opted_in, book, day, gateway):
    messaging.save_account(Actor.system("test", clinic.pk), clinic, {"sms_sender_id": "ANAGEN"})
    patient = opted_in(make_patient(clinic), "sms")
    book(patient, local(day, "10:00"))
    assert services.run_once(local(day, "10:00") - timedelta(hours=48)).failed == 1
    assert OutboxMessage.objects.get().last_error == "SMS: no DLT template ID for this message"
    assert gateway.requests == []
