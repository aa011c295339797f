"""The scheduling router (appointments: booking and moving): each operation works, refuses bad input
naming the field, refuses conflicts with 409, and leaves the audit trail. Roles and clinics are
in test_access.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _slot(hours: int) -> str:
    day = timezone.localdate() + dt.timedelta(days=3)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9 + hours, 0))).isoformat()


def test_reception_books_and_moves_an_appointment_and_a_stale_move_is_refused(world, api_as):
    api = api_as(world["staff"]["reception"])
    body = {"patient_id": world["patient"].pk, "practitioner_id": world["staff"]["practitioner"].pk,
            "room_id": world["room"].pk, "kind": "review", "starts_at": _slot(0), "duration_minutes": 30}
    booked = api("post", "/appointments", body)
    assert booked.status_code == 201, booked.data
    path = f"/appointments/{booked.data['id']}"
    moved = api("patch", path, {"starts_at": _slot(1)}, if_match=booked["ETag"])
    assert moved.status_code == 200 and moved["ETag"] == '"2"'
    assert api("patch", path, {"starts_at": _slot(2)}, if_match=booked["ETag"]).status_code == 409
    taken = api("post", "/appointments", {**body, "starts_at": _slot(1)})
    assert taken.status_code == 409 and taken.data["type"].endswith("slot-taken")
    odd = api("post", "/appointments", {**body, "duration_minutes": 20})
    assert odd.status_code == 422 and odd.data["errors"][0]["field"] == "duration_minutes"
    cancel = api("post", f"{path}/cancel", {"reason": ""})
    assert cancel.status_code == 422 and cancel.data["errors"][0]["field"] == "reason"


def test_listing_appointments_is_audited_as_a_calendar_read_naming_the_patients(world, api_as):
    from anagen.audit.models import AuditEntry

    listed = api_as(world["staff"]["reception"])("get", f"/appointments?patient_id={world['patient'].pk}")
    assert listed.status_code == 200 and world["appointment"].pk in [a["id"] for a in listed.data["items"]]
    entry = AuditEntry.objects.filter(object_type="calendar", object_id="api").get()
    assert entry.action == "read" and entry.changes["patient_ids"] == [world["patient"].pk]
