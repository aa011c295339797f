"""The 24-48 hour follow-up: created with every signed session, listed overdue first with the
patient's phone, recorded by any member of staff, and side effects handed to clinical staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.safety import services
from anagen.safety.models import AdverseEvent, FollowUpTask

pytestmark = pytest.mark.django_db


def test_every_session_gets_a_follow_up_due_24_to_48_hours_after_signing(session):
    task = FollowUpTask.objects.get(session=session)
    assert task.due_from == session.signed_at + dt.timedelta(hours=24)
    assert task.due_until == session.signed_at + dt.timedelta(hours=48)
    assert task.status == "open" and task.patient_id == session.patient_id and task.clinic_id == session.clinic_id
    assert AuditEntry.objects.filter(object_type="follow_up_task", object_id=str(task.pk), action="create",
                                     patient_id=session.patient_id).exists()


def test_creating_the_follow_up_twice_returns_the_same_task(session):
    assert services.create_follow_up(session).pk == session.follow_up.pk
    assert FollowUpTask.objects.count() == 1


def test_the_list_puts_overdue_calls_first_with_the_patients_name_and_phone(
    client, receptionist, make_patient, clinic, make_session, lot, today
):
    now = timezone.now()
    upcoming = make_session(make_patient(clinic, given_name="Upcoming"), today, [(lot, "1.00")], signed_at=now - dt.timedelta(hours=1))
    due = make_session(make_patient(clinic, given_name="Duenow"), today - dt.timedelta(days=1), [(lot, "1.00")], signed_at=now - dt.timedelta(hours=30))
    late = make_session(make_patient(clinic, given_name="Overdue"), today - dt.timedelta(days=3), [(lot, "1.00")], signed_at=now - dt.timedelta(hours=72))
    client.force_login(receptionist)
    response = client.get(reverse("safety:followups"))
    page = response.content.decode()
    assert page.index("Overdue") < page.index("Duenow") < page.index("Upcoming")
    assert [r["state"] for r in response.context["rows"]] == ["overdue", "due", "upcoming"]
    assert late.patient.phone_display in page and due.patient.phone_display in page and upcoming.patient.phone_display in page
    entry = AuditEntry.objects.filter(object_type="follow_up_list").latest("seq")
    assert sorted(entry.changes["patient_ids"]) == sorted([upcoming.patient_id, due.patient_id, late.patient_id])


def test_reception_records_a_call_with_no_side_effects(client, receptionist, session):
    client.force_login(receptionist)
    response = client.post(reverse("safety:record_followup", args=[session.follow_up.pk]),
                           {"method": "call", "side_effects": "no", "outcome": "All well"})
    assert response.status_code == 302 and response["Location"] == reverse("safety:followups")
    task = FollowUpTask.objects.get()
    assert (task.status, task.method, task.side_effects_reported, task.outcome, task.recorded_by) == (
        "done", "call", False, "All well", receptionist)
    assert task.recorded_at is not None
    entry = AuditEntry.objects.filter(object_type="follow_up_task", action="update").get()
    assert entry.patient_id == session.patient_id and entry.changes["status"] == {"old": "open", "new": "done"}
    assert session.follow_up.pk not in [t.pk for t in services.open_follow_ups(session.clinic)]


def test_a_clinician_recording_side_effects_is_offered_the_event_form_prefilled_with_the_session_and_its_lots(
    client, practitioner, session, lot
):
    client.force_login(practitioner)
    response = client.post(reverse("safety:record_followup", args=[session.follow_up.pk]),
                           {"method": "patient_report", "side_effects": "yes", "outcome": "Red scalp since yesterday"})
    expected = f"{reverse('safety:report_event', args=[session.patient_id])}?session={session.pk}"
    assert response.status_code == 302 and response["Location"] == expected
    form = client.get(expected).context["form"]
    assert form.initial["session"] == session.pk and form.initial["lots"] == [lot.pk]


def test_reception_recording_side_effects_leaves_the_event_to_clinical_staff(client, receptionist, practitioner, session):
    client.force_login(receptionist)
    response = client.post(reverse("safety:record_followup", args=[session.follow_up.pk]),
                           {"method": "call", "side_effects": "yes", "outcome": "Some swelling"})
    assert response["Location"] == reverse("safety:followups")
    assert AdverseEvent.objects.count() == 0
    assert list(services.side_effects_without_event(session.clinic)) == [session.follow_up]
    client.force_login(practitioner)
    page = client.get(reverse("safety:followups")).content.decode()
    assert "Report an adverse event" in page and f"?session={session.pk}" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"side_effects": "no"}, "method"),
        ({"method": "telepathy", "side_effects": "no"}, "method"),
        ({"method": "call"}, "side_effects"),
        ({"method": "call", "side_effects": "maybe"}, "side_effects"),
        ({"method": "call", "side_effects": "yes", "outcome": "  "}, "outcome"),
    ],
)
def test_a_follow_up_with_bad_input_is_refused_naming_the_field(client, receptionist, session, data, field):
    client.force_login(receptionist)
    response = client.post(reverse("safety:record_followup", args=[session.follow_up.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert FollowUpTask.objects.get().status == "open"


def test_a_follow_up_is_recorded_only_once(client, receptionist, trichologist, session):
    client.force_login(receptionist)
    client.post(reverse("safety:record_followup", args=[session.follow_up.pk]), {"method": "call", "side_effects": "no"})
    client.force_login(trichologist)
    response = client.post(reverse("safety:record_followup", args=[session.follow_up.pk]),
                           {"method": "visit", "side_effects": "yes", "outcome": "changed"})
    assert response.status_code == 400
    task = FollowUpTask.objects.get()
    assert task.method == "call" and task.recorded_by == receptionist
    with pytest.raises(services.InvalidState):
        services.record_follow_up(services.Actor.system("t", task.clinic_id), task, method="call",
                                  side_effects_reported=False, outcome="", recorded_by=trichologist)


def test_another_clinics_staff_cannot_record_through_the_service(session, other_admin):
    with pytest.raises(services.InvalidInput) as exc:
        services.record_follow_up(services.Actor.system("t", other_admin.clinic_id), session.follow_up, method="call",
                                  side_effects_reported=False, outcome="", recorded_by=other_admin)
    assert exc.value.errors[0].field == "recorded_by"


def test_opening_a_follow_up_is_audited(client, receptionist, session):
    client.force_login(receptionist)
    client.get(reverse("safety:record_followup", args=[session.follow_up.pk]))
    assert AuditEntry.objects.filter(action="read", object_type="follow_up_task", patient_id=session.patient_id).exists()
