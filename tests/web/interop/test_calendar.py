"""Calendar feeds and .ics attachments: RFC 5545 parsed back, local times, revocation, no clinical detail."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from .conftest import actor_for

KOLKATA = ZoneInfo("Asia/Kolkata")
TODAY = dt.date(2025, 1, 10)


def _events(data: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return list(cal.walk("VEVENT"))


def test_a_patient_feed_parses_back_with_the_clinic_timezone_and_local_times(full_record, practitioner):
    from anagen.interop import services

    patient = full_record["patient"]
    _, token = services.create_feed(actor_for(practitioner), patient.clinic, patient=patient)
    data = services.calendar_feed(token, today=TODAY)
    cal = icalendar.Calendar.from_ical(data)
    timezones = cal.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Asia/Kolkata"]
    starts = sorted(e.decoded("dtstart") for e in cal.walk("VEVENT"))
    assert starts[0] == dt.datetime(2025, 1, 13, 10, 0, tzinfo=KOLKATA)
    assert starts[0].tzinfo.key == "Asia/Kolkata"
    assert b"DTSTART;TZID=Asia/Kolkata:20250113T100000" in data
    assert len(starts) == 3


def test_the_patient_feed_says_only_appointment_at_the_clinic(full_record, practitioner):
    from anagen.interop import services

    patient = full_record["patient"]
    _, token = services.create_feed(actor_for(practitioner), patient.clinic, patient=patient)
    data = services.calendar_feed(token, today=TODAY)
    for event in _events(data):
        assert str(event["SUMMARY"]) == f"Appointment at {patient.clinic.name}"
    text = data.decode("utf-8")
    for secret in ("Asha", "Patil", "Mesotherapy", "mesotherapy", "Prefers the morning", "travelling", "Review", "LOT-"):
        assert secret not in text


def test_the_practitioner_feed_names_patients_by_initials_and_record_number_only(full_record, practitioner):
    from anagen.interop import services

    patient = full_record["patient"]
    _, token = services.create_feed(actor_for(practitioner), patient.clinic, practitioner=practitioner)
    data = services.calendar_feed(token, today=TODAY)
    summaries = {str(e["SUMMARY"]) for e in _events(data)}
    assert "Mesotherapy session: A.P. (LOT-000001)" in summaries
    text = data.decode("utf-8")
    for secret in ("Asha", "Patil", "Prefers the morning", "androgenetic", "+91982"):
        assert secret not in text


def test_a_cancelled_appointment_is_marked_cancelled_in_the_feed(full_record, practitioner):
    from anagen.interop import services

    patient = full_record["patient"]
    _, token = services.create_feed(actor_for(practitioner), patient.clinic, patient=patient)
    statuses = {e.decoded("dtstart").date(): str(e["STATUS"]) for e in _events(services.calendar_feed(token, today=TODAY))}
    assert statuses[dt.date(2025, 1, 20)] == "CANCELLED"
    assert statuses[dt.date(2025, 1, 27)] == "CONFIRMED"


def test_the_feed_url_works_without_a_login_and_is_audited_as_a_read(client, full_record, practitioner):
    from anagen.audit.models import AuditEntry
    from anagen.interop import services

    patient = full_record["patient"]
    feed, token = services.create_feed(actor_for(practitioner), patient.clinic, patient=patient)
    response = client.get(reverse("interop:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    entry = AuditEntry.objects.filter(object_type="calendar_feed", action="read").last()
    assert entry.object_id == str(feed.pk) and entry.patient_id == patient.pk
    assert token not in str(entry.changes)


def test_only_the_hash_of_a_token_is_stored(full_record, practitioner):
    from anagen.interop import services
    from anagen.interop.models import FeedToken

    patient = full_record["patient"]
    feed, token = services.create_feed(actor_for(practitioner), patient.clinic, patient=patient)
    stored = FeedToken.objects.get(pk=feed.pk)
    assert token not in {stored.token_sha256} and len(stored.token_sha256) == 64


def test_a_revoked_feed_answers_404(client, full_record, practitioner):
    from anagen.interop import services

    patient = full_record["patient"]
    feed, token = services.create_feed(actor_for(practitioner), patient.clinic, patient=patient)
    client.force_login(practitioner)
    assert client.post(reverse("interop:revoke_feed", args=[feed.pk])).status_code == 302
    client.logout()
    assert client.get(reverse("interop:feed", args=[token])).status_code == 404


def test_an_unknown_token_answers_404(client, db):
    assert client.get(reverse("interop:feed", args=["not-a-token"])).status_code == 404


def test_a_token_grants_only_its_own_feed(full_record, practitioner, make_patient):
    from anagen.interop import services

    patient = full_record["patient"]
    other = make_patient(patient.clinic, given_name="Zoya", family_name="Khan")
    _, token = services.create_feed(actor_for(practitioner), patient.clinic, patient=other)
    assert _events(services.calendar_feed(token, today=TODAY)) == []


def test_staff_download_an_ics_for_one_appointment(client, full_record, receptionist):
    from anagen.audit.models import AuditEntry

    appointment = full_record["appointments"][1]
    client.force_login(receptionist)
    response = client.get(reverse("interop:appointment_ics", args=[appointment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="appointment-{appointment.pk}.ics"'
    event = _events(response.content)[0]
    assert event.decoded("dtstart") == dt.datetime(2025, 1, 27, 10, 0, tzinfo=KOLKATA)
    assert event.decoded("dtend") == dt.datetime(2025, 1, 27, 10, 45, tzinfo=KOLKATA)
    assert AuditEntry.objects.filter(object_type="appointment_ics", object_id=str(appointment.pk), action="read").exists()


def test_another_clinics_appointment_ics_is_404(client, full_record, other_admin):
    client.force_login(other_admin)
    assert client.get(reverse("interop:appointment_ics", args=[full_record["appointments"][0].pk])).status_code == 404


@pytest.mark.parametrize("role_fixture", ["receptionist", "practitioner"])
def test_staff_create_a_patient_feed_and_see_the_url_once(client, full_record, role_fixture, request):
    user = request.getfixturevalue(role_fixture)
    patient = full_record["patient"]
    client.force_login(user)
    response = client.post(reverse("interop:patient_feeds", args=[patient.pk]))
    assert response.status_code == 201
    assert "/interop/feeds/" in response.content.decode()
    again = client.get(reverse("interop:patient_feeds", args=[patient.pk]))
    assert "/interop/feeds/" not in again.content.decode()


def test_a_practitioner_cannot_revoke_a_colleagues_feed(client, full_record, practitioner, trichologist):
    from anagen.interop import services

    feed, _ = services.create_feed(actor_for(trichologist), trichologist.clinic, practitioner=trichologist)
    client.force_login(practitioner)
    assert client.post(reverse("interop:revoke_feed", args=[feed.pk])).status_code == 404


def test_my_feed_page_creates_a_practitioner_feed(client, trichologist):
    from anagen.interop.models import FeedToken

    client.force_login(trichologist)
    response = client.post(reverse("interop:my_feeds"))
    assert response.status_code == 201
    assert FeedToken.objects.get(practitioner=trichologist).kind == "practitioner"
