"""Strict reading of JSON input documents, shared by the JSON commands.

Every field is required (absent optional values are written as ``null`` where a field allows it),
unknown fields are errors, ``true`` is never a number, and *every* bad field is reported at once
with its dotted path (``scalp.active_infection``, ``completed[0].date``).

Usage::

    r = Reader()
    doc = r.object(document, "", ("start_date", "scalp"))
    if doc:
        start = doc.date("start_date")
        scalp = doc.object("scalp", ("active_infection",))
        infected = scalp.bool("active_infection") if scalp else None
        state = r.build("scalp", ScalpState, active_infection=infected)  # core checks, prefixed
    r.done()  # raises InvalidInput listing every bad field

Accessors return None for a bad or missing value (the error is already recorded) and for an
allowed ``null``. :meth:`Reader.build` always lets the core check the values (so a range error is
reported even when another field has a type error), files the core's InvalidInput under its path,
and returns None if anything under that path was bad. Output helper: :func:`json_number`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, TypeVar

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.validation import join_path, prefixed

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Reader:
    """Collects the errors of one document."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path or "$", message))

    def bad_under(self, path: str) -> bool:
        """Whether any error was recorded at ``path`` or below it."""
        if not path:
            return bool(self.errors)
        return any(e.field == path or e.field.startswith((path + ".", path + "[")) for e in self.errors)

    def object(self, value: Any, path: str, fields: Iterable[str], optional: Iterable[str] = ()) -> Obj | None:
        """Check ``value`` is an object with exactly ``fields`` (and any of ``optional``, fields
        added later that older documents leave out); report missing and unknown ones."""
        if not isinstance(value, dict):
            self.fail(path, "must be a JSON object")
            return None
        wanted = tuple(fields)
        allowed = wanted + tuple(optional)
        for name in wanted:
            if name not in value:
                self.fail(join_path(path, name), "missing field")
        for name in value:
            if name not in allowed:
                self.fail(join_path(path, str(name)), "unknown field")
        return Obj(self, path, value)

    def build(self, path: str, constructor: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``constructor(*args, **kwargs)``, the core validating ranges and consistency; its
        InvalidInput is filed under ``path``. Bad fields already reported are passed as None: the
        core's complaints about those are dropped, so every field is named once. Returns None if
        anything under ``path`` is bad."""
        already = {e.field for e in self.errors}

        def reported(field: str) -> bool:
            return any(f == field or f.startswith((field + ".", field + "[")) for f in already)

        had_errors = self.bad_under(path)
        try:
            result = constructor(*args, **kwargs)
        except InvalidInput as exc:
            self.errors.extend(e for e in prefixed(path, exc).errors if not reported(e.field))
            return None
        except (TypeError, AttributeError, ValueError):
            if had_errors:  # a None standing for a field already reported
                return None
            raise
        return None if had_errors else result

    def build_value(self, path: str, constructor: Callable[[Any], T], value: Any) -> T | None:
        """For a one-field wrapper (e.g. ``CombCount(count)``) read from a bare JSON value: the
        core's errors are filed under ``path`` itself."""

        def wrapped() -> T:
            try:
                return constructor(value)
            except InvalidInput as exc:
                raise InvalidInput(FieldError("$", e.message) for e in exc.errors) from None

        return self.build(path, wrapped)

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


class Obj:
    """A JSON object being read; each accessor reads one required field."""

    def __init__(self, reader: Reader, path: str, data: dict[str, Any]):
        self.reader, self.path, self.data = reader, path, data

    def at(self, key: str) -> str:
        return join_path(self.path, key)

    def _get(self, key: str, nullable: bool) -> tuple[bool, Any]:
        """(present and not null, value)."""
        if key not in self.data:
            return False, None  # reported as missing by Reader.object
        value = self.data[key]
        if value is None:
            if not nullable:
                self.reader.fail(self.at(key), "must not be null")
            return False, None
        return True, value

    def int(self, key: str, nullable: bool = False) -> int | None:
        present, value = self._get(key, nullable)
        if not present:
            return None
        return integer(self.reader, self.at(key), value)

    def number(self, key: str, nullable: bool = False) -> Decimal | None:
        present, value = self._get(key, nullable)
        if not present:
            return None
        return number(self.reader, self.at(key), value)

    def bool(self, key: str) -> bool | None:
        present, value = self._get(key, False)
        if not present:
            return None
        if not isinstance(value, bool):
            self.reader.fail(self.at(key), "must be true or false")
            return None
        return value

    def str(self, key: str, nullable: bool = False) -> str | None:
        present, value = self._get(key, nullable)
        if not present:
            return None
        return text(self.reader, self.at(key), value)

    def date(self, key: str, nullable: bool = False) -> dt.date | None:
        present, value = self._get(key, nullable)
        if not present:
            return None
        return date(self.reader, self.at(key), value)

    def enum(self, key: str, kind: type[E], nullable: bool = False) -> E | None:
        present, value = self._get(key, nullable)
        if not present:
            return None
        return enum(self.reader, self.at(key), value, kind)

    def object(self, key: str, fields: Iterable[str], nullable: bool = False, optional: Iterable[str] = ()) -> Obj | None:
        present, value = self._get(key, nullable)
        if not present:
            return None
        return self.reader.object(value, self.at(key), fields, optional)

    def has(self, key: str) -> bool:
        """Whether an optional field was given (and not null)."""
        return self.data.get(key) is not None

    def items(self, key: str) -> Iterator[tuple[str, Any]]:
        """(path, item) for each element of a required list; nothing if the field is bad."""
        present, value = self._get(key, False)
        if not present:
            return iter(())
        if not isinstance(value, list):
            self.reader.fail(self.at(key), "must be a JSON list")
            return iter(())
        return ((f"{self.at(key)}[{i}]", item) for i, item in enumerate(value))

    def list(self, key: str, read: Callable[[Reader, str, Any], T | None]) -> list[T] | None:
        """A required list read item by item with ``read(reader, path, item)`` (e.g. :func:`date`);
        None if the field or any item is bad."""
        if key not in self.data:
            return None
        out = [read(self.reader, path, item) for path, item in self.items(key)]
        if self.reader.bad_under(self.at(key)):
            return None
        return [item for item in out if item is not None]


# --- Item readers: (reader, path, value) -> value or None (error recorded) ------------------------


def integer(reader: Reader, path: str, value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        reader.fail(path, "must be a whole number")
        return None
    return value


def number(reader: Reader, path: str, value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        reader.fail(path, "must be a number")
        return None
    # json gives floats for decimal text; repr() is that text, so the Decimal is what was written.
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        reader.fail(path, "must be a finite number")
        return None
    return result


def text(reader: Reader, path: str, value: Any) -> str | None:
    if not isinstance(value, str):
        reader.fail(path, "must be text")
        return None
    return value


def date(reader: Reader, path: str, value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.match(value):
        reader.fail(path, "must be a date written YYYY-MM-DD")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        reader.fail(path, f"{value!r} is not a calendar date")
        return None


def enum(reader: Reader, path: str, value: Any, kind: type[E]) -> E | None:
    choices = [str(member.value) for member in kind]
    if not isinstance(value, str) or value not in choices:
        reader.fail(path, f"unknown code {value!r}; one of {', '.join(choices)}")
        return None
    return kind(value)


def enum_reader(kind: type[E]) -> Callable[[Reader, str, Any], E | None]:
    """An item reader for :meth:`Obj.list` that accepts the codes of ``kind``."""
    return lambda reader, path, value: enum(reader, path, value, kind)


# --- Output -----------------------------------------------------------------------------------


def json_number(value: Decimal | Fraction | int, places: int | None = None) -> int | float:
    """A JSON number for output: integral values as int, others as float, optionally rounded."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if places is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-places))
    if value == int(value):
        return int(value)
    return float(value)
