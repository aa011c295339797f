"""The demo seed gives the calendar three rooms and a believable week."""

from __future__ import annotations

from datetime import date

import pytest

from anagen.audit.services import verify_chain
from anagen.demo.scheduling import seed_calendar
from anagen.demo.seed import SEEDERS, SeedContext
from anagen.scheduling.models import Appointment, PractitionerSlot, Room

pytestmark = pytest.mark.django_db


def test_the_calendar_seeder_is_registered_once():
    assert SEEDERS.count(seed_calendar) == 1


def test_the_demo_clinic_gets_rooms_and_a_week_of_appointments(clinic, other_clinic, trichologist, practitioner, make_patient):
    # The seeder alone, on a context like seed_demo's, so the test stays fast and independent.
    today = date(2026, 3, 11)  # a Wednesday
    ctx = SeedContext(
        clinic=clinic, branch=other_clinic, staff={"doctor": trichologist, "nurse": practitioner},
        patients=[make_patient(clinic) for _ in range(12)], today=today,
    )
    seed_calendar(ctx)
    assert sorted(Room.objects.filter(clinic=clinic).values_list("name", flat=True)) == ["Consultation room", "Procedure room 1", "Procedure room 2"]
    appointments = Appointment.objects.filter(clinic=clinic)
    assert appointments.count() >= 40
    statuses = set(appointments.values_list("status", flat=True))
    assert {"booked", "completed", "cancelled", "no_show"} <= statuses
    assert set(appointments.values_list("practitioner_id", flat=True)) == {trichologist.pk, practitioner.pk}
    assert not appointments.filter(starts_at__week_day=1).exists()  # closed on Sundays
    assert appointments.filter(starts_at__date__gte=today).exclude(status="booked").count() == 0
    holding = appointments.filter(status__in=["booked", "arrived", "completed"])
    assert PractitionerSlot.objects.count() == sum(a.duration_minutes // 15 for a in holding)
    assert verify_chain().ok
