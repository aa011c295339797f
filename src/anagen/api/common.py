"""Helpers every router uses: the actor, page-number pagination, ETag / If-Match versions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from pydantic import Field, create_model

from anagen.api.problems import Problem
from anagen.audit.services import Actor
from anagen.core.errors import FieldError

MAX_PAGE_SIZE = 100
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
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    start = (page - 1) * page_size
    items = list(qs[start:start + page_size])
    return items, {"count": count, "page": page, "page_size": page_size}


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
