"""The clinical core's sentences in the reader's language.

The core marks its sentences with ``gettext_noop`` and returns them as msgids (a screening
finding's rule) or as ``Sentence`` objects (a msgid and its parameters): anagen.core.wording. Here
they are worded with gettext at display time, each parameter in turn (a date in the one date
format, a finding by its rule, a list joined with "; "). A message the core did not write in this
form (a record signed under older wording) is shown as it was kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext

from anagen.core import display
from anagen.core.eligibility import BookingDecision
from anagen.core.screening import Diagnosis, FindingCode, finding_parts
from anagen.core.wording import Sentence
from anagen.ui import labels

_FULL_STOPS = ".।"


def _detail_words(code: FindingCode, detail: str) -> str:
    """The name a finding carries, in the reader's words where the core's vocabulary names it."""
    if code is FindingCode.SCARRING_ALOPECIA and detail.replace(" ", "_") in set(Diagnosis):
        return labels.label(detail.replace(" ", "_"), "diagnosis")
    if code is FindingCode.ABNORMAL_LABS_UNREVIEWED:
        return ", ".join(labels.label(test.strip(), "lab") for test in detail.split(","))
    return detail  # an ingredient's or allergen's own name


def finding_words(code: object, message: str) -> str:
    """A screening finding's message (as the core wrote it, or as a signed record keeps it) in the
    reader's language."""
    parts = finding_parts(code, message)
    if parts is None:
        return message
    rule, template, detail = parts
    text = gettext(rule)
    if template is not None:
        text = f"{text} {gettext(template) % {'detail': _detail_words(FindingCode(str(code)), detail)}}"
    return text


def words(value: Any) -> str:
    """A core sentence, or one of its parameters, in the reader's language."""
    if isinstance(value, Sentence):
        if not value.params:
            return gettext(value.msgid)
        return gettext(value.msgid) % {name: words(item) for name, item in value.params.items()}
    if isinstance(value, tuple):
        return "; ".join(words(item).rstrip(_FULL_STOPS) for item in value)
    if isinstance(value, dt.datetime):
        return display.moment(value)
    if isinstance(value, dt.date):
        return display.day(value)
    if hasattr(value, "code") and hasattr(value, "message"):
        return finding_words(value.code, value.message)
    return str(value)


def worded(decision: BookingDecision) -> BookingDecision:
    """A booking decision (anagen.core.eligibility) whose ``reasons`` read in the reader's
    language; one without sentences (reasons the caller wrote itself) is returned as it is."""
    if not decision.sentences:
        return decision
    return replace(decision, reasons=tuple(words(sentence) for sentence in decision.sentences))
