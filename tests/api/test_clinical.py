from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anagen.audit.models import AuditEntry

from .conftest import session_body

pytestmark = pytest.mark.django_db

INTAKE = {
    "age_years": 34, "sex": "female", "pregnant": False, "breastfeeding": False, "planning_conception": False,
    "conditions": [], "medications": [], "allergies": [],
    "scalp": {"active_infection": False, "active_inflammation": False, "scarring_alopecia": False},
    "pattern": {"scale": "ludwig", "stage": "I"}, "diagnosis": "androgenetic_alopecia",
}


def test_it_runs_the_screening_like_the_cli(world, api_as):
    from anagen.jsoncommands import screen

    response = api_as(world["staff"]["practitioner"])("post", "/screening", INTAKE)
    assert response.status_code == 200
    assert response.data == screen.run(INTAKE)


def test_it_refuses_a_bad_intake_naming_the_field(world, api_as):
    response = api_as(world["staff"]["trichologist"])("post", "/screening", {**INTAKE, "pattern": {"scale": "ludwig", "stage": "IX"}})
    assert response.status_code == 422
    assert response.data["errors"][0]["field"].startswith("pattern")


def test_it_reads_the_screening_of_a_signed_consultation(world, api_as):
    response = api_as(world["staff"]["practitioner"])("get", f"/consultations/{world['consultation'].pk}/screening")
    assert response.data["signed"] is True and response.data["screening"] == world["consultation"].screening


def test_a_trichologist_drafts_and_signs_a_consultation_with_if_match(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    started = api("post", "/consultations", {"patient_id": world["patient"].pk})
    assert started.status_code == 201
    path = f"/consultations/{started.data['id']}"
    body = {"presenting_complaint": "Shedding", "diagnosis_primary": "telogen_effluvium",
            "measurements": {"pull_grasped": 60, "pull_extracted": 8}, "labs": {"ferritin": {"value": "12", "unit": "ng/mL"}}}
    saved = api("patch", path, body, if_match=started["ETag"])
    assert saved.status_code == 200, saved.data
    assert saved.data["measurements"]["pull_extracted"] == 8 and saved.data["labs"][0]["test"] == "ferritin"
    stale = api("patch", path, {"notes": "late"}, if_match=started["ETag"])
    assert stale.status_code == 409
    signed = api("post", f"{path}/sign", if_match=saved["ETag"])
    assert signed.status_code == 200 and signed.data["status"] == "signed"
    assert api("patch", path, {"notes": "x"}, if_match=signed["ETag"]).status_code == 409


def test_it_refuses_invalid_measurements_and_labs_naming_the_fields(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    started = api("post", "/consultations", {"patient_id": world["patient"].pk})
    response = api("patch", f"/consultations/{started.data['id']}",
                   {"measurements": {"pull_grasped": 10, "pull_extracted": 20}, "labs": {"ferritin": {"value": "5", "unit": "furlongs"}}},
                   if_match=started["ETag"])
    assert response.status_code == 422
    fields = {e["field"] for e in response.data["errors"]}
    assert any(f.startswith("measurements.") for f in fields) and "labs.ferritin.unit" in fields


def test_signing_an_incomplete_consultation_names_what_is_missing(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    started = api("post", "/consultations", {"patient_id": world["patient"].pk})
    response = api("post", f"/consultations/{started.data['id']}/sign")
    assert response.status_code == 422
    assert {"presenting_complaint", "diagnosis_primary"} <= {e["field"] for e in response.data["errors"]}


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


def test_a_practitioner_records_a_session_or_learns_what_blocks_it(world, api_as):
    api = api_as(world["staff"]["practitioner"])
    blocked = api("post", "/sessions", session_body(world["appointment"], world["lot"], identity_confirmed=False))
    assert blocked.status_code == 422 and "identity_confirmed" in {e["field"] for e in blocked.data["errors"]}
    recorded = api("post", "/sessions", session_body(world["appointment"], world["lot"]))
    assert recorded.status_code == 201, recorded.data
    assert recorded.data["lots"][0]["lot_id"] == world["lot"].pk


def test_it_lists_who_received_a_lot_in_one_call_and_audits_it(world, api_as):
    response = api_as(world["staff"]["trichologist"])("get", f"/lots/{world['lot'].pk}/recipients")
    assert response.data["patient_count"] == 1
    assert response.data["recipients"][0]["patient_id"] == world["patient"].pk
    assert response.data["recipients"][0]["events"][0]["event_type"] == "erythema"
    assert AuditEntry.objects.filter(object_type="lot_recipients", object_id=str(world["lot"].pk)).exists()


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


def test_it_serves_photo_metadata_and_the_file_with_an_audit_entry(world, api_as):
    import io

    from PIL import Image

    from anagen.audit.services import Actor
    from anagen.photos.services import UploadedFile, upload_photos

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "JPEG")
    [photo] = upload_photos(Actor.system("t", world["clinic"].pk), world["patient"],
                            [UploadedFile(name="a.jpg", size=len(buffer.getvalue()), content=io.BytesIO(buffer.getvalue()))], view_choice="frontal",
                            visit_date=world["today"], today=world["today"], uploaded_by=world["staff"]["trichologist"])
    api = api_as(world["staff"]["practitioner"])
    listed = api("get", f"/photos?patient_id={world['patient'].pk}")
    assert [p["id"] for p in listed.data["items"]] == [photo.pk]
    download = api("get", f"/photos/{photo.pk}/file")
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert download.body.startswith(b"\xff\xd8")
    assert AuditEntry.objects.filter(object_type="photo", object_id=str(photo.pk), action="read").exists()
