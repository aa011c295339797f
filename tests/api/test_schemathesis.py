"""Schemathesis against our own OpenAPI document, inside the test suite: for every operation a
few generated requests (as a clinic admin, with real records behind some ids) must get no 5xx and
no response that breaks the documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db


def _document() -> dict:
    from anagen.api.api import api

    # The same document /api/v1/openapi.json serves (tests/api/test_docs.py checks they match).
    return api.get_openapi_schema(path_prefix="/api/v1/")


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def wsgi_app():
    """The real WSGI application, keeping the test's database connection open between requests
    (as Django's test client does)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def bearer(world, settings):
    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor

    settings.ANAGEN_API_RATE = "100000/min"
    admin = world["staff"]["clinic_admin"]
    return {"Authorization": f"Bearer {issue_token(Actor.system('test'), admin, 'fuzz', expires_at=None, by=admin).secret}"}


EXAMPLES_PER_OPERATION = 6


def test_the_api_never_errors_and_keeps_to_its_schema(bearer, wsgi_app):
    """One clinic for all operations (building it per operation would dominate the run time)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 142
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def check(case):
            response = case.call(app=wsgi_app, headers=bearer)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        check()
