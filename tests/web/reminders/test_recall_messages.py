"""The recall of a maintenance date nobody booked goes once, on its day, on the patient's channels
and in their language, carrying a one-time link with nothing in it but an opaque token (issue 22,
item 3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

import pytest
from django.utils import timezone
from tests import builders

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.recall.models import RecallLink, RecallStatus
from anagen.reminders import messaging, services
from anagen.reminders.models import OutboxMessage, ReminderSettings
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment

from .conftest import local

LINK = re.compile(r"https?://[^\s]+/portal/recall/([A-Za-z0-9_-]+)/")


@pytest.fixture
def start() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=8)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)  # a Monday


@pytest.fixture
def recalled(clinic, trichologist, room, start):
    def make(patient):
        return builders.recalled_session(patient, trichologist, room, start=start)
    return make


def test_the_recall_goes_once_on_its_day_with_a_link_that_carries_only_a_token(clinic, make_patient, opted_in, recalled, provider):
    patient = opted_in(make_patient(clinic), "sms")
    _course, recall = recalled(patient)
    send_day = local(recall.send_on, "09:00")
    assert services.run_once(send_day - dt.timedelta(days=1)).sent == 0
    assert services.run_once(send_day).sent == 1
    assert services.run_once(send_day + dt.timedelta(hours=2)).sent == 0
    assert services.run_once(send_day + dt.timedelta(days=3)).sent == 0
    [request] = provider.requests
    text = request["text"]
    assert clinic.name in text and f"{recall.due_date.day} {recall.due_date:%b %Y}" in text
    token = LINK.search(text).group(1)
    # The address is the site, the route and the token: no query string, no id, no name.
    url = LINK.search(text).group(0)
    assert url == f"{services.public_base_url()}/portal/recall/{token}/" and len(token) >= 40
    assert patient.mrn not in text and patient.given_name not in text
    link = RecallLink.objects.get()
    assert link.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at - link.created_at == dt.timedelta(days=14)
    recall.refresh_from_db()
    assert recall.status == RecallStatus.SENT
    message = OutboxMessage.objects.get()
    assert (message.kind, message.recall_id, message.appointment_id) == ("recall", recall.pk, None)


def test_the_recall_is_in_the_patients_language(clinic, make_patient, opted_in, recalled, provider):
    patient = opted_in(make_patient(clinic), "sms", language="mr")
    _course, recall = recalled(patient)
    services.run_once(local(recall.send_on, "09:00"))
    assert "देखभाल सत्र" in provider.requests[0]["text"]


def test_no_recall_goes_to_a_patient_without_an_opt_in_and_none_is_owed_later(clinic, make_patient, consent_for, recalled, provider):
    patient = make_patient(clinic)
    consent_for(patient)
    _course, recall = recalled(patient)
    assert services.run_once(local(recall.send_on, "09:00")).sent == 0
    assert OutboxMessage.objects.count() == 0 and RecallLink.objects.count() == 0


def test_a_recomputed_plan_moves_the_recall_not_yet_sent_to_its_new_day(clinic, make_patient, opted_in, recalled, provider):
    patient = opted_in(make_patient(clinic), "sms")
    course, recall = recalled(patient)
    old_send_on = recall.send_on
    first = Appointment.objects.get(course_id=course.pk, course_session_number=1)
    scheduling.move_appointment(Actor.system("test", clinic.pk), first, starts_at=first.starts_at + dt.timedelta(days=7))
    assert services.run_once(local(old_send_on, "09:00")).sent == 0
    recall.refresh_from_db()
    assert recall.send_on == old_send_on + dt.timedelta(days=7)
    assert services.run_once(local(recall.send_on, "09:00")).sent == 1


def test_a_recall_booked_by_reception_before_its_day_is_withdrawn_and_never_sent(clinic, make_patient, opted_in, recalled, provider,
                                                                                   trichologist, room):
    patient = opted_in(make_patient(clinic), "sms")
    course, recall = recalled(patient)
    scheduling.book_appointment(Actor.system("test", clinic.pk), clinic, patient=patient, practitioner=trichologist, room=room,
                                kind="mesotherapy_session", starts_at=local(recall.due_date, "12:00"), duration_minutes=45,
                                course_id=course.pk, course_session_number=2)
    assert services.run_once(local(recall.send_on, "09:00")).sent == 0
    recall.refresh_from_db()
    assert recall.status == RecallStatus.BOOKED and provider.requests == []


def test_whatsapp_recalls_go_only_through_an_approved_template(clinic, make_patient, opted_in, recalled, provider):
    patient = opted_in(make_patient(clinic), "whatsapp", language="hi")
    _course, recall = recalled(patient)
    result = services.run_once(local(recall.send_on, "09:00"))
    assert result.cancelled == 1 and result.sent == 0
    assert OutboxMessage.objects.get().last_error == "no approved WhatsApp template"
    assert RecallLink.objects.count() == 0  # no link was made for a message that did not go


def test_an_approved_whatsapp_recall_template_gets_the_booking_link_as_a_parameter(clinic, make_patient, opted_in, recalled, provider):
    messaging.save_approved_template(Actor.system("test", clinic.pk), clinic, {
        "channel": "whatsapp", "kind": "recall", "language": "hi", "template_name": "maintenance_recall_hi",
        "language_code": "hi", "parameters": "clinic, date, booking_url"})
    patient = opted_in(make_patient(clinic), "whatsapp", language="hi")
    _course, recall = recalled(patient)
    assert services.run_once(local(recall.send_on, "09:00")).sent == 1
    [request] = provider.requests
    assert request["template"] == "maintenance_recall_hi"
    assert LINK.search(str(request)) is not None


def test_the_booking_token_never_reaches_a_log_line(clinic, make_patient, opted_in, recalled, provider, caplog):
    patient = opted_in(make_patient(clinic), "sms")
    _course, recall = recalled(patient)
    with caplog.at_level(logging.DEBUG):
        services.run_once(local(recall.send_on, "09:00"))
    token = LINK.search(provider.requests[0]["text"]).group(1)
    assert token not in caplog.text


def test_the_recall_days_are_a_clinic_setting_and_changing_them_is_audited(clinic, admin_user):
    values = {"before_hours": "48, 3", "side_effect_check_hours": 24, "maintenance_notice_days": 7, "recall_days_before": 21,
              "max_attempts": 5, "backoff_base_seconds": 60, "backoff_max_seconds": 3600}
    services.save_settings(builders.actor_for(admin_user), clinic, values)
    assert ReminderSettings.objects.get(clinic=clinic).recall_days_before == 21
    assert services.protocol_for(clinic).recall_days_before == 21
    entry = AuditEntry.objects.filter(object_type="reminder_settings").latest("id")
    assert entry.changes["recall_days_before"] == {"old": "14", "new": "21"}
    with pytest.raises(Exception, match="Between 1 and 60 days"):
        services.save_settings(builders.actor_for(admin_user), clinic, {**values, "recall_days_before": 0})


def test_the_settings_page_saves_the_recall_days_and_names_the_field_when_out_of_range(client, admin_user, clinic):
    client.force_login(admin_user)
    values = {"before_hours": "48, 3", "side_effect_check_hours": 24, "maintenance_notice_days": 7, "recall_days_before": 90,
              "max_attempts": 5, "backoff_base_seconds": 60, "backoff_max_seconds": 3600}
    bad = client.post("/reminders/settings/", values)
    assert bad.status_code == 400 and "Between 1 and 60 days." in bad.content.decode()
    assert bad.context["form"].errors["recall_days_before"]
    assert client.post("/reminders/settings/", {**values, "recall_days_before": 10}).status_code == 302
    assert ReminderSettings.objects.get(clinic=clinic).recall_days_before == 10
    # A client that leaves the field out keeps the clinic's value.
    assert client.post("/reminders/settings/", {k: v for k, v in values.items() if k != "recall_days_before"}).status_code == 302
    assert ReminderSettings.objects.get(clinic=clinic).recall_days_before == 10
