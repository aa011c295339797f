"""Request parsing: JSON bodies and query strings with no NUL characters (PostgreSQL cannot store
them in text, and no person types one) and no lone UTF-16 surrogates (JSON's ``\\ud800`` escapes
decode to code points no UTF-8 text may hold, so the database or the response would fail on them),
refused with 422 naming the field."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from anagen.api.problems import Problem
from anagen.core.errors import FieldError

# NUL, and the surrogate block U+D800-U+DFFF that only a JSON escape can put into a Python string.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(text: str) -> str | None:
    """What is wrong with this text, or None when it can be stored."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return "nul" if found.group() == "\x00" else "surrogate"


def _bad_path(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        problem = _unstorable(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _unstorable(str(key))
            if problem == "nul":
                return (f"{path}.{key}".lstrip("."), problem)
            if problem:
                # A surrogate cannot be written back in the answer: name the object holding the key.
                return (path or "body", problem)
            found = _bad_path(item, f"{path}.{key}".lstrip("."))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_path(item, f"{path}.{index}".lstrip("."))
            if found:
                return found
    return None


def _refuse(field: str, problem: str = "nul") -> Problem:
    if problem == "surrogate":
        return Problem(422, "Text may not contain lone UTF-16 surrogates.", kind="invalid-input",
                       errors=[FieldError(field or "body", "Remove the unpaired surrogate (\\ud800-\\udfff): it is not a character.")])
    return Problem(422, "Text may not contain NUL characters.", kind="invalid-input",
                   errors=[FieldError(field or "body", "Remove the NUL (\\u0000) character.")])


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise Problem(400, f"The body is not valid JSON: {exc}", kind="malformed-json") from exc
        found = _bad_path(data, "")
        if found is not None:
            raise _refuse(*found)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        for key, values in data.lists():
            # Query strings and form fields are text; uploaded files (request.FILES) are not read here.
            for text in (key, *(v for v in values if isinstance(v, str))):
                problem = _unstorable(text)
                if problem:
                    # A key with a surrogate cannot be written back in the answer.
                    raise _refuse("query" if problem == "surrogate" and text == key else key, problem)
        return super().parse_querydict(data, list_fields, request)
