"""``{{ amount|paise }}`` → ₹1,500.50, and ``{% billing_panel patient %}`` on the patient page
(packages with sessions left, unpaid invoices; the patient page's own read is already audited)."""

from __future__ import annotations

from typing import Any

from django import template

from anagen.billing import services
from anagen.core.billing import format_paise

register = template.Library()


@register.filter
def paise(value: Any) -> str:
    try:
        return format_paise(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def rate(value: Any) -> str:
    try:
        return f"{int(value) / 100:g}%"
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("billing/_patient_panel.html")
def billing_panel(patient: Any) -> dict[str, Any]:
    return {"patient": patient, "packages": services.open_packages(patient.clinic, patient),
            "unpaid": services.unpaid_invoices(patient.clinic, patient)}
