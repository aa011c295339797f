"""Errors raised by the clinical core.

Every rejection of input names the field it concerns, so that the web forms, the API and the
JSON commands can all show the person exactly what to correct.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` is a dotted path such as ``scalp.active_infection``."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidInput(ValueError):
    """Input the core refuses; carries every bad field found, not only the first."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors: tuple[FieldError, ...] = tuple(errors)
        if not self.errors:
            raise ValueError("InvalidInput needs at least one FieldError")
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldError(field, message)])

    def as_dict(self) -> dict[str, object]:
        return {"error": "invalid_input", "fields": [e.as_dict() for e in self.errors]}
