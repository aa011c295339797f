"""The consultations router (screening, drafting and signing consultations, cautions, deferrals and
addenda): each operation works, refuses bad input naming the field, refuses conflicts with 409,
and leaves the audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


INTAKE = {
    "age_years": 34, "sex": "female", "pregnant": False, "breastfeeding": False, "planning_conception": False,
    "conditions": [], "medications": [], "allergies": [],
    "scalp": {"active_infection": False, "active_inflammation": False, "scarring_alopecia": False},
    "pattern": {"scale": "ludwig", "stage": "I"}, "diagnosis": "androgenetic_alopecia",
}


def _signed_with_caution_and_deferral(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    started = api("post", "/consultations", {"patient_id": world["patient"].pk})
    path = f"/consultations/{started.data['id']}"
    saved = api("patch", path, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia",
                                "condition_codes": ["keloid_tendency"], "breastfeeding": True}, if_match=started["ETag"])
    assert saved.status_code == 200, saved.data
    signed = api("post", f"{path}/sign")
    assert signed.status_code == 200, signed.data
    return api, path


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


def test_a_trichologist_acknowledges_a_caution_once(world, api_as):
    api, path = _signed_with_caution_and_deferral(world, api_as)
    unknown = api("post", f"{path}/acknowledgements", {"code": "not_a_finding", "reason": "x"})
    assert unknown.status_code == 422 and error_fields(unknown) == {"code"}
    done = api("post", f"{path}/acknowledgements", {"code": "keloid_tendency", "reason": "No keloids in 10 years."})
    assert done.status_code == 201 and done.data["code"] == "keloid_tendency"
    assert api("post", f"{path}/acknowledgements", {"code": "keloid_tendency", "reason": "again"}).status_code == 409
    assert AuditEntry.objects.filter(object_type="screening_acknowledgement", action="create").count() == 1


def test_a_trichologist_sets_a_deferral_review_date_after_today(world, api_as):
    api, path = _signed_with_caution_and_deferral(world, api_as)
    today = timezone.localdate()
    past = api("put", f"{path}/deferral", {"review_on": today, "reason": "After breastfeeding"})
    assert past.status_code == 422 and error_fields(past) == {"review_on"}
    later = today + dt.timedelta(days=120)
    done = api("put", f"{path}/deferral", {"review_on": later, "reason": "After breastfeeding"})
    assert done.status_code == 200 and done.data["review_on"] == later.isoformat()


def test_addenda_go_on_signed_consultations_only(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    signed = f"/consultations/{world['consultation'].pk}"
    missing = api("post", f"{signed}/addenda", {"reason": "", "text": "x"})
    assert missing.status_code == 422 and error_fields(missing) == {"reason"}
    added = api("post", f"{signed}/addenda", {"reason": "Lab typo", "text": "Ferritin was 52, not 25."})
    assert added.status_code == 201
    listed = api_as(world["staff"]["practitioner"])("get", f"{signed}/addenda")
    assert [a["reason"] for a in listed.data] == ["Lab typo"]
    draft = api("post", "/consultations", {"patient_id": world["patient"].pk})
    assert api("post", f"/consultations/{draft.data['id']}/addenda", {"reason": "r", "text": "t"}).status_code == 409
