"""Every schema of the OpenAPI document has one name (issue 19, finding 9): two classes sharing a
name left one of them undocumented, and ``/consultations/{id}/addenda`` was documented with the
session addendum's ``session_id``, which it never returned."""

from __future__ import annotations

import inspect
import typing
from collections import defaultdict

import jsonschema
import pytest
from pydantic import BaseModel

from anagen.api.api import api

pytestmark = pytest.mark.django_db


def _models(annotation: object, seen: set[type[BaseModel]]) -> None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            for field in annotation.model_fields.values():
                _models(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _models(argument, seen)


def _every_model() -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models(model, seen)
                for model in (operation.response_models or {}).values():
                    _models(model, seen)
    return seen


def test_no_two_schemas_of_the_api_share_a_name():
    names: dict[str, set[str]] = defaultdict(set)
    for model in _every_model():
        names[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    collisions = {name: sorted(classes) for name, classes in names.items() if len(classes) > 1}
    assert collisions == {}


def test_the_walk_finds_the_schemas_the_document_names():
    """The collision check above sees what the document is built from (else it could pass empty)."""
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    walked = {model.__name__ for model in _every_model()}
    assert {"PatientOut", "ConsultationAddendumOut", "SessionAddendumOut"} <= walked
    assert {"ConsultationAddendumOut", "SessionAddendumOut"} <= set(document["components"]["schemas"])


def _resolved(document: dict, schema: dict) -> dict:
    """The schema with the document's components, for jsonschema to follow ``$ref``s."""
    return {**schema, "components": document["components"]}


def test_a_consultations_addenda_match_their_documented_schema(world, api_as):
    api_client = api_as(world["staff"]["trichologist"])
    consultation = world["consultation"]
    created = api_client("post", f"/consultations/{consultation.pk}/addenda", {"reason": "Typing error", "text": "Ferritin was 25."})
    assert created.status_code == 201, created.data
    listed = api_client("get", f"/consultations/{consultation.pk}/addenda")
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    operation = document["paths"]["/api/v1/consultations/{consultation_id}/addenda"]["get"]
    # ninja keys its own responses by number; the JSON document served makes them strings.
    schema = {str(k): v for k, v in operation["responses"].items()}["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(listed.data, _resolved(document, schema))
    assert "session_id" not in listed.data[0]
    assert listed.data[0]["consultation_id"] == consultation.pk
