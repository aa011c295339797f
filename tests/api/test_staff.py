"""The staff router (clinic administration: staff, passwords, two-factor resets, clinic details, the
audit trail, erasure): each operation works, refuses bad input naming the field, refuses
conflicts with 409, and leaves the audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


def test_an_admin_adds_staff_changes_a_role_and_cannot_demote_themself(world, api_as):
    admin = world["staff"]["clinic_admin"]
    api = api_as(admin)
    weak = api("post", "/staff", {"username": "newnurse", "role": "practitioner", "password": "123"})
    assert weak.status_code == 422 and error_fields(weak) == {"password"}
    created = api("post", "/staff", {"username": "newnurse", "first_name": "Meera", "role": "practitioner",
                                     "password": "a-long-Unusual-passphrase-71"})
    assert created.status_code == 201 and created.data["two_factor_on"] is False
    taken = api("post", "/staff", {"username": "newnurse", "role": "reception", "password": "a-long-Unusual-passphrase-71"})
    assert taken.status_code == 422 and error_fields(taken) == {"username"}
    body = {"first_name": "Meera", "last_name": "Iyer", "role": "trichologist", "is_active": False}
    changed = api("put", f"/staff/{created.data['id']}", body)
    assert changed.status_code == 200 and (changed.data["role"], changed.data["is_active"]) == ("trichologist", False)
    myself = api("put", f"/staff/{admin.pk}", {**body, "role": "reception", "is_active": True})
    assert myself.status_code == 422 and error_fields(myself) == {"role"}
    assert created.data["id"] in [m["id"] for m in api("get", "/staff?page_size=100").data["items"]]


def test_an_admin_resets_a_members_two_factor_audited(world, api_as):
    member = world["staff"]["practitioner"]
    response = api_as(world["staff"]["clinic_admin"])("post", f"/staff/{member.pk}/two-factor/reset")
    assert response.status_code == 200 and response.data["two_factor_on"] is False
    assert AuditEntry.objects.filter(object_type="user_two_factor", object_id=str(member.pk)).exists()


def test_the_clinic_details_are_saved_and_a_bad_phone_is_refused(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    current = api("get", "/clinic").data
    saved = api("put", "/clinic", {**current, "city": "Pune"})
    assert saved.status_code == 200 and saved.data["city"] == "Pune"
    bad = api("put", "/clinic", {**current, "phone": "call me"})
    assert bad.status_code == 422 and error_fields(bad) == {"phone"}


def test_the_audit_trail_is_filtered_and_paged_within_the_clinic(world, other_world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    patient = world["patient"]
    page = api("get", f"/audit-entries?patient_id={patient.pk}&action=create&page_size=2")
    assert page.status_code == 200 and page.data["count"] > 2 and len(page.data["items"]) == 2
    assert all(e["patient_id"] == patient.pk and e["action"] == "create" for e in page.data["items"])
    assert page.data["items"][0]["seq"] > page.data["items"][1]["seq"]
    outsider = api("get", f"/audit-entries?user_id={other_world['users']['clinic_admin'].pk}")
    assert outsider.status_code == 422 and error_fields(outsider) == {"user_id"}
    assert error_fields(api("get", "/audit-entries?action=dance")) == {"action"}


def test_an_erasure_is_requested_once_and_performed_with_the_record_number(world, api_as):
    api = api_as(world["staff"]["clinic_admin"])
    patient = world["patient"]
    blank = api("post", "/erasure-requests", {"patient_id": patient.pk, "reason": " "})
    assert blank.status_code == 422 and error_fields(blank) == {"reason"}
    created = api("post", "/erasure-requests", {"patient_id": patient.pk, "reason": "Asked in person on 20 Nov"})
    assert created.status_code == 201 and created.data["status"] == "requested"
    assert api("post", "/erasure-requests", {"patient_id": patient.pk, "reason": "Again"}).status_code == 409
    assert [e["id"] for e in api("get", "/erasure-requests").data["items"]] == [created.data["id"]]
    wrong = api("post", f"/erasure-requests/{created.data['id']}/perform", {"confirm_mrn": "NOPE"})
    assert wrong.status_code == 422 and error_fields(wrong) == {"confirm_mrn"}
    done = api("post", f"/erasure-requests/{created.data['id']}/perform", {"confirm_mrn": patient.mrn})
    assert done.status_code == 200 and done.data["status"] == "performed"
    assert api("post", f"/erasure-requests/{created.data['id']}/perform", {"confirm_mrn": patient.mrn}).status_code == 409


def test_an_admin_sets_a_members_password_checked_by_the_password_rules(world, api_as):
    member = world["staff"]["reception"]
    api = api_as(world["staff"]["clinic_admin"])
    weak = api("post", f"/staff/{member.pk}/password", {"password": "123"})
    assert weak.status_code == 422 and error_fields(weak) == {"password"}
    assert api("post", f"/staff/{member.pk}/password", {"password": "another-Long-passphrase-93"}).status_code == 200
    member.refresh_from_db()
    assert member.check_password("another-Long-passphrase-93")
