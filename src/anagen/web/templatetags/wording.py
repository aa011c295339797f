"""How codes, numbers, units and phone numbers read on a page (issue 20): display names from
anagen.ui.labels, never a filter that reshapes a code."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from anagen.core.identifiers import format_phone
from anagen.ui import labels as names
from anagen.ui.wording import finding_words

register = template.Library()


@register.filter
def label(code: object, vocabulary: str) -> str:
    """{{ finding.code|label:"finding" }}"""
    return names.label(code, vocabulary)


@register.filter
def label_list(codes: object, vocabulary: str) -> str:
    """{{ consultation.medication_codes|label_list:"finding" }}: names joined with commas."""
    return ", ".join(names.labels(codes, vocabulary))


@register.filter
def finding(value: object) -> str:
    """{{ f|finding }}: a screening finding's message (a signed record's or the live screening's)
    in the reader's language, by its rule."""
    code = value.get("code") if isinstance(value, dict) else getattr(value, "code", None)
    message = value.get("message", "") if isinstance(value, dict) else getattr(value, "message", "")
    return finding_words(code, str(message))


@register.filter
def source(text: str) -> str:
    """A rule's source without the project's internal references."""
    return names.readable_source(text)


@register.filter
def phone(e164: str) -> str:
    """Every phone number in one format: +91 98200 12345."""
    return format_phone(e164 or "")


@register.filter
def number(value: object) -> str:
    """A decimal as written, without trailing zeros: 15.000 → 15, 0.40 → 0.4, 4.5 → 4.5."""
    if value is None or value == "":
        return ""
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(quantity.normalize(), "f")
    return text


@register.filter
def unit(ucum: str) -> str:
    """A unit as people write it: m[IU]/L → mIU/L, ug/dL → µg/dL, umol/L → µmol/L."""
    return names.readable_unit(ucum)
