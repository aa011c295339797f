"""Sending the aftercare sheet through the patient's channel (issue 20, item 7): only on a channel the
patient agreed to, once per session and channel, through the outbox and the provider like any
reminder; the message points to the portal and names no treatment."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.web.procedures.conftest import build_ready, session_post

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.procedures.models import TreatmentSession
from anagen.reminders import services
from anagen.reminders.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinic, trichologist, practitioner, patient, client):
    ready = build_ready(clinic, trichologist, practitioner, patient, Actor.system("test", clinic.pk))
    client.force_login(practitioner)
    response = client.post(reverse("procedures:record", args=[ready["appointment"].pk]), session_post(ready["lot"]))
    assert response.status_code == 302
    return TreatmentSession.objects.get()


def _send(client, session, channel):
    return client.post(reverse("reminders:send_aftercare", args=[session.pk]), {"channel": channel}, follow=True)


def test_without_the_patients_agreement_the_sheet_offers_no_channel_and_a_send_is_refused(client, session):
    page = client.get(reverse("procedures:aftercare", args=[session.pk])).content.decode()
    assert "has not agreed to messages on any channel" in page
    response = _send(client, session, "sms")
    assert "has not agreed to messages by SMS" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_aftercare_message_goes_out_once_on_the_chosen_channel_and_names_no_treatment(client, session, opted_in, provider):
    opted_in(session.patient, "sms")
    page = client.get(reverse("procedures:aftercare", args=[session.pk])).content.decode()
    assert 'name="channel" value="sms"' in page and 'value="email"' not in page
    response = _send(client, session, "sms")
    assert "Aftercare message queued by SMS" in response.content.decode()
    message = OutboxMessage.objects.get()
    assert (message.kind, message.channel, message.status, message.appointment_id) == ("aftercare", "sms", "pending", session.appointment_id)
    assert AuditEntry.objects.filter(object_type="reminder", object_id=str(message.pk), action="create", patient_id=session.patient_id).exists()
    again = _send(client, session, "sms")
    assert "already sent by SMS" in again.content.decode()
    assert OutboxMessage.objects.count() == 1
    result = services.run_once(timezone.now(), schedule=False)
    assert result.sent == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    text = provider.requests[0]["text"]
    assert "aftercare advice for your visit" in text and "patient portal" in text
    assert "mesotherapy" not in text.lower() and session.patient.full_name not in text


def test_a_bad_channel_is_refused_naming_it(client, session, opted_in):
    opted_in(session.patient, "sms")
    response = _send(client, session, "pigeon")
    assert "Choose email, SMS or WhatsApp." in response.content.decode()
    assert not OutboxMessage.objects.exists()
