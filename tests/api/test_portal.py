"""The portal router (sharing reports, portal access, change and export requests, calendar feeds):
each operation works, refuses bad input naming the field, refuses conflicts with 409, and leaves
the audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import pytest
from django.test import Client

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(world):
    from .conftest import billing_and_reports, portal_and_feeds

    extra = billing_and_reports(world)
    return {**extra, **portal_and_feeds(world, extra["invoice"])}


def test_a_report_is_shared_with_the_patient_and_unshared(world, ids, api_as):
    api = api_as(world["staff"]["trichologist"])
    shared = api("post", f"/progress-reports/{ids['report']}/share", {"shared": True})
    assert shared.status_code == 200 and shared.data["shared_with_patient"] is True
    assert api("post", f"/progress-reports/{ids['report']}/share", {"shared": False}).data["shared_with_patient"] is False
    assert AuditEntry.objects.filter(object_type="progress_report", object_id=str(ids["report"]), action="update").count() == 2
    bad = api("post", f"/progress-reports/{ids['report']}/share", {"shared": "perhaps"})
    assert bad.status_code == 422 and error_fields(bad) == {"shared"}


def test_revoking_portal_access_with_nothing_to_revoke_gets_409(world, api_as):
    api = api_as(world["staff"]["reception"])
    invited = api("post", f"/patients/{world['patient'].pk}/portal-invitation")
    assert invited.status_code == 201
    revoked = api("post", f"/patients/{world['patient'].pk}/portal-access/revoke")
    assert revoked.status_code == 200 and revoked.data["status"] == "Not invited"
    again = api("post", f"/patients/{world['patient'].pk}/portal-access/revoke")
    assert again.status_code == 409


def test_a_change_request_is_listed_and_handled_once(world, ids, api_as):
    api = api_as(world["staff"]["reception"])
    listed = api("get", "/portal/change-requests")
    assert [c["id"] for c in listed.data["items"]] == [ids["change_request"]]
    assert AuditEntry.objects.filter(object_type="patient_list").latest("seq").changes["patient_ids"] == [world["patient"].pk]
    handled = api("post", f"/portal/change-requests/{ids['change_request']}/handle")
    assert handled.status_code == 200 and handled.data["handled_at"]
    assert api("post", f"/portal/change-requests/{ids['change_request']}/handle").status_code == 409
    assert api("get", "/portal/change-requests").data["items"] == []


def test_an_export_request_is_fulfilled_once_and_a_long_note_is_refused(world, ids, api_as):
    api = api_as(world["staff"]["trichologist"])
    assert [e["id"] for e in api("get", "/portal/export-requests").data["items"]] == [ids["export_request"]]
    long = api("post", f"/portal/export-requests/{ids['export_request']}/fulfil", {"note": "x" * 301})
    assert long.status_code == 422 and error_fields(long) == {"note"}
    done = api("post", f"/portal/export-requests/{ids['export_request']}/fulfil", {})
    assert done.status_code == 200 and done.data["fulfilled_at"] and len(done.data["sha256"]) == 64
    assert api("post", f"/portal/export-requests/{ids['export_request']}/fulfil", {}).status_code == 409


def test_a_feed_address_is_shown_once_works_and_stops_when_revoked(world, api_as):
    nurse = api_as(world["staff"]["practitioner"])
    created = nurse("post", "/calendar-feeds", {})
    assert created.status_code == 201 and created.data["kind"] == "practitioner"
    url = created.data["url"]
    assert Client().get(url).status_code == 200
    listed = nurse("get", "/calendar-feeds")
    assert [f["id"] for f in listed.data["items"]] == [created.data["id"]] and "url" not in listed.data["items"][0]
    assert api_as(world["staff"]["reception"])("post", f"/calendar-feeds/{created.data['id']}/revoke").status_code == 404
    revoked = nurse("post", f"/calendar-feeds/{created.data['id']}/revoke")
    assert revoked.status_code == 200 and revoked.data["revoked_at"]
    assert Client().get(url).status_code == 404


def test_a_patient_feed_needs_a_patient_of_the_clinic(world, other_world, api_as):
    api = api_as(world["staff"]["reception"])
    refused = api("post", "/calendar-feeds", {"patient_id": other_world["patient"].pk})
    assert refused.status_code == 422 and error_fields(refused) == {"patient_id"}
    created = api("post", "/calendar-feeds", {"patient_id": world["patient"].pk})
    assert created.status_code == 201 and created.data["patient_id"] == world["patient"].pk
    listed = api("get", f"/calendar-feeds?patient_id={world['patient'].pk}")
    assert created.data["id"] in [f["id"] for f in listed.data["items"]]


def test_staff_list_the_waiting_list_and_the_self_service_changes_of_their_own_clinic_only(world, other_world, api_as):
    import datetime as dt

    from django.utils import timezone

    from anagen.portal.models import SelfServiceChange
    from anagen.waitlist.models import WaitingListEntry

    appointment, patient, now = world["appointment"], world["patient"], timezone.now()
    # The entry of a session still ahead, and one that ended.
    length = appointment.ends_at - appointment.starts_at
    appointment.starts_at, appointment.ends_at = now + dt.timedelta(days=9), now + dt.timedelta(days=9) + length
    appointment.save()
    open_entry = WaitingListEntry.objects.create(clinic=world["clinic"], patient=patient, appointment=appointment,
                                                 joined_starts_at=appointment.starts_at, created_at=now)
    ended = WaitingListEntry.objects.create(clinic=world["clinic"], patient=patient, appointment=appointment,
                                            joined_starts_at=appointment.starts_at, created_at=now - dt.timedelta(days=1),
                                            ended_at=now, end_reason="left")
    change = SelfServiceChange.objects.create(clinic=world["clinic"], patient=patient, appointment=appointment, kind="moved",
                                              from_starts_at=now + dt.timedelta(days=10), to_starts_at=appointment.starts_at,
                                              created_at=now)
    api = api_as(world["staff"]["reception"])
    listed = api("get", "/portal/waiting-list")
    assert listed.status_code == 200 and [e["id"] for e in listed.data["items"]] == [open_entry.pk]
    assert listed.data["items"][0]["appointment_id"] == appointment.pk and listed.data["items"][0]["end_reason"] == ""
    assert AuditEntry.objects.filter(object_type="patient_list").latest("seq").changes["patient_ids"] == [patient.pk]
    everything = api("get", "/portal/waiting-list?include_ended=true")
    assert {e["id"] for e in everything.data["items"]} == {open_entry.pk, ended.pk}
    changes = api("get", "/portal/self-service-changes")
    assert [(c["id"], c["kind"]) for c in changes.data["items"]] == [(change.pk, "moved")]
    assert api("get", "/portal/self-service-changes?days=0").status_code == 422
    # Another clinic's staff see none of it.
    elsewhere = api_as(other_world["users"]["reception"])
    assert elsewhere("get", "/portal/waiting-list?include_ended=true").data["items"] == []
    assert elsewhere("get", "/portal/self-service-changes").data["items"] == []
