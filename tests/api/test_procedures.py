"""The procedures router (session records, addenda and aftercare sheets): each operation works,
refuses bad input naming the field, refuses conflicts with 409, and leaves the audit trail. Roles
and clinics are in test_access.py."""

from __future__ import annotations

import pytest

from anagen.audit.models import AuditEntry

from .conftest import session_body

pytestmark = pytest.mark.django_db


def test_a_practitioner_records_a_session_or_learns_what_blocks_it(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    blocked = api("post", "/sessions", session_body(world["appointment"], world["lot"], identity_confirmed=False))
    assert blocked.status_code == 422 and "identity_confirmed" in {e["field"] for e in blocked.data["errors"]}
    recorded = api("post", "/sessions", session_body(world["appointment"], world["lot"]))
    assert recorded.status_code == 201, recorded.data
    assert recorded.data["lots"][0]["lot_id"] == world["lot"].pk


def test_a_session_takes_an_addendum_and_gives_its_aftercare_sheet(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    path = f"/sessions/{world['session'].pk}"
    assert api("post", f"{path}/addenda", {"reason": "Late note", "text": ""}).status_code == 422
    added = api("post", f"{path}/addenda", {"reason": "Late note", "text": "Mild redness at the vertex."})
    assert added.status_code == 201 and added.data["session_id"] == world["session"].pk
    assert AuditEntry.objects.filter(object_type="session_addendum", patient_id=world["patient"].pk).exists()
    sheet = api_as(world["staff"]["reception"])("get", f"{path}/aftercare?language=hi")
    assert sheet.status_code == 200 and sheet.data["language"] == "hi" and sheet.data["sections"]
    assert api("get", f"{path}/aftercare?language=fr").status_code == 422
