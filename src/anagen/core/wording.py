"""Sentences the clinical core writes for people, marked for translation without Django.

The core stays pure (no Django import), so it cannot translate: it marks each English sentence
with ``gettext_noop`` (a no-op here; Django's makemessages extracts that name by default, so the
msgids reach the project catalogue) and returns either the marked msgid itself (a screening
finding's rule, whose code says which it is) or a ``Sentence``: the msgid and its parameters. The
app layer words them in the reader's language at display time (gettext on the msgid, each
parameter worded in turn); ``str()`` of a Sentence is the English, for the command line and the
JSON API, exactly as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from anagen.core import display


def gettext_noop(message: str) -> str:
    """Marks ``message`` as a msgid for the catalogue; returns it unchanged (English)."""
    return message


@dataclass(frozen=True)
class Sentence:
    """A sentence for people: a marked msgid with named ``%(name)s`` placeholders and their values.
    A value is text, a number, a date (written "3 Dec 2026"), another Sentence, an object with
    ``code`` and ``message`` (a screening finding, worded by its rule) or a tuple of these (a list,
    joined with "; ", each item's own full stop dropped)."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __str__(self) -> str:
        return self.msgid % {name: english(value) for name, value in self.params.items()} if self.params else self.msgid


def english(value: Any) -> str:
    """A sentence's parameter in English (the core's own words)."""
    if isinstance(value, tuple):
        return "; ".join(english(item).rstrip(".") for item in value)
    if isinstance(value, dt.datetime):
        return display.moment(value)
    if isinstance(value, dt.date):
        return display.day(value)
    if hasattr(value, "code") and hasattr(value, "message"):
        return str(value.message)
    return str(value)
