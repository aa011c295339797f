"""Adverse events: reported by clinical staff, linked to the session and its lots, checked so bad
input saves nothing, and an unresolved moderate or severe event blocks the next session until a
trichologist reviews it or it resolves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.core.errors import InvalidInput
from anagen.safety import services
from anagen.safety.models import AdverseEvent

from .conftest import actor_for

pytestmark = pytest.mark.django_db


def _post(client, patient, **overrides):
    data = {"event_type": "swelling", "severity": "moderate", "onset_date": "", "description": "Forehead swelling",
            "action_taken": "Cold compress", **overrides}
    return client.post(reverse("safety:report_event", args=[patient.pk]), data)


def test_a_practitioner_reports_an_event_linked_to_the_session_and_its_lots(client, practitioner, session, lot, today):
    client.force_login(practitioner)
    response = _post(client, session.patient, session=session.pk, onset_date=(today - dt.timedelta(days=9)).isoformat())
    event = AdverseEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("safety:event", args=[event.pk])
    assert (event.event_type, event.severity, event.session, event.reported_by) == ("swelling", "moderate", session, practitioner)
    assert list(event.lots.all()) == [lot]
    entry = AuditEntry.objects.get(object_type="adverse_event", action="create")
    assert entry.patient_id == session.patient_id and entry.changes["lot_ids"]["new"] == str(lot.pk)


def test_the_lots_default_to_the_sessions_lots_in_the_service(session, report, lot, make_lot, clinic):
    second = make_lot(clinic, "VC-002")
    assert list(report(session.patient, session=session).lots.all()) == [lot]
    assert list(report(session.patient, session=session, lots=[second]).lots.all()) == [second]
    assert list(report(session.patient).lots.all()) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"onset_date": "future"}, "onset_date"),
        ({"onset_date": "before-session"}, "onset_date"),
        ({"onset_date": "not a date"}, "onset_date"),
        ({"event_type": "alien_abduction"}, "event_type"),
        ({"severity": "catastrophic"}, "severity"),
        ({"lots": "other-clinic"}, "lots"),
        ({"lots": "abc"}, "lots"),
        ({"session": "other-clinic"}, "session"),
        ({"session": "9999999"}, "session"),
        ({"event_type": "other", "description": ""}, "description"),
    ],
)
def test_an_event_with_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    client, trichologist, session, other_session, other_lot, today, overrides, field
):
    values = {"session": session.pk, "onset_date": today.isoformat()}
    for key, value in overrides.items():
        values[key] = {
            "future": (today + dt.timedelta(days=1)).isoformat(),
            "before-session": (session.performed_on - dt.timedelta(days=1)).isoformat(),
            "other-clinic": other_lot.pk if key == "lots" else other_session.pk,
        }.get(value, value)
    client.force_login(trichologist)
    entries = AuditEntry.objects.count()
    response = _post(client, session.patient, **values)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert AdverseEvent.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="adverse_event").exists()
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"onset_date": "tomorrow"}, "onset_date"),
        ({"onset_date": "before-session"}, "onset_date"),
        ({"event_type": "unknown"}, "event_type"),
        ({"lots": "other-clinic"}, "lots"),
        ({"session": "other-clinic"}, "session"),
        ({"reported_by": "receptionist"}, "reported_by"),
    ],
)
def test_the_service_refuses_the_same_bad_input(session, other_session, other_lot, receptionist, report, today, overrides, field):
    key, value = next(iter(overrides.items()))
    value = {
        "tomorrow": today + dt.timedelta(days=1),
        "before-session": session.performed_on - dt.timedelta(days=1),
        "other-clinic": [other_lot] if key == "lots" else other_session,
        "receptionist": receptionist,
    }.get(value, value)
    with pytest.raises(InvalidInput) as exc:
        report(session.patient, **{"session": session, key: value})
    assert field in [e.field for e in exc.value.errors]
    assert AdverseEvent.objects.count() == 0


def test_an_unresolved_moderate_event_blocks_until_a_trichologist_reviews_it(session, report, practitioner, trichologist):
    patient = session.patient
    assert services.session_blockers_for(patient) == []
    event = report(patient, session=session, severity="moderate", by=practitioner)
    report(patient, session=session, severity="mild", by=practitioner)
    blockers = services.session_blockers_for(patient)
    assert len(blockers) == 1 and f"Adverse event {event.pk}" in blockers[0]
    with pytest.raises(PermissionDenied):
        services.review_event(actor_for(practitioner), event, "Fine", practitioner)
    assert services.session_blockers_for(patient) == blockers
    services.review_event(actor_for(trichologist), event, "Seen; safe to continue", trichologist)
    assert services.session_blockers_for(patient) == []
    event.refresh_from_db()
    assert event.reviewed_by == trichologist and event.review_note == "Seen; safe to continue" and event.version == 2
    entry = AuditEntry.objects.filter(object_type="adverse_event", action="update").get()
    assert entry.changes["reviewed_by"] == {"old": None, "new": trichologist.username}


def test_a_severe_event_blocks_and_resolution_unblocks(session, report, trichologist, today):
    event = report(session.patient, session=session, severity="severe", event_type="infection",
                   onset_date=today - dt.timedelta(days=5))
    assert services.session_blockers_for(session.patient)
    services.resolve_event(actor_for(trichologist), event, today)
    assert services.session_blockers_for(session.patient) == []


def test_a_trichologist_reviews_through_the_event_page(client, trichologist, session, report):
    event = report(session.patient, session=session, severity="moderate")
    client.force_login(trichologist)
    page = client.get(reverse("safety:event", args=[event.pk])).content.decode()
    assert "blocks the patient" in page and "Record the review" in page
    response = client.post(reverse("safety:review_event", args=[event.pk]), {"note": "Reviewed by phone", "version": "1"})
    assert response.status_code == 302
    assert services.session_blockers_for(session.patient) == []


def test_a_practitioner_sees_no_review_form(client, practitioner, session, report):
    event = report(session.patient, session=session, severity="moderate")
    client.force_login(practitioner)
    page = client.get(reverse("safety:event", args=[event.pk])).content.decode()
    assert "Record the review" not in page and "A trichologist reviews this event" in page


def test_an_empty_review_or_a_second_review_is_refused(client, trichologist, session, report):
    event = report(session.patient, session=session, severity="moderate")
    client.force_login(trichologist)
    response = client.post(reverse("safety:review_event", args=[event.pk]), {"note": " "})
    assert response.status_code == 400 and "note" in response.context["review_form"].errors
    client.post(reverse("safety:review_event", args=[event.pk]), {"note": "First"})
    response = client.post(reverse("safety:review_event", args=[event.pk]), {"note": "Second"})
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.review_note == "First"


def test_resolving_through_the_page_unblocks_the_next_session(client, practitioner, session, report, today):
    event = report(session.patient, session=session, severity="moderate", onset_date=today - dt.timedelta(days=3))
    client.force_login(practitioner)
    response = client.post(reverse("safety:resolve_event", args=[event.pk]), {"resolved_on": today.isoformat()})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.resolved_on == today
    assert services.session_blockers_for(session.patient) == []
    assert AuditEntry.objects.filter(object_type="adverse_event", action="update", patient_id=session.patient_id).exists()


@pytest.mark.parametrize("when", ["before-onset", "future", "garbage", "already"])
def test_a_bad_resolution_date_is_refused(client, practitioner, session, report, today, when):
    event = report(session.patient, session=session, severity="moderate", onset_date=today - dt.timedelta(days=3))
    if when == "already":
        services.resolve_event(actor_for(practitioner), event, today)
    value = {"before-onset": today - dt.timedelta(days=4), "future": today + dt.timedelta(days=1)}.get(when, today)
    client.force_login(practitioner)
    response = client.post(reverse("safety:resolve_event", args=[event.pk]),
                           {"resolved_on": "31/02/x" if when == "garbage" else value.isoformat()})
    assert response.status_code == 400
    assert "resolved_on" in response.context["resolve_form"].errors
    event.refresh_from_db()
    assert event.resolved_on == (today if when == "already" else None)


def test_a_stale_form_does_not_overwrite(client, trichologist, session, report, today):
    event = report(session.patient, session=session, severity="moderate")
    services.review_event(actor_for(trichologist), event, "Reviewed", trichologist)
    client.force_login(trichologist)
    response = client.post(reverse("safety:resolve_event", args=[event.pk]), {"resolved_on": today.isoformat(), "version": "1"})
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.resolved_on is None


def test_the_patients_event_list_shows_events_and_blockers_and_is_audited(client, trichologist, session, report):
    report(session.patient, session=session, severity="moderate", event_type="bruising")
    client.force_login(trichologist)
    page = client.get(reverse("safety:patient_events", args=[session.patient.pk])).content.decode()
    assert "Bruising / haematoma" in page and "The next session is blocked" in page
    assert AuditEntry.objects.filter(action="read", object_type="adverse_events", patient_id=session.patient_id).exists()


def test_opening_an_event_is_audited(client, practitioner, session, report):
    event = report(session.patient, session=session)
    client.force_login(practitioner)
    client.get(reverse("safety:event", args=[event.pk]))
    assert AuditEntry.objects.filter(action="read", object_type="adverse_event", object_id=str(event.pk)).exists()


def test_the_review_queue_lists_unreviewed_moderate_and_severe_events_only(client, trichologist, session, report):
    report(session.patient, session=session, severity="mild")
    moderate = report(session.patient, session=session, severity="moderate")
    client.force_login(trichologist)
    response = client.get(reverse("safety:review_queue"))
    assert [e.pk for e in response.context["events"]] == [moderate.pk]
    assert AuditEntry.objects.filter(object_type="adverse_event_list").latest("seq").changes["patient_ids"] == [session.patient_id]


def test_a_bad_session_query_parameter_is_ignored(client, trichologist, session):
    client.force_login(trichologist)
    for value in ("abc", "999999", ""):
        response = client.get(reverse("safety:report_event", args=[session.patient.pk]) + f"?session={value}")
        assert response.status_code == 200 and "session" not in response.context["form"].initial
