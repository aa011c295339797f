"""The treatments router (course plans, formulations and re-planning): each operation works, refuses
bad input naming the field, refuses conflicts with 409, and leaves the audit trail. Roles and
clinics are in test_access.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


def test_it_previews_a_plan_and_refuses_out_of_range_choices(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    monday = world["today"] + dt.timedelta(days=(7 - world["today"].weekday()) % 7 or 7)
    plan = api("post", "/courses/preview", {"start_date": monday, "intensive_sessions": 6, "interval_days": 14,
                                             "maintenance_sessions": 2, "maintenance_interval_days": 60})
    assert plan.status_code == 200 and len(plan.data["sessions"]) == 8
    bad = api("post", "/courses/preview", {"start_date": monday, "intensive_sessions": 60, "interval_days": 14,
                                            "maintenance_sessions": 2, "maintenance_interval_days": 60})
    assert bad.status_code == 422 and bad.data["errors"][0]["field"] == "intensive_sessions"


def test_it_prescribes_a_formulation_checked_by_the_core(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    ok = api("post", "/formulations", {"patient_id": world["patient"].pk,
                                        "components": [{"ingredient": "biotin", "volume_ml": "0.5", "concentration": "5"}]})
    assert ok.status_code == 201, ok.data
    bad = api("post", "/formulations", {"patient_id": world["patient"].pk,
                                         "components": [{"ingredient": "unobtainium", "volume_ml": "0.5", "concentration": "1"}]})
    assert bad.status_code == 422 and bad.data["errors"][0]["field"] == "components.0.ingredient"


def test_moving_a_course_session_replans_the_rest_with_if_match(world, api_as):
    api = api_as(world["staff"]["reception"])
    course = world["course"]
    from anagen.treatments.services import course_appointments

    sessions = [a for a in course_appointments(course) if a.kind == "mesotherapy_session"]
    first, second = sorted(sessions, key=lambda a: a.course_session_number)[:2]
    moved = api("patch", f"/appointments/{first.pk}", {"starts_at": first.starts_at + dt.timedelta(days=7)}, if_match=f'"{first.version}"')
    assert moved.status_code == 200, moved.data
    preview = api("post", f"/courses/{course.pk}/replan-preview", {"appointment_id": first.pk})
    assert preview.status_code == 200 and preview["ETag"] == moved["ETag"]
    assert [c["appointment_id"] for c in preview.data["changes"]] == [second.pk]
    stale = api("post", f"/courses/{course.pk}/replan", {"appointment_id": first.pk}, if_match=f'"{first.version}"')
    assert stale.status_code == 409
    applied = api("post", f"/courses/{course.pk}/replan", {"appointment_id": first.pk}, if_match=preview["ETag"])
    assert applied.status_code == 200 and applied.data["applied"] == 1
    second.refresh_from_db()
    assert timezone.localtime(second.starts_at).date() == dt.date.fromisoformat(preview.data["changes"][0]["new_date"])
    assert AuditEntry.objects.filter(object_type="course", object_id=str(course.pk), action="update").exists()


def test_replanning_with_an_appointment_of_another_course_names_the_field(world, api_as):
    response = api_as(world["staff"]["reception"])("post", f"/courses/{world['course'].pk}/replan-preview",
                                                   {"appointment_id": world["appointment"].pk})
    assert response.status_code == 422 and error_fields(response) == {"appointment_id"}
