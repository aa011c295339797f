"""The clinic set up from its own pages (issue 20, item 6): opening days and hours, closures and
holidays, rooms, appointment types and durations, consent texts; every change audited, bad input
refused naming the field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.accounts.models import ClinicClosure
from anagen.accounts.protocols import opening_hours, settings_for
from anagen.audit.models import AuditEntry
from anagen.scheduling.models import AppointmentDuration, Room

pytestmark = pytest.mark.django_db


def _next(weekday: int) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_the_set_up_page_leads_to_every_set_up_page_including_consent_texts(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("accounts:clinic_settings")).content.decode()
    for name in ("accounts:opening_hours", "accounts:closures", "scheduling:rooms", "scheduling:appointment_types",
                 "consents:text_list", "reminders:settings", "billing:settings", "billing:prices"):
        assert f'href="{reverse(name)}"' in page, name
    assert reverse("procedures:aftercare_edit", args=["en"]) in page
    # The header's Clinic set-up link is this page.
    assert page.count(f'href="{reverse("accounts:clinic_settings")}"') >= 1


def test_the_admin_sets_opening_days_and_hours_and_free_times_follow(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:opening_hours"), {"open_weekdays": ["mon", "wed", "fri"], "opens_at": "10:00",
                                                               "closes_at": "18:30"})
    assert response.status_code == 302
    stored = settings_for(admin_user.clinic)
    assert stored.open_weekdays == ["mon", "wed", "fri"]
    assert opening_hours(admin_user.clinic, _next(0)) == (dt.time(10, 0), dt.time(18, 30))
    assert opening_hours(admin_user.clinic, _next(1)) is None
    entry = AuditEntry.objects.get(object_type="clinic_hours", user_id=admin_user.pk)
    assert entry.changes["opens_at"]["new"] == "10:00"
    summary = client.get(reverse("accounts:clinic_settings")).content.decode()
    assert "10:00–18:30" in summary and "Wednesday" in summary and "Tuesday" not in summary


def test_opening_hours_refuse_no_days_and_closing_before_opening_naming_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:opening_hours"), {"opens_at": "10:00", "closes_at": "18:00"})
    assert response.status_code == 400 and "Tick at least one day the clinic is open." in response.content.decode()
    response = client.post(reverse("accounts:opening_hours"), {"open_weekdays": ["mon"], "opens_at": "18:00", "closes_at": "09:00"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_closes_at_error"' in page and "The clinic must close after it opens (18:00)." in page
    assert not AuditEntry.objects.filter(object_type="clinic_hours").exists()


def test_a_closure_is_added_once_shown_and_removed_with_the_audit_trail(client, admin_user):
    client.force_login(admin_user)
    day = _next(0) + dt.timedelta(days=7)
    response = client.post(reverse("accounts:closures"), {"date": day.isoformat(), "reason": "Diwali"})
    assert response.status_code == 302
    closure = ClinicClosure.objects.get()
    assert opening_hours(admin_user.clinic, day) is None
    page = client.get(reverse("accounts:closures")).content.decode()
    assert "Diwali" in page and f"{day.day} {day:%b %Y}" in page
    again = client.post(reverse("accounts:closures"), {"date": day.isoformat(), "reason": "twice"})
    assert again.status_code == 400 and f"already closed on {day.day} {day:%b %Y}" in again.content.decode()
    past = client.post(reverse("accounts:closures"), {"date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and 'id="id_date_error"' in past.content.decode()
    assert ClinicClosure.objects.count() == 1
    assert client.post(reverse("accounts:closure_remove", args=[closure.pk])).status_code == 302
    assert not ClinicClosure.objects.exists() and opening_hours(admin_user.clinic, day) is not None
    actions = list(AuditEntry.objects.filter(object_type="clinic_closure", object_id=str(closure.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete"]


def test_appointment_durations_are_set_and_the_booking_form_offers_them(client, admin_user, receptionist):
    client.force_login(admin_user)
    form = client.get(reverse("scheduling:appointment_types")).content.decode()
    assert re.search(r'<input[^>]*name="consultation"[^>]*value="45"|<input[^>]*value="45"[^>]*name="consultation"', form)
    values = {"consultation": "30", "mesotherapy_session": "75", "prf": "60", "exosomes": "45", "peptide_therapy": "45", "review": "15"}
    assert client.post(reverse("scheduling:appointment_types"), values).status_code == 302
    assert AppointmentDuration.objects.get(kind="mesotherapy_session").minutes == 75
    entry = AuditEntry.objects.get(object_type="appointment_durations")
    assert entry.changes["mesotherapy_session"] == {"old": "60", "new": "75"}
    client.force_login(receptionist)
    booking = client.get(reverse("scheduling:book")).content.decode()
    assert "consultation:30" in booking and "mesotherapy_session:75" in booking and "review:15" in booking


def test_a_duration_off_the_slot_grid_is_refused_naming_the_type(client, admin_user):
    client.force_login(admin_user)
    values = {"consultation": "40", "mesotherapy_session": "60", "prf": "60", "exosomes": "45", "peptide_therapy": "45", "review": "30"}
    response = client.post(reverse("scheduling:appointment_types"), values)
    assert response.status_code == 400
    assert 'id="id_consultation_error"' in response.content.decode() and "in steps of 15" in response.content.decode()
    assert not AppointmentDuration.objects.exists()


def test_rooms_added_and_deactivated_on_the_page_are_audited(client, admin_user):
    client.force_login(admin_user)
    assert client.post(reverse("scheduling:room_create"), {"name": "Procedure room 3"}).status_code == 302
    room = Room.objects.get(name="Procedure room 3")
    assert client.post(reverse("scheduling:room_deactivate", args=[room.pk])).status_code == 302
    changes = list(AuditEntry.objects.filter(object_type="room", object_id=str(room.pk)).order_by("seq").values_list("action", flat=True))
    assert changes == ["create", "update"]


def test_the_clinic_admin_sets_the_notice_for_changes_in_the_portal_and_it_is_audited(client, admin_user):
    from anagen.accounts.protocols import protocol_for
    from anagen.audit.models import AuditEntry

    client.force_login(admin_user)
    assert settings_for(admin_user.clinic).self_service_notice_hours == 24
    response = client.post(reverse("accounts:opening_hours"), {"open_weekdays": ["mon", "tue"], "opens_at": "09:00", "closes_at": "18:00",
                                                               "self_service_notice_hours": "48"})
    assert response.status_code == 302
    assert protocol_for(admin_user.clinic).self_service_notice_hours == 48
    entry = AuditEntry.objects.filter(object_type="clinic_hours").order_by("-seq").first()
    assert entry.changes["self_service_notice_hours"] == {"old": "24", "new": "48"}
    assert "up to 48 hours before" in client.get(reverse("accounts:clinic_settings")).content.decode()


def test_a_notice_out_of_range_is_refused_naming_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:opening_hours"), {"open_weekdays": ["mon"], "opens_at": "09:00", "closes_at": "18:00",
                                                               "self_service_notice_hours": "1000"})
    assert response.status_code == 400
    assert response.context["form"].errors["self_service_notice_hours"]
    assert settings_for(admin_user.clinic).self_service_notice_hours == 24
