"""The five bodies the outside attack (issue 19, finding 8) answered with a 500: each now gets a
problem document that says what is wrong, and nothing is written."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anagen.patients.models import Patient

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def admin_api(api_as, admin_user):
    api = api_as(admin_user)
    # The attack's own client: a 500 must come back as a response, not as a raised exception.
    client = Client(raise_request_exception=False)
    return client, {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}


NEW_PATIENT = '{"given_name": "Asha\\ud800", "date_of_birth": "1990-01-01", "sex": "female", "phone": "+919820012399"}'


def test_a_lone_surrogate_in_a_json_post_is_refused_naming_the_field(admin_api):
    client, auth = admin_api
    before = Patient.objects.count()
    response = client.post(f"{API}/patients", data=NEW_PATIENT, content_type="application/json", **auth)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "given_name"
    assert "surrogate" in response.json()["errors"][0]["message"]
    assert Patient.objects.count() == before


def test_a_lone_surrogate_in_a_json_patch_is_refused_naming_the_field(admin_api, patient):
    client, auth = admin_api
    response = client.patch(f"{API}/patients/{patient.pk}", data='{"family_name": "\\udc00Patil"}',
                            content_type="application/json", HTTP_IF_MATCH="*", **auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "family_name"
    patient.refresh_from_db()
    assert patient.family_name == "Patil"


def test_a_surrogate_in_a_nested_key_is_refused_without_echoing_it(admin_api, patient):
    client, auth = admin_api
    response = client.patch(f"{API}/patients/{patient.pk}", data='{"x": {"\\ud83d": 1}}',
                            content_type="application/json", HTTP_IF_MATCH="*", **auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "x"


def test_a_properly_paired_surrogate_escape_is_an_ordinary_character(admin_api):
    client, auth = admin_api
    body = NEW_PATIENT.replace("\\ud800", "\\ud83d\\ude00").replace("+919820012399", "+919820012398")
    response = client.post(f"{API}/patients", data=body, content_type="application/json", **auth)
    # An emoji is not a letter problem for this endpoint's parser: whatever the name rules say,
    # the answer is a decision about the name, never a crash.
    assert response.status_code in (201, 422)


def test_a_body_over_the_size_limit_gets_413_as_a_problem_document(admin_api, settings):
    client, auth = admin_api
    body = json.dumps({"given_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = client.post(f"{API}/patients", data=body, content_type="application/json", **auth)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert "limit" in response.json()["detail"]


def test_a_photo_upload_without_a_multipart_boundary_gets_400(admin_api, patient):
    client, auth = admin_api
    response = client.generic("POST", f"{API}/patients/{patient.pk}/photos", b"--x\r\n", content_type="multipart/form-data", **auth)
    assert response.status_code == 400
    assert response.json()["type"].endswith("/malformed-multipart")


def test_a_registry_import_without_a_multipart_boundary_gets_400(admin_api):
    client, auth = admin_api
    response = client.generic("POST", f"{API}/registry/import", b"--x\r\n", content_type="multipart/form-data", **auth)
    assert response.status_code == 400
    assert "boundary" in response.json()["detail"]


def test_the_openapi_document_lists_413_for_operations(admin_api):
    from anagen.api.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    assert "413" in document["paths"]["/api/v1/patients"]["post"]["responses"]


def test_a_nul_character_in_a_json_body_is_refused_naming_the_field(admin_api, patient):
    client, auth = admin_api
    response = client.patch(f"{API}/patients/{patient.pk}", data='{"address": "a\\u0000b"}',
                            content_type="application/json", HTTP_IF_MATCH="*", **auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "address"
