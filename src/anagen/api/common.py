"""Helpers every router uses: the actor, page-number pagination, ETag / If-Match versions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Collection, Mapping
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from anagen.api.problems import Problem
from anagen.audit.pages import page_of_query
from anagen.audit.services import Actor
from anagen.core.errors import FieldError

DEFAULT_PAGE_SIZE = 25

T = TypeVar("T")


def actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def clinic(request: HttpRequest) -> Any:
    return request.clinic  # type: ignore[attr-defined]


_pages: dict[type, type] = {}


def page_of(item: type) -> type:
    """The response schema of one page of ``item``: ``{items, count, page, page_size}``."""
    if item not in _pages:
        _pages[item] = create_model(
            f"{item.__name__.removesuffix('Out')}Page", __base__=Schema,
            items=(list[item], ...), count=(int, ...), page=(int, ...), page_size=(int, ...),  # type: ignore[valid-type]
        )
    return _pages[item]


def paginate(qs: QuerySet[Any] | list[Any], page: int, page_size: int) -> tuple[list[Any], dict[str, int]]:
    """One page of an ordered query (the order always ends with the id, so pages are stable)."""
    result = page_of_query(qs, page, page_size)
    return result.items, result.meta


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = etag(version)


def if_match(request: HttpRequest) -> int | None:
    """The version the client last read, from ``If-Match`` (required on updates; ``*`` skips the check)."""
    raw = request.headers.get("If-Match")
    if raw is None or not raw.strip():
        raise Problem(428, "Send If-Match with the ETag from your last GET of this record, so a stale write is refused.",
                      kind="if-match-required")
    value = raw.strip()
    if value == "*":
        return None
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"').strip()
    if not value.isdigit() or len(value) > 9:
        raise Problem(422, "If-Match must be the ETag of the record, e.g. \"3\".", kind="invalid-input",
                      errors=[_field("If-Match", "Use the ETag from your last GET, e.g. \"3\".")])
    return int(value)


def optional_if_match(request: HttpRequest) -> int | None:
    if not (request.headers.get("If-Match") or "").strip():
        return None
    return if_match(request)


def _field(field: str, message: str) -> Any:
    return FieldError(field, message)


def local_date(value: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(value).date()


# Database ids are 64-bit: a larger number cannot name a record (and must not reach the database).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _plain_titles(schema: dict[str, Any]) -> None:
    # A model field's title and description are its verbose name and help text, translatable
    # (lazy) strings: the document holds them as plain text, which every JSON tool reads.
    for field in schema.get("properties", {}).values():
        for key in ("title", "description"):
            if key in field:
                field[key] = str(field[key])


class ModelOut(Schema):
    """Mixed into an output schema built from a model (``class XOut(ModelSchema, ModelOut)`` with a
    ``Meta``): every field is in every answer, so the document marks each one required, whether or
    not the model gives it a default."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True, json_schema_extra=_plain_titles)


def schema_of(result_type: type, *, name: str, exclude: Collection[str] = (), types: Mapping[str, Any] | None = None) -> type[Schema]:
    """An output schema with the fields of a service's result dataclass, in its order and with its
    types, so a router does not list them again: a field the service adds is in the API at once.
    ``types`` replaces a field's type (a nested schema); ``exclude`` leaves fields out."""
    hints = typing.get_type_hints(result_type)
    fields: dict[str, Any] = {
        f.name: ((types or {}).get(f.name, hints[f.name]), ...) for f in dataclasses.fields(result_type) if f.name not in exclude
    }
    return create_model(name, __base__=Schema, **fields)
