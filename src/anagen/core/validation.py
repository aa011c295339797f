"""Range and type checks shared by the clinical dataclasses.

Core dataclasses validate themselves in ``__post_init__`` with a :class:`Checks` collector, so that
constructing an invalid object raises :class:`~anagen.core.errors.InvalidInput` naming *every* bad
field, whoever built it (the JSON commands, a Django form, a test).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import Any

from anagen.core.errors import FieldError, InvalidInput

Number = int | float | Decimal | Fraction


def is_number(value: Any) -> bool:
    """True for int, float, Decimal and Fraction, but never for bool (``True`` is not 1 here)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return True


class Checks:
    """Collects field errors, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def require(self, condition: bool, field: str, message: str) -> bool:
        if not condition:
            self.add(field, message)
        return condition

    def integer(self, field: str, value: Any, low: int | None = None, high: int | None = None) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, "must be a whole number")
            return False
        return self._within(field, value, low, high, "")

    def number(
        self, field: str, value: Any, low: Number | None = None, high: Number | None = None, unit: str = ""
    ) -> bool:
        if not is_number(value):
            self.add(field, "must be a finite number")
            return False
        return self._within(field, value, low, high, unit)

    def optional_number(
        self, field: str, value: Any, low: Number | None = None, high: Number | None = None, unit: str = ""
    ) -> bool:
        return value is None or self.number(field, value, low, high, unit)

    def optional_integer(self, field: str, value: Any, low: int | None = None, high: int | None = None) -> bool:
        return value is None or self.integer(field, value, low, high)

    def boolean(self, field: str, value: Any) -> bool:
        return self.require(isinstance(value, bool), field, "must be true or false")

    def instance(self, field: str, value: Any, kind: type | tuple[type, ...], what: str) -> bool:
        return self.require(isinstance(value, kind), field, f"must be {what}")

    def _within(self, field: str, value: Any, low: Number | None, high: Number | None, unit: str) -> bool:
        suffix = f" {unit}" if unit else ""
        if low is not None and high is not None and not (low <= value <= high):
            self.add(field, f"must be between {low} and {high}{suffix}, got {value}")
            return False
        if low is not None and value < low:
            self.add(field, f"must be at least {low}{suffix}, got {value}")
            return False
        if high is not None and value > high:
            self.add(field, f"must be at most {high}{suffix}, got {value}")
            return False
        return True

    @contextmanager
    def nested(self, prefix: str) -> Iterator[None]:
        """Run a block that may raise InvalidInput and file its errors under ``prefix``."""
        try:
            yield
        except InvalidInput as exc:
            self.errors.extend(prefixed(prefix, exc).errors)

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def join_path(prefix: str, field: str) -> str:
    """``join_path("scalp", "active_infection") == "scalp.active_infection"``; list indexes attach."""
    if not prefix:
        return field
    if not field or field == "$":
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


def prefixed(prefix: str, error: InvalidInput) -> InvalidInput:
    return InvalidInput(FieldError(join_path(prefix, e.field), e.message) for e in error.errors)
