"""The safety router (adverse events, follow-ups, infection clusters): each operation works, refuses
bad input naming the field, refuses conflicts with 409, and leaves the audit trail. Roles and
clinics are in test_access.py."""

from __future__ import annotations

import datetime as dt

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


def test_adverse_events_resolve_with_if_match_and_refuse_stale_changes(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    path = f"/adverse-events/{world['event'].pk}"
    etag = api("get", path)["ETag"]
    resolved = api("post", f"{path}/resolve", {"resolved_on": world["today"]}, if_match=etag)
    assert resolved.status_code == 200 and resolved.data["resolved_on"] == world["today"].isoformat()
    stale = api_as(world["staff"]["trichologist"])("post", f"{path}/review", {"note": "Expected redness"}, if_match=etag)
    assert stale.status_code == 409


def test_it_refuses_an_adverse_event_in_the_future_naming_the_field(world, api_as):
    response = api_as(world["staff"]["practitioner"])("post", "/adverse-events", {
        "patient_id": world["patient"].pk, "event_type": "pain", "severity": "mild",
        "onset_date": world["today"] + dt.timedelta(days=2)})
    assert response.status_code == 422 and response.data["errors"][0]["field"] == "onset_date"


def test_infection_clusters_are_listed_once_each_and_the_read_names_the_patients(world, api_as, monkeypatch):
    from anagen.core.safety import Cluster
    from anagen.safety import services

    lot, patient = world["lot"], world["patient"]
    alert = services.ClusterAlert(lot, Cluster(lot.pk, (patient.pk,), world["today"], world["today"]))
    monkeypatch.setattr(services, "infection_clusters_for", lambda clinic, today, **kwargs: [alert])
    response = api_as(world["staff"]["practitioner"])("get", "/infection-clusters")
    assert response.status_code == 200
    assert response.data == [{"lot_id": lot.pk, "lot_number": lot.lot_number, "product_name": lot.product.name,
                              "patient_ids": [patient.pk], "first_onset": world["today"].isoformat(),
                              "last_onset": world["today"].isoformat(), "current": True}]
    entry = AuditEntry.objects.filter(object_type="infection_clusters").get()
    assert entry.changes["patient_ids"] == [patient.pk]


def test_reception_records_a_follow_up_once(world, api_as):
    api = api_as(world["staff"]["reception"])
    listed = api("get", "/follow-ups")
    task = next(t for t in listed.data["items"] if t["session_id"] == world["session"].pk)
    assert task["state"] == "upcoming"
    path = f"/follow-ups/{task['id']}/record"
    unexplained = api("post", path, {"method": "call", "side_effects_reported": True})
    assert unexplained.status_code == 422 and error_fields(unexplained) == {"outcome"}
    done = api("post", path, {"method": "call", "side_effects_reported": True, "outcome": "Redness for a day"})
    assert done.status_code == 200 and done.data["state"] == "done"
    assert api("post", path, {"method": "call", "side_effects_reported": False}).status_code == 409
    assert AuditEntry.objects.filter(object_type="follow_up_list", action="read").exists()


def test_listing_adverse_events_names_the_patients_on_the_page_in_one_audit_entry(world, api_as):
    listed = api_as(world["staff"]["practitioner"])("get", "/adverse-events")
    assert listed.status_code == 200 and [e["id"] for e in listed.data["items"]] == [world["event"].pk]
    entry = AuditEntry.objects.filter(object_type="adverse_event_list").get()
    assert entry.action == "read" and entry.object_id == "api" and entry.changes["patient_ids"] == [world["patient"].pk]


def test_a_recorded_follow_up_is_refused_with_409_even_when_the_second_answer_is_incomplete(world, api_as):
    api = api_as(world["staff"]["reception"])
    path = f"/follow-ups/{world['session'].follow_up.pk}/record"
    assert api("post", path, {"method": "call", "side_effects_reported": False}).status_code == 200
    again = api("post", path, {"method": "call", "side_effects_reported": True})
    assert again.status_code == 409 and again.data["type"].endswith("invalid-state")
