"""The booking step a recall's one-tap link opens: free times around the planned date, one booking
in one transaction, the link spent; expired, tampered, used or another clinic's links get a clear
page and write nothing (issue 22, item 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from tests import builders

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.portal import services
from anagen.portal.models import SelfServiceChange
from anagen.recall import services as recalls
from anagen.recall.models import RecallLink, RecallStatus
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def start() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=8)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)  # a Monday


@pytest.fixture
def recalled(patient, trichologist, room, start):
    return builders.recalled_session(patient, trichologist, room, start=start)


def sent_link(recall, *, sent_at=None) -> str:
    """The recall marked sent and a link as its message carried it: the raw token."""
    sent_at = sent_at or timezone.now()
    recalls.mark_sent(recall, sent_at)
    token = recalls.new_token()
    recalls.store_link(recall.pk, token, sent_at)
    return token


def writes() -> tuple[int, int, int]:
    return AuditEntry.objects.count(), Appointment.objects.count(), SelfServiceChange.objects.count()


def open_link(client, token):
    response = client.get(reverse("portal:recall_link", args=[token]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:recall")
    return client.get(reverse("portal:recall"))


def first_offer(client) -> str:
    page = client.get(reverse("portal:recall"))
    return page.context["options"].days[0][1][0].isoformat()


def test_the_link_opens_the_booking_step_with_free_times_around_the_planned_date(client, recalled, patient):
    _course, recall = recalled
    page = open_link(client, sent_link(recall))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Book your maintenance session" in content
    days = [day for day, _starts in page.context["options"].days]
    assert days and days[0] >= recall.due_date - dt.timedelta(days=7) and days[-1] <= recall.due_date + dt.timedelta(days=21)
    assert all(day.weekday() != 6 for day in days)
    # A forwarded link shows no more than the booking step: not the patient's name, record or treatment.
    assert patient.full_name not in content and patient.mrn not in content and "lopecia" not in content
    read = AuditEntry.objects.filter(object_type="recall", action="read").latest("id")
    assert read.patient_id == patient.pk


def test_the_patient_books_a_time_and_the_course_and_reception_follow(client, recalled, patient, patient_user, receptionist):
    course, recall = recalled
    open_link(client, sent_link(recall))
    chosen = first_offer(client)
    page = client.post(reverse("portal:recall"), {"starts_at": chosen})
    assert page.status_code == 200 and "Your session is booked" in page.content.decode()
    booked = Appointment.objects.get(course_id=course.pk, course_session_number=2, status="booked")
    assert booked.starts_at == dt.datetime.fromisoformat(chosen)
    recall.refresh_from_db()
    assert recall.status == RecallStatus.BOOKED and recall.appointment == booked
    assert RecallLink.objects.get().used_at is not None
    change = SelfServiceChange.objects.get()
    assert change.kind == "booked" and change.appointment == booked
    created = AuditEntry.objects.get(object_type="appointment", object_id=str(booked.pk), action="create")
    assert created.username == patient_user.username  # audited as the patient
    client.force_login(receptionist)
    today = client.get(reverse("home")).content.decode()
    assert "booked maintenance session 2 for" in today and patient.full_name in today


def test_a_second_use_of_the_link_says_it_has_been_used_and_offers_to_sign_in(client, recalled):
    _course, recall = recalled
    token = sent_link(recall)
    open_link(client, token)
    client.post(reverse("portal:recall"), {"starts_at": first_offer(client)})
    before = writes()
    again = client.get(reverse("portal:recall_link", args=[token]))
    assert again.status_code == 410
    content = again.content.decode()
    assert "This link has already been used" in content and reverse("login") in content
    assert writes() == before


def test_an_expired_link_gets_a_clear_page_and_nothing_is_written(client, recalled):
    _course, recall = recalled
    token = sent_link(recall, sent_at=timezone.now() - dt.timedelta(days=15))
    before = writes()
    page = client.get(reverse("portal:recall_link", args=[token]))
    assert page.status_code == 410 and "This link has expired" in page.content.decode()
    assert writes() == before


def test_a_tampered_link_gets_a_clear_page_and_nothing_is_written(client, recalled):
    _course, recall = recalled
    token = sent_link(recall)
    before = writes()
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:10], "x" * 200):
        page = client.get(reverse("portal:recall_link", args=[bad]))
        assert page.status_code == 404 and "This link is not valid" in page.content.decode()
    assert writes() == before
    assert RecallLink.objects.get().used_at is None


def test_another_clinics_account_cannot_use_the_link_and_nothing_is_written(client, recalled, other_admin):
    _course, recall = recalled
    token = sent_link(recall)
    client.force_login(other_admin)
    before = writes()
    page = client.get(reverse("portal:recall_link", args=[token]))
    assert page.status_code == 403 and "This link is for another clinic" in page.content.decode()
    assert writes() == before


def test_another_patient_signed_in_cannot_use_the_link(client, recalled, other_patient, enrol):
    _course, recall = recalled
    token = sent_link(recall)
    client.force_login(enrol(other_patient))
    page = client.get(reverse("portal:recall_link", args=[token]))
    assert page.status_code == 403 and "This link belongs to another patient" in page.content.decode()


def test_the_booking_step_without_opening_a_link_asks_for_the_link(client):
    page = client.get(reverse("portal:recall"))
    assert page.status_code == 404 and "Open the link from your message again" in page.content.decode()


def test_the_loser_of_a_race_for_a_time_reads_that_someone_has_just_taken_it(client, recalled, make_patient, trichologist, room, clinic):
    course, recall = recalled
    open_link(client, sent_link(recall))
    chosen = first_offer(client)
    scheduling.book_appointment(Actor.system("test", clinic.pk), clinic, patient=make_patient(clinic), practitioner=trichologist,
                                room=room, kind="review", starts_at=dt.datetime.fromisoformat(chosen), duration_minutes=30)
    appointments = Appointment.objects.count()
    page = client.post(reverse("portal:recall"), {"starts_at": chosen})
    assert page.status_code == 400 and "Someone has just taken this time" in page.content.decode()
    assert Appointment.objects.count() == appointments
    assert RecallLink.objects.get().used_at is None
    recall.refresh_from_db()
    assert recall.status == RecallStatus.SENT


def test_a_time_that_was_not_offered_is_refused_naming_the_field(client, recalled):
    _course, recall = recalled
    open_link(client, sent_link(recall))
    sunday = recall.due_date + dt.timedelta(days=(6 - recall.due_date.weekday()) % 7)
    for bad in (f"{sunday.isoformat()}T10:00:00+05:30", "tomorrow", ""):
        page = client.post(reverse("portal:recall"), {"starts_at": bad})
        assert page.status_code == 400
        assert "Time: Choose one of the times offered." in page.content.decode()
    assert RecallLink.objects.get().used_at is None


def test_a_time_in_the_past_is_refused_by_the_service_and_leaves_the_link_unspent(recalled, patient):
    _course, recall = recalled
    token = sent_link(recall)
    claim = services.open_recall_link(token, None)
    with pytest.raises(services.PortalError):
        services.book_recall(claim, None, "2000-01-01T10:00:00+05:30")
    assert RecallLink.objects.get().used_at is None
