"""The outbox and its worker against a local SMTP server and a local HTTP provider, with a
controllable clock (``now`` is passed in; nothing waits on the wall clock)."""

from __future__ import annotations

from datetime import timedelta

from anagen.audit.services import Actor
from anagen.reminders import services
from anagen.reminders.models import MessageTemplate, OutboxMessage, ReminderSettings
from anagen.scheduling import services as scheduling

from .conftest import local


def _sent(status="sent"):
    return list(OutboxMessage.objects.filter(status=status).order_by("id"))


def test_the_right_reminders_go_out_at_the_right_times(clinic, make_patient, opted_in, book, day, smtp_server, provider):
    patient = opted_in(make_patient(clinic, email="asha@example.test"), "email", "sms")
    start = local(day, "10:00")
    book(patient, start)

    assert services.run_once(start - timedelta(hours=49)).sent == 0
    first = services.run_once(start - timedelta(hours=48))
    assert first.sent == 2
    assert len(smtp_server.messages) == 1 and len(provider.requests) == 1
    # Running again, even much later, sends nothing new for the same reminder.
    assert services.run_once(start - timedelta(hours=47)).sent == 0
    assert services.run_once(start - timedelta(hours=3)).sent == 2
    assert len(smtp_server.messages) == 2 and len(provider.requests) == 2
    assert services.run_once(start - timedelta(hours=1)).sent == 0

    sms = provider.requests[0]
    assert sms["to"] == patient.phone and sms["channel"] == "sms"
    assert sms["authorization"] == "Bearer sms-token"
    assert clinic.name in sms["text"] and "10:00" in sms["text"]
    for text in (sms["text"], smtp_server.messages[0].content.decode("utf-8", "replace")):
        assert "esotherapy" not in text and patient.given_name not in text
    assert smtp_server.messages[0].rcpt_tos == ["asha@example.test"]
    assert {m.kind for m in _sent()} == {"before"}


def test_the_side_effect_check_goes_a_day_after_a_completed_session(clinic, make_patient, opted_in, book, day, provider):
    patient = opted_in(make_patient(clinic), "sms")
    start = local(day, "10:00")
    appointment = book(patient, start)
    actor = Actor.system("test", clinic.pk)
    scheduling.mark_arrived(actor, appointment, now=start)
    scheduling.mark_completed(actor, appointment, now=start + timedelta(hours=1))
    end = appointment.ends_at
    assert services.run_once(end + timedelta(hours=23)).sent == 0
    assert services.run_once(end + timedelta(hours=24)).sent == 1
    assert _sent()[0].kind == "side_effect_check"


def test_none_go_to_patients_without_an_opt_in(clinic, make_patient, opted_in, consent_for, book, day, provider, smtp_server):
    consent_only = make_patient(clinic)
    consent_for(consent_only)
    no_consent = make_patient(clinic)
    from anagen.reminders.models import ReminderOptIn

    # An opt-in row without a valid consent (e.g. written by an import) does not count.
    ReminderOptIn.objects.create(clinic=clinic, patient=no_consent, channel="sms", opted_in_at=local(day, "09:00"))
    start = local(day, "10:00")
    book(consent_only, start)
    book(no_consent, local(day, "11:00"))
    result = services.run_once(start - timedelta(hours=48))
    assert result.sent == 0 and provider.requests == [] and smtp_server.messages == []
    assert OutboxMessage.objects.count() == 0


def test_a_patient_who_opts_out_before_the_send_gets_nothing(clinic, make_patient, opted_in, book, day, provider):
    patient = opted_in(make_patient(clinic), "sms")
    start = local(day, "10:00")
    book(patient, start)
    services.schedule_reminders(clinic, start - timedelta(hours=48))
    services.opt_out(Actor.system("test", clinic.pk), patient, "sms", "reception")
    assert services.run_once(start - timedelta(hours=48)).sent == 0
    assert provider.requests == []


def test_a_failed_send_is_retried_with_back_off_and_then_reported(clinic, make_patient, opted_in, book, day, provider, client, receptionist):
    ReminderSettings.objects.create(clinic=clinic, max_attempts=3, backoff_base_seconds=60, backoff_max_seconds=600)
    patient = opted_in(make_patient(clinic), "sms")
    start = local(day, "10:00")
    book(patient, start)
    provider.fail_next = 100
    now = start - timedelta(hours=48)
    assert services.run_once(now).retrying == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.next_attempt_at) == ("pending", 1, now + timedelta(seconds=60))
    assert services.run_once(now + timedelta(seconds=59)).retrying == 0  # not yet due
    assert services.run_once(now + timedelta(seconds=60)).retrying == 1
    message.refresh_from_db()
    assert message.next_attempt_at == now + timedelta(seconds=60 + 120)
    assert services.run_once(now + timedelta(seconds=180)).failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    assert "HTTP 500" in message.last_error

    client.force_login(receptionist)
    page = client.get("/billing/reception/").content.decode()
    assert "Reminders that failed" in page and "HTTP 500" in page and patient.full_name in page

    # Staff retry it once the provider is back; it then goes out.
    provider.fail_next = 0
    client.post(f"/reminders/outbox/{message.pk}/retry/")
    assert services.run_once(now + timedelta(seconds=200)).sent == 1
    assert len(provider.requests) == 1


def test_a_retry_that_succeeds_sends_the_message_once(clinic, make_patient, opted_in, book, day, provider):
    patient = opted_in(make_patient(clinic), "sms")
    start = local(day, "10:00")
    book(patient, start)
    provider.fail_next = 1
    now = start - timedelta(hours=48)
    services.run_once(now)
    assert services.run_once(now + timedelta(minutes=1)).sent == 1
    assert len(provider.requests) == 1
    assert OutboxMessage.objects.get().provider_message_id == f"prov-{OutboxMessage.objects.get().pk}"


def test_cancelled_and_moved_appointments_get_no_stale_reminders(clinic, make_patient, opted_in, book, day, provider):
    actor = Actor.system("test", clinic.pk)
    cancelled = book(opted_in(make_patient(clinic), "sms"), local(day, "10:00"))
    moved = book(opted_in(make_patient(clinic), "sms"), local(day, "11:00"))
    services.schedule_reminders(clinic, local(day, "11:00") - timedelta(hours=47))
    assert OutboxMessage.objects.filter(status="pending").count() == 2
    scheduling.cancel_appointment(actor, cancelled, "Patient called")
    scheduling.move_appointment(actor, moved, starts_at=local(day + timedelta(days=7), "11:00"), duration_minutes=60,
                                expected_version=moved.version)
    result = services.run_once(local(day, "11:00") - timedelta(hours=46))
    assert result.sent == 0 and result.cancelled == 2
    reasons = set(OutboxMessage.objects.values_list("last_error", flat=True))
    assert reasons == {"appointment is cancelled", "appointment was moved"}
    # The moved appointment is reminded at its new time instead.
    assert services.run_once(local(day + timedelta(days=7), "11:00") - timedelta(hours=48)).sent == 1


def test_a_maintenance_session_gets_the_maintenance_due_message(clinic, make_patient, opted_in, book, day, provider):
    from anagen.treatments.models import Course

    patient = opted_in(make_patient(clinic), "sms")
    start = local(day, "10:00")
    appointment = book(patient, start)
    # The course link: session 7 of a course with 6 intensive sessions is a maintenance session.
    type(appointment).objects.filter(pk=appointment.pk).update(course_id=987654, course_session_number=7)
    original = services._maintenance_ids
    services._maintenance_ids = lambda appts: {a.pk for a in appts if a.course_session_number == 7}
    try:
        assert services.run_once(start - timedelta(days=7)).sent == 1
    finally:
        services._maintenance_ids = original
    assert _sent()[0].kind == "maintenance_due"
    assert "maintenance session is due" in provider.requests[0]["text"]
    assert Course.objects.count() == 0


def test_whatsapp_goes_only_through_an_approved_template(clinic, make_patient, opted_in, book, day, provider):
    patient = opted_in(make_patient(clinic), "whatsapp", language="hi")
    start = local(day, "10:00")
    book(patient, start)
    assert services.run_once(start - timedelta(hours=48)).cancelled == 1
    assert OutboxMessage.objects.get().last_error == "no approved WhatsApp template"
    MessageTemplate.objects.create(clinic=clinic, kind="before", channel="whatsapp", language="hi",
                                   body="{clinic} में {date} को {time} बजे अपॉइंटमेंट।", whatsapp_template_name="appt_reminder_hi",
                                   whatsapp_approved=True)
    assert services.run_once(start - timedelta(hours=3)).sent == 1
    sent = provider.requests[0]
    assert sent["template"] == "appt_reminder_hi" and sent["language"] == "hi" and "अपॉइंटमेंट" in sent["text"]


def test_the_run_worker_command_processes_the_outbox_once(clinic, make_patient, opted_in, book, provider):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    patient = opted_in(make_patient(clinic), "sms")
    # The command reads the real clock: tomorrow at 11:00 in the clinic is 11-35 hours ahead
    # whenever the test runs, inside the 48-hour reminder's window and on one calendar day (an
    # appointment "3 hours from now" crossed midnight in the evening and was refused).
    start = local(timezone.localdate() + timedelta(days=1), "11:00")
    book(patient, start)
    out = StringIO()
    call_command("run_worker", "--once", stdout=out)
    assert "sent 1" in out.getvalue()
    assert len(provider.requests) == 1
