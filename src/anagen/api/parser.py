"""Request parsing: JSON bodies and query strings with no NUL characters (PostgreSQL cannot store
them in text, and no person types one), refused with 422 naming the field."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from anagen.api.problems import Problem
from anagen.core.errors import FieldError


def _nul_path(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return f"{path}.{key}".lstrip(".")
            found = _nul_path(item, f"{path}.{key}".lstrip("."))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}.{index}".lstrip("."))
            if found:
                return found
    return None


def _refuse(field: str) -> Problem:
    return Problem(422, "Text may not contain NUL characters.", kind="invalid-input",
                   errors=[FieldError(field or "body", "Remove the NUL (\\u0000) character.")])


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise Problem(400, f"The body is not valid JSON: {exc}", kind="malformed-json") from exc
        found = _nul_path(data, "")
        if found is not None:
            raise _refuse(found)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                raise _refuse(key)
        return super().parse_querydict(data, list_fields, request)
