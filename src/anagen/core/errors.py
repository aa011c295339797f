"""The error vocabulary of Anagen, from the clinical core up to the services.

Three kinds of refusal, each mapped once to what a person sees (the API's problem documents in
``anagen.api.problems``; the web's 404 page by ``anagen.ui.middleware``; forms show
``InvalidInput`` beside its fields):

- ``InvalidInput``: the input itself is wrong; every rejection names the field it concerns, so
  the web forms, the API and the JSON commands can all show exactly what to correct (422).
- ``NotFound``: no such record in the caller's clinic; another clinic's id reads the same (404).
- ``Conflict``: the input is fine but the record's state refuses it (409): ``StaleWrite`` (it
  changed since it was read), ``ImmutableRecord`` (signed or append-only records are never
  changed; corrections are addenda), ``Duplicate`` (it exists already), ``InvalidState`` (it is
  done or used up already).
- ``Refused``: an app's refusal of a use case that names the input at fault when there is one
  (a booking, a stock movement, a consent, a portal request): with a field it reads as invalid
  input, without one as the record's state. Each app's error derives from it, so the API maps
  them all in one place instead of in every router.
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


class NotFound(LookupError):
    """No such record in the caller's clinic: a missing id and another clinic's id look the same."""


class Conflict(Exception):
    """The record's state refuses the request; ``kind`` names which refusal (the API's problem type)."""

    kind = "conflict"

    def __init__(self, message: str = "", *, field: str = "", kind: str | None = None):
        self.message = message or self.default_message
        self.field = field
        if kind is not None:
            self.kind = kind
        # Facts beyond the message a client may act on (e.g. which reasons refused a booking).
        self.extra: dict[str, object] = {}
        super().__init__(self.message)

    default_message = "The record's state does not allow this."

    @property
    def errors(self) -> tuple[FieldError, ...]:
        """The refusal as field errors, as a form shows it: on ``field``, or on the form as a whole."""
        return (FieldError(self.field or "", self.message),)


class StaleWrite(Conflict):
    """The record changed since it was read: saving would overwrite someone else's edit."""

    kind = "stale-write"
    default_message = "The record changed since it was read."


class ImmutableRecord(Conflict):
    """A signed or append-only record (consultation, formulation, consent, session, audit entry)
    was about to be changed or deleted: such records are never changed; corrections are addenda."""

    kind = "immutable-record"
    default_message = "This record is signed or final and cannot be changed."


class Duplicate(Conflict):
    """The record exists already."""

    kind = "duplicate"
    default_message = "This exists already."


class InvalidState(Conflict):
    """The record's state has moved past this: a follow-up already recorded, a package used up."""

    kind = "invalid-state"
    default_message = "This record's state does not allow this any more."


class Refused(Conflict):
    """A use case an app refuses, with ``field`` naming the input to correct, or None when the
    request as a whole is refused by the record's state.

    With a field and the plain ``invalid-state`` kind, the input is at fault: the API answers 422
    naming the field, a form shows the message beside it. Without a field it is the record's state
    (409). A subclass or raise site with its own ``kind`` (a taken slot, a name in use) answers 409
    naming the field; ``field_is_input = False`` keeps a field that names a thing rather than an
    input (a recalled lot) out of the answer.
    """

    kind = "invalid-state"
    field_is_input = True

    def __init__(self, message: str = "", field: str | None = None, *, kind: str | None = None):
        super().__init__(message, field=field or "", kind=kind)
        # None, not "": forms add a None-field error above their fields.
        self.field: str | None = field  # type: ignore[assignment]

    @property
    def names_input(self) -> bool:
        """The field is the input to correct (422), not the state of a record (409)."""
        return bool(self.field) and self.field_is_input and self.kind == Refused.kind
