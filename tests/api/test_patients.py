from __future__ import annotations

import pytest

from anagen.audit.models import AuditEntry
from anagen.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW = {"given_name": "Ravi", "family_name": "Kumar", "date_of_birth": "1988-02-03", "sex": "male", "phone": "98200 55555"}


def test_it_registers_a_patient_with_the_registry_rules_and_audits_it(staff, api_as):
    api = api_as(staff["reception"])
    response = api("post", "/patients", NEW)
    assert response.status_code == 201, response.data
    assert response.data["phone"] == "+919820055555"
    assert response.data["mrn"].startswith("LOT-")
    assert response["ETag"] == '"1"'
    assert AuditEntry.objects.filter(object_type="patient", action="create", object_id=str(response.data["id"])).exists()


def test_it_refuses_bad_input_naming_the_field_as_problem_details(staff, api_as):
    api = api_as(staff["reception"])
    response = api("post", "/patients", {**NEW, "phone": "12", "date_of_birth": "2999-01-01"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.data["errors"]}
    assert {"phone", "date_of_birth"} <= fields
    assert response.data["status"] == 422 and response.data["type"].endswith("invalid-input")


def test_it_refuses_a_schema_violation_naming_the_field(staff, api_as):
    response = api_as(staff["reception"])("post", "/patients", {**NEW, "sex": "robot"})
    assert response.status_code == 422
    assert [e["field"] for e in response.data["errors"]] == ["sex"]


def test_it_refuses_malformed_json_with_400(staff):
    from django.test import Client

    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor

    secret = issue_token(Actor.system("t"), staff["reception"], "t", expires_at=None, by=staff["reception"]).secret
    response = Client().post("/api/v1/patients", data="{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_it_asks_to_confirm_a_likely_duplicate_with_409(staff, api_as):
    api = api_as(staff["reception"])
    first = api("post", "/patients", NEW)
    again = api("post", "/patients", NEW)
    assert again.status_code == 409
    assert again.data["candidate_ids"] == [first.data["id"]]
    assert api("post", "/patients", {**NEW, "confirm_duplicate": True}).status_code == 201


def test_it_pages_patients_in_a_stable_order_and_audits_the_page(clinic, staff, api_as, make_patient):
    for name in ("Zoya", "Asha", "Meera"):
        make_patient(clinic, given_name=name, family_name="Shah")
    api = api_as(staff["reception"])
    first = api("get", "/patients?page_size=2")
    second = api("get", "/patients?page_size=2&page=2")
    assert first.data["count"] == 3 and first.data["page_size"] == 2
    names = [p["given_name"] for p in first.data["items"] + second.data["items"]]
    assert names == ["Asha", "Meera", "Zoya"]
    entry = AuditEntry.objects.filter(object_type="patient_list").last()
    assert entry.changes["patient_ids"] == [p["id"] for p in second.data["items"]]


def test_it_searches_by_phone(clinic, staff, api_as, make_patient):
    wanted = make_patient(clinic, phone="+919811122233")
    make_patient(clinic)
    response = api_as(staff["reception"])("get", "/patients?q=98111%2022233")
    assert [p["id"] for p in response.data["items"]] == [wanted.pk]


def test_it_updates_with_if_match_and_refuses_a_stale_write_with_409(patient, staff, api_as):
    api = api_as(staff["reception"])
    read = api("get", f"/patients/{patient.pk}")
    etag = read["ETag"]
    ok = api("patch", f"/patients/{patient.pk}", {"address": "12 Hill Road"}, if_match=etag)
    assert ok.status_code == 200 and ok.data["address"] == "12 Hill Road" and ok["ETag"] == '"2"'
    stale = api("patch", f"/patients/{patient.pk}", {"address": "Somewhere else"}, if_match=etag)
    assert stale.status_code == 409
    assert stale.data["type"].endswith("stale-write")
    patient.refresh_from_db()
    assert patient.address == "12 Hill Road"


def test_it_requires_if_match_on_updates(patient, staff, api_as):
    response = api_as(staff["reception"])("patch", f"/patients/{patient.pk}", {"address": "x"})
    assert response.status_code == 428


def test_it_refuses_an_invalid_update_naming_the_field(patient, staff, api_as):
    response = api_as(staff["reception"])("patch", f"/patients/{patient.pk}", {"email": "not-an-email"}, if_match='"1"')
    assert response.status_code == 422 and response.data["errors"][0]["field"] == "email"


def test_it_audits_reading_a_patient(patient, staff, api_as):
    api_as(staff["reception"])("get", f"/patients/{patient.pk}")
    entry = AuditEntry.objects.filter(object_type="patient", action="read").last()
    assert entry.patient_id == patient.pk and entry.username == staff["reception"].username


def test_it_answers_404_for_another_clinics_patient(other_world, staff, api_as):
    response = api_as(staff["clinic_admin"])("get", f"/patients/{other_world['patient'].pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_it_shows_consent_status_to_reception(world, api_as):
    response = api_as(world["staff"]["reception"])("get", f"/patients/{world['patient'].pk}/consents")
    states = {s["purpose"]: s["state"] for s in response.data["statuses"]}
    assert states["treatment"] == "granted" and states["reminders"] == "none"
    record = api_as(world["staff"]["reception"])("get", f"/consents/{world['consent'].pk}")
    assert record.status_code == 200 and record.data["method"] == "typed"


def test_the_api_refuses_a_name_of_only_zero_width_spaces_naming_the_field(api_as, receptionist):
    api = api_as(receptionist)
    body = {"given_name": "\u200b\u200b", "date_of_birth": "1985-03-02", "sex": "male", "phone": "+919820055555"}
    response = api("post", "/patients", body)
    assert response.status_code == 422
    assert response.data["errors"][0]["field"] == "given_name"
    assert not Patient.objects.filter(phone="+919820055555").exists()


def test_patients_are_searched_with_the_words_in_the_body_not_the_url(staff, api_as, make_patient, clinic):
    make_patient(clinic, given_name="Meera", family_name="Joshi")
    make_patient(clinic, given_name="Ravi", family_name="Kumar")
    api = api_as(staff["reception"])
    response = api("post", "/patients/search", {"q": "Joshi", "page_size": 10})
    assert response.status_code == 200
    assert [p["family_name"] for p in response.data["items"]] == ["Joshi"]
    entry = AuditEntry.objects.filter(object_type="patient_list").latest("seq")
    assert entry.changes["patient_ids"] == [response.data["items"][0]["id"]]
    assert api("post", "/patients/search", {"q": "x" * 101}).data["errors"][0]["field"] == "q"


def test_the_get_search_is_marked_deprecated_in_the_openapi_document():
    from anagen.api.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    assert paths["/api/v1/patients"]["get"]["deprecated"] is True
    assert "deprecated" not in paths["/api/v1/patients/search"]["post"]
