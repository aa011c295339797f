"""The waiting list for an earlier time: a patient joins it from a booked course session, a
cancellation (by staff or by a patient) offers the freed time to the waiting patients it suits, in
the portal and by message in their language, and the first to accept gets it; reception sees it
all (issue 22, item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from tests import builders

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.portal import services as portal
from anagen.reminders.models import OutboxMessage
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment
from anagen.waitlist import services
from anagen.waitlist.models import FreedTime, SlotOffer, WaitingListEntry

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()


def next_monday(at_least_days: int = 8) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=at_least_days)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def start() -> dt.date:
    return next_monday()


@pytest.fixture
def make_course(trichologist, room):
    """A three-session course (every 14 days from ``start``) with the trichologist, booked at ``hour``."""
    from anagen.treatments.services import CourseChoices, create_course

    def make(patient, start: dt.date, hour: int = 10):
        consultation = builders.signed_consultation(patient, trichologist)
        formulation = builders.formulation(consultation, trichologist)
        course = create_course(builders.system_actor(patient.clinic), consultation, formulation, CourseChoices(start, 3, 14, 0, 60),
                               practitioner=trichologist, room=room, session_time=dt.time(hour, 0), duration_minutes=45, author=trichologist)
        return list(Appointment.objects.filter(course_id=course.pk).order_by("course_session_number"))

    return make


@pytest.fixture
def opted_in(clinic, receptionist):
    """A patient with a reminders consent and an SMS opt-in in ``language``."""
    from anagen.consents import services as consents
    from anagen.reminders import services as reminders

    def opt(patient, language: str = "en"):
        system = Actor.system("test", clinic.pk)
        text = consents.current_text(clinic, "reminders") or consents.publish_text(system, clinic, "reminders", "en", "Reminders",
                                                                                   "You may send me reminders.")
        consents.sign_consent(system, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=receptionist)
        reminders.opt_in(system, patient, "sms", language)
        return patient

    return opt


@pytest.fixture
def scene(clinic, patient, patient_user, other_patient, enrol, make_course, start, opted_in):
    """``patient`` (A) has sessions on start, +14, +28 at 10:00; ``other_patient`` (B, a portal
    user reading Hindi messages) on start+7, +21, +35 at 10:00, the same practitioner and room."""
    a_sessions = make_course(patient, start)
    b_user = enrol(other_patient)
    opted_in(other_patient, "hi")
    b_sessions = make_course(other_patient, start + dt.timedelta(days=7))
    return {"a": a_sessions, "b": b_sessions, "b_user": b_user}


def actor_of(user) -> Actor:
    return Actor(user_id=user.pk, username=user.username, clinic_id=user.clinic_id, ip_address=None)


def test_a_patient_joins_the_waiting_list_from_a_booked_session_once_and_may_leave_it(client, other_patient, scene):
    b2 = scene["b"][1]
    client.force_login(scene["b_user"])
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:waitlist_join", args=[b2.pk]) in home
    response = client.post(reverse("portal:waitlist_join", args=[b2.pk]))
    assert response.status_code == 302
    entry = WaitingListEntry.objects.get(appointment=b2)
    assert entry.patient == other_patient and entry.joined_starts_at == b2.starts_at and entry.ended_at is None
    assert AuditEntry.objects.filter(object_type="waitlist_entry", object_id=str(entry.pk), action="create",
                                     user_id=scene["b_user"].pk).exists()
    again = client.post(reverse("portal:waitlist_join", args=[b2.pk]))
    assert again.status_code == 409
    assert "already on the waiting list" in again.content.decode()
    assert WaitingListEntry.objects.filter(appointment=b2).count() == 1
    page = client.get(reverse("portal:waiting_list")).content.decode()
    assert reverse("portal:waitlist_leave", args=[entry.pk]) in page
    assert client.post(reverse("portal:waitlist_leave", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.ended_at is not None and entry.end_reason == "left"
    b2.refresh_from_db()
    assert b2.status == "booked"
    # Once left, the session may wait again.
    assert client.post(reverse("portal:waitlist_join", args=[b2.pk])).status_code == 302


def test_another_patients_session_or_entry_is_not_found(client, patient_user, scene):
    b2 = scene["b"][1]
    entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    client.force_login(patient_user)
    assert client.post(reverse("portal:waitlist_join", args=[b2.pk])).status_code == 404
    assert client.post(reverse("portal:waitlist_leave", args=[entry.pk])).status_code == 404


def test_a_session_inside_the_notice_cannot_wait(client, clinic, patient, patient_user, make_course):
    from anagen.accounts.models import ClinicProtocol

    soon = make_course(patient, timezone.localdate() + dt.timedelta(days=3))[0]
    ClinicProtocol.objects.update_or_create(clinic=clinic, defaults={"self_service_notice_hours": 14 * 24})
    client.force_login(patient_user)
    response = client.post(reverse("portal:waitlist_join", args=[soon.pk]))
    assert response.status_code == 409
    assert "336 hours" in response.content.decode()
    assert not WaitingListEntry.objects.exists()


def test_a_staff_cancellation_offers_the_freed_time_in_the_portal_and_by_message_in_the_patients_language(
        client, receptionist, scene):
    b2 = scene["b"][1]
    entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    a2 = scene["a"][1]
    scheduling.cancel_appointment(actor_of(receptionist), a2, "The patient is travelling")
    freed = FreedTime.objects.get(cancelled_appointment=a2)
    offer = SlotOffer.objects.get(freed=freed)
    assert offer.entry == entry and offer.expires_at == a2.starts_at - dt.timedelta(hours=24)
    message = OutboxMessage.objects.get(kind="slot_offer", patient=b2.patient)
    assert message.channel == "sms" and message.language == "hi" and message.appointment_starts_at == a2.starts_at
    assert AuditEntry.objects.filter(object_type="waitlist_offer", object_id=str(offer.pk), patient_id=b2.patient_id).exists()
    client.force_login(scene["b_user"])
    page = client.get(reverse("portal:waiting_list"))
    assert reverse("portal:offer_accept", args=[offer.pk]) in page.content.decode()


def test_the_offer_message_names_the_freed_time_and_links_to_the_portal_without_any_token(scene, receptionist, monkeypatch):
    from anagen.reminders import services as reminders

    b2 = scene["b"][1]
    services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    a2 = scene["a"][1]
    scheduling.cancel_appointment(actor_of(receptionist), a2, "The patient is travelling")
    sent = []

    class Capture:
        def send(self, outgoing):
            sent.append(outgoing)
            return "test-1"

    monkeypatch.setattr(reminders, "provider_for", lambda channel: Capture())
    reminders.run_once(timezone.now(), schedule=False)
    offer_message = OutboxMessage.objects.get(kind="slot_offer")
    [outgoing] = [m for m in sent if m.outbox_id == offer_message.pk]
    local = timezone.localtime(a2.starts_at)
    assert f"{local:%H:%M}" in outgoing.body and f"{local.day} {local:%b %Y}" in outgoing.body
    assert outgoing.subject == "पहले का समय खाली है"  # the patient's language (Hindi)
    assert reverse("portal:waiting_list") + " " in outgoing.body  # the address alone: no id, no token
    offer_message.refresh_from_db()
    assert offer_message.status == "sent"


def test_the_first_to_accept_gets_the_time_and_the_second_reads_it_is_taken_with_their_entry_kept(
        client, receptionist, clinic, make_patient, enrol, make_course, start, scene):
    third = make_patient(clinic, given_name="Meera", family_name="Iyer", sex="female")
    c_user = enrol(third)
    c_sessions = make_course(third, start + dt.timedelta(days=7), hour=12)
    b2, c2 = scene["b"][1], c_sessions[1]
    b_entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    c_entry = services.join(actor_of(c_user), third, c2.pk)
    a2 = scene["a"][1]
    scheduling.cancel_appointment(actor_of(receptionist), a2, "The patient is travelling")
    b_offer, c_offer = SlotOffer.objects.get(entry=b_entry), SlotOffer.objects.get(entry=c_entry)

    client.force_login(c_user)
    won = client.post(reverse("portal:offer_accept", args=[c_offer.pk]))
    assert won.status_code == 302
    c2.refresh_from_db()
    assert c2.starts_at == a2.starts_at
    c_entry.refresh_from_db()
    assert c_entry.end_reason == "offer_taken"

    client.force_login(scene["b_user"])
    lost = client.post(reverse("portal:offer_accept", args=[b_offer.pk]))
    assert lost.status_code == 409
    assert "Another patient has taken this time. You stay on the waiting list" in lost.content.decode()
    b2.refresh_from_db()
    assert b2.starts_at == b_entry.joined_starts_at and b2.status == "booked"
    b_entry.refresh_from_db()
    b_offer.refresh_from_db()
    assert b_entry.ended_at is None and b_offer.accepted_at is None
    assert "Another patient has taken this time." in client.get(reverse("portal:waiting_list")).content.decode()


def test_a_second_acceptance_loses_cleanly_with_nothing_half_written(receptionist, clinic, make_patient, enrol, make_course, start, scene):
    third = make_patient(clinic, given_name="Meera", family_name="Iyer", sex="female")
    c_user = enrol(third)
    c2 = make_course(third, start + dt.timedelta(days=7), hour=12)[1]
    b2 = scene["b"][1]
    b_entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    services.join(actor_of(c_user), third, c2.pk)
    scheduling.cancel_appointment(actor_of(receptionist), scene["a"][1], "The patient is travelling")
    services.accept(actor_of(c_user), third, SlotOffer.objects.get(entry__appointment=c2).pk)
    counts = (AuditEntry.objects.count(), Appointment.objects.filter(starts_at=b2.starts_at).count(),
              portal.SelfServiceChange.objects.count())
    with pytest.raises(services.WaitlistError) as refused:
        services.accept(actor_of(scene["b_user"]), b2.patient, SlotOffer.objects.get(entry=b_entry).pk)
    assert str(refused.value.message) == str(services.TAKEN)
    assert (AuditEntry.objects.count(), Appointment.objects.filter(starts_at=b2.starts_at).count(),
            portal.SelfServiceChange.objects.count()) == counts
    b2.refresh_from_db()
    assert b2.starts_at == b_entry.joined_starts_at and b2.status == "booked"


def test_a_time_the_calendar_filled_meanwhile_is_refused_as_taken_and_the_entry_stays(receptionist, scene, trichologist, room, make_patient):
    b2 = scene["b"][1]
    b_entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    a2 = scene["a"][1]
    scheduling.cancel_appointment(actor_of(receptionist), a2, "The patient is travelling")
    # Reception books a walk-in into the freed time before anyone accepts.
    walk_in = make_patient(a2.clinic, given_name="Kiran", family_name="Rao", sex="female")
    scheduling.book_appointment(actor_of(receptionist), a2.clinic, patient=walk_in, practitioner=trichologist, room=room,
                                kind="review", starts_at=a2.starts_at, duration_minutes=45)
    with pytest.raises(services.WaitlistError) as refused:
        services.accept(actor_of(scene["b_user"]), b2.patient, SlotOffer.objects.get(entry=b_entry).pk)
    assert str(refused.value.message) == str(services.TAKEN)
    b_entry.refresh_from_db()
    b2.refresh_from_db()
    assert b_entry.ended_at is None and b2.starts_at == b_entry.joined_starts_at


def test_an_offer_lapses_at_the_notice_cut_off(receptionist, scene):
    b2 = scene["b"][1]
    b_entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    a2 = scene["a"][1]
    scheduling.cancel_appointment(actor_of(receptionist), a2, "The patient is travelling")
    offer = SlotOffer.objects.get(entry=b_entry)
    with pytest.raises(services.WaitlistError) as refused:
        services.accept(actor_of(scene["b_user"]), b2.patient, offer.pk, now=offer.expires_at)
    assert str(refused.value.message) == str(services.LAPSED)
    b2.refresh_from_db()
    assert b2.starts_at == b_entry.joined_starts_at


def test_a_patients_own_cancellation_in_the_portal_offers_its_time_too(client, patient_user, scene):
    b2 = scene["b"][1]
    services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    a2 = scene["a"][1]
    client.force_login(patient_user)
    assert client.post(reverse("portal:cancel_session", args=[a2.pk])).status_code == 302
    assert SlotOffer.objects.filter(entry__appointment=b2, freed__starts_at=a2.starts_at).exists()


def test_a_freed_time_is_offered_only_where_the_move_keeps_the_course_spacing(receptionist, scene):
    b1, b3 = scene["b"][0], scene["b"][2]  # B: start+7, start+21, start+35
    services.join(actor_of(scene["b_user"]), b1.patient, b1.pk)
    services.join(actor_of(scene["b_user"]), b3.patient, b3.pk)
    # A's session 1 (start) suits B's session 1: nothing before it, 21 days before B's session 2.
    scheduling.cancel_appointment(actor_of(receptionist), scene["a"][0], "The patient is travelling")
    assert SlotOffer.objects.filter(entry__appointment=b1).count() == 1
    assert not SlotOffer.objects.filter(entry__appointment=b3).exists()  # it would come before B's session 2
    # A's session 2 (start+14) is earlier than B's session 3, but before B's session 2 (start+21).
    scheduling.cancel_appointment(actor_of(receptionist), scene["a"][1], "The patient is travelling")
    assert not SlotOffer.objects.filter(entry__appointment=b3).exists()


def test_moving_or_cancelling_the_waiting_session_ends_its_entry(receptionist, scene, patient_user, client):
    b2, b3 = scene["b"][1], scene["b"][2]
    moved_entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    cancelled_entry = services.join(actor_of(scene["b_user"]), b3.patient, b3.pk)
    options = portal.move_options(b2.patient, b2.pk)
    new_start = options.days[-1][1][0][0]
    portal.move_own_session(actor_of(scene["b_user"]), b2.patient, b2.pk, new_start.isoformat())
    scheduling.cancel_appointment(actor_of(receptionist), b3, "Stopping the course")
    moved_entry.refresh_from_db()
    cancelled_entry.refresh_from_db()
    assert moved_entry.end_reason == "moved" and cancelled_entry.end_reason == "cancelled"


def test_reception_sees_joins_offers_and_takes_on_today(client, receptionist, scene):
    b2 = scene["b"][1]
    entry = services.join(actor_of(scene["b_user"]), b2.patient, b2.pk)
    a2 = scene["a"][1]
    scheduling.cancel_appointment(actor_of(receptionist), a2, "The patient is travelling")
    services.accept(actor_of(scene["b_user"]), b2.patient, SlotOffer.objects.get(entry=entry).pk)
    client.force_login(receptionist)
    response = client.get(reverse("home"))
    kinds = [e.kind for e in response.context["panel"].waiting_list]
    assert kinds.count("joined") == 1 and kinds.count("offered") == 1 and kinds.count("taken") == 1
    content = response.content.decode()
    assert "joined the waiting list with session 2" in content
    assert "offered to 1 waiting patient" in content
    assert "took the offered time" in content
    # The move itself is on the self-service list too.
    assert "moved session 2" in content
