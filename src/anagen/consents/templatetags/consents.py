"""``{% load consents %}{% consent_panel patient %}``: the consent summary on the patient page.

The patient page's own read is already audited by the patients view; the panel shows only the
status per purpose, so it adds no audit entry of its own.
"""

from __future__ import annotations

from typing import Any

from django import template

from anagen.consents import services
from anagen.consents.models import ConsentText

register = template.Library()


@register.inclusion_tag("consents/_patient_panel.html", takes_context=True)
def consent_panel(context: template.Context, patient: Any, statuses: dict[str, Any] | None = None) -> dict[str, Any]:
    """``statuses``: the page's ``consent_status(patient)`` when it has it already."""
    statuses = statuses if statuses is not None else services.consent_status(patient)
    available = set(
        ConsentText.objects.filter(clinic_id=patient.clinic_id).values_list("purpose", flat=True).distinct()
    )
    rows = [s for p, s in statuses.items() if p in available or s.record is not None]
    return {"patient": patient, "rows": rows, "is_clinic_admin": context.get("is_clinic_admin", False)}
