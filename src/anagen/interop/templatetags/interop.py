"""``{% load interop %}{% interop_panel patient %}``: export and calendar links on the patient page.

The FHIR bundle and the full data export are for clinical roles and the clinic admin; reception
sees only the calendar feed link. The panel shows links, not data, so it writes no audit entry.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("interop/_patient_panel.html", takes_context=True)
def interop_panel(context: template.Context, patient: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_clinic_staff", False):
        return {"show": False}
    return {"show": True, "patient": patient, "clinical": user.sees_clinical_content}
