"""Calendar fixtures: rooms, a clinic-local clock helper and a booking shortcut."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anagen.audit.services import Actor


def clinic_time(day: date, hhmm: str) -> datetime:
    """A clinic-local (Asia/Kolkata) time on a day, as an aware datetime."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes)).replace(tzinfo=timezone.get_default_timezone())


@pytest.fixture
def at() -> Any:
    return clinic_time


@pytest.fixture
def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def room(clinic: Any) -> Any:
    from anagen.scheduling.models import Room

    return Room.objects.create(clinic=clinic, name="Procedure room 1")


@pytest.fixture
def room2(clinic: Any) -> Any:
    from anagen.scheduling.models import Room

    return Room.objects.create(clinic=clinic, name="Procedure room 2")


@pytest.fixture
def other_room(other_clinic: Any) -> Any:
    from anagen.scheduling.models import Room

    return Room.objects.create(clinic=other_clinic, name="Delhi room")


@pytest.fixture
def actor(clinic: Any) -> Actor:
    return Actor.system("test", clinic.pk)


@pytest.fixture
def book(clinic: Any, actor: Actor, patient: Any, trichologist: Any, room: Any, tomorrow: date) -> Any:
    """Book through the service, defaulting to the trichologist in room 1 tomorrow at 10:00 for 45 minutes."""
    from anagen.scheduling import services

    def make(**overrides: Any) -> Any:
        start = overrides.pop("start", "10:00")
        values: dict[str, Any] = {
            "patient": patient,
            "practitioner": trichologist,
            "room": room,
            "kind": "consultation",
            "starts_at": clinic_time(overrides.pop("day", tomorrow), start),
            "duration_minutes": 45,
            **overrides,
        }
        return services.book_appointment(overrides.pop("actor", actor), clinic, **values)

    return make
