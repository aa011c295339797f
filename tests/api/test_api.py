"""The API as a whole (anagen.api.api): session and token sign-in, CSRF, throttling, and the
OpenAPI document and its docs page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from anagen.api.tokens import issue_token
from anagen.audit.services import Actor

from .conftest import Api

pytestmark = pytest.mark.django_db


def _issue(user, **kwargs):
    return issue_token(Actor.system("test"), user, "script", expires_at=kwargs.get("expires_at"), by=kwargs.get("by", user))


def test_the_session_works_for_same_origin_calls_and_csrf_is_enforced(patient, receptionist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(receptionist)
    assert client.get("/api/v1/patients").status_code == 200
    body = '{"reason": "x"}'
    refused = client.post("/api/v1/patients", data=body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["type"].endswith("csrf-failed")
    client.get("/account/api-tokens/")
    token = client.cookies["csrftoken"].value
    accepted = client.patch(f"/api/v1/patients/{patient.pk}", data='{"address": "1 Main Road"}', content_type="application/json",
                            HTTP_X_CSRFTOKEN=token, HTTP_IF_MATCH='"1"')
    assert accepted.status_code == 200


def test_it_throttles_a_user_beyond_the_rate_with_429(receptionist, settings):
    settings.ANAGEN_API_RATE = "3/min"
    api = Api(_issue(receptionist).secret)
    statuses = [api("get", "/patients").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    last = api("get", "/patients")
    assert last["Content-Type"] == "application/problem+json" and int(last["Retry-After"]) > 0


def test_the_openapi_document_describes_every_operation_with_problem_responses(client, receptionist):
    from anagen.api.api import api

    client.force_login(receptionist)
    document = client.get("/api/v1/openapi.json").json()
    assert document == json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert len(operations) >= 45
    for operation in operations:
        assert operation["summary"]
        assert "application/problem+json" in operation["responses"]["422"]["content"]
    schemes = document["components"]["securitySchemes"]
    assert {"TokenAuth", "StaffSessionAuth"} <= set(schemes)
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_the_docs_page_loads_its_scripts_from_our_server_with_no_inline_script(client, receptionist):
    client.force_login(receptionist)
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert sources and all(src.startswith("/") for src in sources)
    # Nothing from another host (the page's random CSRF token once held the letters "cdn").
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    for src in sources + re.findall(r'<link[^>]*href="([^"]+)"', page):
        assert client.get(src).status_code == 200, src


def test_a_patient_portal_account_gets_no_staff_api_access(clinic, make_user):
    portal_user = make_user(clinic, "patient", "portaluser")
    assert Api(_issue(portal_user).secret)("get", "/patients").status_code == 401
    client = Client()
    client.force_login(portal_user)
    assert client.get("/api/v1/patients").status_code == 401


def test_the_api_documentation_needs_a_staff_sign_in_or_a_token(client, receptionist, clinic, make_user):
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer ang_nope_nope").status_code == 401
    assert client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {_issue(receptionist).secret}").status_code == 200
    client.force_login(make_user(clinic, "patient", "portal-docs"))
    assert client.get("/api/v1/openapi.json").status_code == 403
