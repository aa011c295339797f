"""The calendar pages: access by role and clinic, booking through the form, refusals, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.scheduling import services
from anagen.scheduling.models import Appointment, PractitionerSlot, Room

pytestmark = pytest.mark.django_db

ALL_ROLES = ["clinic_admin", "trichologist", "practitioner", "reception"]


def form_data(patient, practitioner, room, day, /, **overrides):
    return {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": room.pk,
        "kind": "mesotherapy_session",
        "date": day.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "60",
        "notes": "",
        **overrides,
    }


def page_urls(appointment_id, room_id):
    return {
        "get": [
            reverse("scheduling:day"),
            reverse("scheduling:week"),
            reverse("scheduling:book"),
            reverse("scheduling:detail", args=[appointment_id]),
            reverse("scheduling:move", args=[appointment_id]),
            reverse("scheduling:cancel", args=[appointment_id]),
            reverse("scheduling:no_show", args=[appointment_id]),
        ],
        "post": [
            reverse("scheduling:patient_search"),
            reverse("scheduling:arrived", args=[appointment_id]),
            reverse("scheduling:room_deactivate", args=[room_id]),
            reverse("scheduling:room_reactivate", args=[room_id]),
        ],
        "admin": [reverse("scheduling:rooms"), reverse("scheduling:room_create")],
    }


def test_it_sends_an_anonymous_visitor_to_the_login_page_from_every_calendar_page(client, book, room):
    appointment = book()
    urls = page_urls(appointment.pk, room.pk)
    for url in urls["get"] + urls["admin"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    for url in urls["post"]:
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    appointment.refresh_from_db()
    assert appointment.status == "booked" and Room.objects.get(pk=room.pk).active


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_staff_role_sees_the_calendar_and_can_open_the_booking_form(client, clinic, make_user, role, book):
    appointment = book()
    client.force_login(make_user(clinic, role))
    for url in page_urls(appointment.pk, 0)["get"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["trichologist", "practitioner", "reception"])
def test_only_the_clinic_admin_manages_rooms(client, clinic, make_user, role, room):
    client.force_login(make_user(clinic, role))
    assert client.get(reverse("scheduling:rooms")).status_code == 403
    assert client.post(reverse("scheduling:room_create"), {"name": "Laser room"}).status_code == 403
    assert client.post(reverse("scheduling:room_deactivate", args=[room.pk])).status_code == 403
    assert Room.objects.filter(clinic=clinic).count() == 1 and Room.objects.get(pk=room.pk).active


def test_a_clinic_admin_adds_deactivates_and_reactivates_a_room(client, admin_user, room):
    client.force_login(admin_user)
    response = client.post(reverse("scheduling:room_create"), {"name": "  Laser room "})
    assert response.status_code == 302
    assert Room.objects.filter(clinic=admin_user.clinic, name="Laser room").exists()
    response = client.post(reverse("scheduling:room_create"), {"name": "procedure room 1"})
    assert response.status_code == 400
    assert "already has a room" in " ".join(response.context["form"].errors["name"])
    client.post(reverse("scheduling:room_deactivate", args=[room.pk]))
    assert not Room.objects.get(pk=room.pk).active
    page = client.get(reverse("scheduling:book"))
    assert room.pk not in [r.pk for r in page.context["form"].fields["room"].queryset]
    client.post(reverse("scheduling:room_reactivate", args=[room.pk]))
    assert Room.objects.get(pk=room.pk).active


def test_another_clinics_appointment_and_room_ids_do_not_exist(client, other_admin, book, room):
    appointment = book()
    client.force_login(other_admin)
    urls = page_urls(appointment.pk, room.pk)
    for url in urls["get"][3:]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"cancel-reason": "x", "noshow-reason": "x", "date": "2030-01-01", "start_time": "10:00"}).status_code == 404, url
    for url in urls["post"][1:]:  # the patient search is not about one appointment
        assert client.post(url).status_code == 404, url
    assert client.get(reverse("scheduling:day"), {"room": room.pk}).status_code == 404
    assert client.get(reverse("scheduling:week"), {"practitioner": appointment.practitioner_id}).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.version == 1
    assert Room.objects.get(pk=room.pk).active


def test_reception_books_from_the_form_and_sees_it_in_the_day_view(client, receptionist, patient, trichologist, room, tomorrow):
    client.force_login(receptionist)
    response = client.post(reverse("scheduling:book"), form_data(patient, trichologist, room, tomorrow, notes="Prefers mornings"))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.created_by == receptionist
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "10:00"
    day = client.get(response["Location"])
    assert day.status_code == 200
    html = day.content.decode()
    assert patient.full_name in html and "Mesotherapy session" in html and "10:00–11:00" in html
    entry = AuditEntry.objects.get(object_type="appointment", action="create")
    assert entry.user_id == receptionist.pk and entry.patient_id == patient.pk


def test_a_second_booking_of_the_same_practitioner_slot_is_refused_in_the_form(client, receptionist, patient, make_patient, trichologist, room, room2, tomorrow):
    client.force_login(receptionist)
    client.post(reverse("scheduling:book"), form_data(patient, trichologist, room, tomorrow))
    other = make_patient(receptionist.clinic, given_name="Kavya")
    response = client.post(reverse("scheduling:book"), form_data(other, trichologist, room2, tomorrow, start_time="10:30"))
    assert response.status_code == 400
    assert "already booked" in " ".join(response.context["form"].errors["practitioner"])
    assert b"already booked" in response.content
    assert Appointment.objects.count() == 1


def test_a_second_booking_of_the_same_room_slot_is_refused_in_the_form(client, clinic, make_patient, receptionist, patient, practitioner, trichologist, room, tomorrow):
    client.force_login(receptionist)
    client.post(reverse("scheduling:book"), form_data(patient, trichologist, room, tomorrow))
    other = make_patient(clinic, given_name="Ravi")
    response = client.post(reverse("scheduling:book"), form_data(other, practitioner, room, tomorrow, start_time="10:45", duration_minutes="30"))
    assert response.status_code == 400
    assert "already in use" in " ".join(response.context["form"].errors["room"])
    assert Appointment.objects.count() == 1


def test_back_to_back_bookings_through_the_form_are_allowed(client, receptionist, patient, trichologist, room, tomorrow):
    client.force_login(receptionist)
    assert client.post(reverse("scheduling:book"), form_data(patient, trichologist, room, tomorrow)).status_code == 302
    assert client.post(reverse("scheduling:book"), form_data(patient, trichologist, room, tomorrow, start_time="11:00")).status_code == 302
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"duration_minutes": "-30"}, "duration_minutes", "must end after it starts"),
        ({"duration_minutes": "0"}, "duration_minutes", "must end after it starts"),
        ({"duration_minutes": "50"}, "duration_minutes", "15-minute steps"),
        ({"duration_minutes": "lots"}, "duration_minutes", "whole number"),
        ({"start_time": "10:10"}, "start_time", "quarter hour"),
        ({"start_time": "23:30", "duration_minutes": "60"}, "duration_minutes", "by midnight"),
        ({"start_time": "25:00"}, "start_time", "valid time"),
        ({"date": "2020-01-01"}, "date", "today or a later date"),
        ({"date": "31/31/2026"}, "date", "valid date"),
        ({"patient": "999999"}, "patient", "not on this clinic's register"),
        ({"patient": ""}, "patient", "choose them from the results"),
        ({"kind": "botox"}, "kind", "valid choice"),
        ({"room": "999999"}, "room", "active room of this clinic"),
        ({"practitioner": "abc"}, "practitioner", "practitioner or trichologist"),
    ],
)
def test_bad_input_is_refused_with_a_message_at_the_field_and_nothing_saved(client, receptionist, patient, trichologist, room, tomorrow, overrides, field, message):
    client.force_login(receptionist)
    response = client.post(reverse("scheduling:book"), form_data(patient, trichologist, room, tomorrow, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert message.replace("'", "&#x27;").encode() in response.content
    assert Appointment.objects.count() == PractitionerSlot.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="appointment").exists()


def test_another_clinics_patient_room_or_practitioner_is_refused(client, receptionist, patient, trichologist, room, tomorrow, other_clinic, make_patient, other_room, make_user):
    client.force_login(receptionist)
    theirs = {
        "patient": make_patient(other_clinic).pk,
        "room": other_room.pk,
        "practitioner": make_user(other_clinic, "trichologist").pk,
    }
    for field, value in theirs.items():
        response = client.post(reverse("scheduling:book"), form_data(patient, trichologist, room, tomorrow, **{field: value}))
        assert response.status_code == 400
        assert field in response.context["form"].errors
    assert Appointment.objects.count() == 0


def test_the_booking_form_finds_patients_by_name_phone_or_record_number(client, receptionist, make_patient):
    asha = make_patient(receptionist.clinic, given_name="Asha", family_name="Bhosale", phone="+919867011111")
    make_patient(receptionist.clinic, given_name="Vikram", family_name="Rao", phone="+919867022222")
    client.force_login(receptionist)
    for query in ["bhosale", "98670 11111", asha.mrn]:
        response = client.get(reverse("scheduling:book"), {"patient_query": query})
        assert [p.pk for p in response.context["form"].patient_candidates] == [asha.pk], query
    partial = client.post(reverse("scheduling:patient_search"), {"patient_query": "bhosale"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Asha Bhosale" in partial.content and b"Vikram" not in partial.content
    none = client.post(reverse("scheduling:patient_search"), {"patient_query": "nobody"})
    assert b"No patient matches" in none.content
    # Without JavaScript the "Find patient" button posts the form back and lists the matches.
    found = client.post(reverse("scheduling:book"), {"patient_query": "rao", "find": "1", "date": "2030-01-01"})
    assert found.status_code == 200 and b"Vikram Rao" in found.content
    assert Appointment.objects.count() == 0
    read = AuditEntry.objects.filter(object_type="patient_list").last()
    assert read.changes["patient_ids"]


def test_the_booking_form_never_lists_the_whole_register(client, receptionist, make_patient):
    make_patient(receptionist.clinic, given_name="Zoya")
    client.force_login(receptionist)
    response = client.get(reverse("scheduling:book"))
    assert b"Zoya" not in response.content
    assert response.context["form"].patient_candidates == []


def test_the_day_view_shows_practitioners_or_rooms_across_and_filters(client, receptionist, book, practitioner, room2, make_patient, tomorrow):
    first = book(start="10:00")
    second = book(start="10:00", practitioner=practitioner, room=room2, patient=make_patient(receptionist.clinic, given_name="Kavya"))
    client.force_login(receptionist)
    day = tomorrow.isoformat()
    by_person = client.get(reverse("scheduling:day"), {"date": day})
    assert [c.label for c in by_person.context["columns"]] == [str(practitioner), str(first.practitioner)] or len(by_person.context["columns"]) == 2
    by_room = client.get(reverse("scheduling:day"), {"date": day, "by": "room"})
    assert [c.label for c in by_room.context["columns"]] == ["Procedure room 1", "Procedure room 2"]
    one = client.get(reverse("scheduling:day"), {"date": day, "practitioner": practitioner.pk})
    assert [a.pk for c in one.context["columns"] for a in c.appointments] == [second.pk]
    in_room = client.get(reverse("scheduling:day"), {"date": day, "by": "room", "room": first.room_id})
    assert [a.pk for c in in_room.context["columns"] for a in c.appointments] == [first.pk]


def test_the_calendar_answers_htmx_navigation_with_the_grid_only(client, receptionist, book, tomorrow):
    book()
    client.force_login(receptionist)
    response = client.get(reverse("scheduling:day"), {"date": tomorrow.isoformat()}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar")
    assert response.status_code == 200
    assert b"<html" not in response.content and b"cal-grid" in response.content
    full = client.get(reverse("scheduling:day"), {"date": tomorrow.isoformat()})
    assert b"<html" in full.content and b"Next day" in full.content and b"Previous day" in full.content


def test_the_week_view_lays_out_days_across_for_one_practitioner(client, trichologist, book, tomorrow):
    appointment = book(start="10:00")
    client.force_login(trichologist)
    response = client.get(reverse("scheduling:week"), {"date": tomorrow.isoformat()})
    assert response.status_code == 200
    columns = response.context["columns"]
    assert len(columns) == 7 and columns[0].day.weekday() == 0
    assert [a.pk for c in columns for a in c.appointments] == [appointment.pk]
    nxt = client.get(reverse("scheduling:week"), {"date": (tomorrow + timedelta(days=7)).isoformat(), "practitioner": trichologist.pk})
    assert [a for c in nxt.context["columns"] for a in c.appointments] == []


def test_a_bad_calendar_date_is_a_400_naming_the_field(client, receptionist):
    client.force_login(receptionist)
    response = client.get(reverse("scheduling:day"), {"date": "not-a-date"})
    assert response.status_code == 400
    assert "date" in response.context["form"].errors


def test_viewing_the_calendar_records_which_patients_were_shown(client, receptionist, book, tomorrow, patient):
    book()
    client.force_login(receptionist)
    client.get(reverse("scheduling:day"), {"date": tomorrow.isoformat()})
    entry = AuditEntry.objects.filter(object_type="calendar").get()
    assert entry.action == "read" and entry.changes["patient_ids"] == [patient.pk]


def test_cancel_through_the_form_needs_a_reason_and_frees_the_slot(client, receptionist, book):
    appointment = book()
    client.force_login(receptionist)
    url = reverse("scheduling:cancel", args=[appointment.pk])
    response = client.post(url, {"cancel-reason": "   "})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"
    response = client.post(url, {"cancel-reason": "Patient unwell"})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"
    assert PractitionerSlot.objects.count() == 0
    book()  # the slot is free again


def test_no_show_through_the_form(client, receptionist, book, tomorrow, at):
    today = timezone.localdate()
    appointment = book(day=today, start="00:15", duration_minutes=15)
    client.force_login(receptionist)
    url = reverse("scheduling:no_show", args=[appointment.pk])
    assert client.post(url, {"noshow-reason": ""}).status_code == 400
    assert client.post(url, {"noshow-reason": "Did not answer two calls"}).status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.status_reason) == ("no_show", "Did not answer two calls")
    later = book(day=tomorrow, start="10:00")
    response = client.post(reverse("scheduling:no_show", args=[later.pk]), {"noshow-reason": "x"})
    assert response.status_code == 400 and b"later day" in response.content


def test_reception_marks_a_patient_arrived(client, receptionist, book):
    appointment = book(day=timezone.localdate(), start="09:00")
    client.force_login(receptionist)
    response = client.post(reverse("scheduling:arrived", args=[appointment.pk]))
    assert response.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == "arrived"
    assert client.get(reverse("scheduling:arrived", args=[appointment.pk])).status_code == 405


def test_moving_through_the_form_keeps_exclusivity_and_refuses_stale_forms(client, receptionist, book, make_patient, room2, tomorrow):
    first = book(start="10:00")
    second = book(start="12:00", room=room2, patient=make_patient(receptionist.clinic))
    client.force_login(receptionist)
    url = reverse("scheduling:move", args=[second.pk])
    data = {"date": tomorrow.isoformat(), "start_time": "10:30", "practitioner": second.practitioner_id, "room": room2.pk, "version": 1}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "already booked" in " ".join(response.context["form"].errors["practitioner"])
    response = client.post(url, {**data, "start_time": "10:45"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert timezone.localtime(second.starts_at).strftime("%H:%M") == "10:45" and second.version == 2
    response = client.post(url, {**data, "start_time": "14:00"})
    assert response.status_code == 400 and b"Someone else changed this appointment" in response.content
    response = client.post(url, {**data, "start_time": "14:05", "version": 2})
    assert response.status_code == 400 and "start_time" in response.context["form"].errors
    assert first.pk


def test_moving_a_course_appointment_offers_to_re_plan_the_rest_of_the_course(client, receptionist, book, tomorrow):
    appointment = book(course_id=7, course_session_number=2)
    client.force_login(receptionist)
    data = {"date": tomorrow.isoformat(), "start_time": "15:00", "practitioner": appointment.practitioner_id, "room": appointment.room_id, "version": 1}
    response = client.post(reverse("scheduling:move", args=[appointment.pk]), data, follow=True)
    assert response.status_code == 200
    try:
        replan = reverse("treatments:replan", kwargs={"course_id": 7})
    except NoReverseMatch:
        assert b"Re-plan the rest of the course" not in response.content
    else:
        assert f'href="{replan}?appointment={appointment.pk}"'.encode() in response.content
        assert b"Re-plan the rest of the course" in response.content


def test_no_re_planning_is_offered_without_a_course_or_without_the_treatments_url(book, monkeypatch):
    from anagen.scheduling import views

    appointment = book()
    assert views.replan_url(appointment) is None
    appointment.course_id = 7

    def missing(*args, **kwargs):
        raise NoReverseMatch("treatments:replan")

    monkeypatch.setattr(views, "reverse", missing)
    assert views.replan_url(appointment) is None


def test_the_nav_links_the_calendar_for_every_role(client, receptionist):
    client.force_login(receptionist)
    assert b'href="/calendar/">Calendar</a>' in client.get(reverse("home")).content


def test_services_refuse_a_move_of_a_cancelled_appointment(book, actor, tomorrow, at):
    appointment = book()
    services.cancel_appointment(actor, appointment, "no longer needed")
    with pytest.raises(services.BookingError):
        services.move_appointment(actor, appointment, starts_at=at(tomorrow, "15:00"))
