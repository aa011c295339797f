"""{% patient_header %}: the sticky header with the patient's safety facts and the tabs, on every
staff page whose context names a ``patient`` (anagen.web.patient_header)."""

from __future__ import annotations

from typing import Any

from django import template

from anagen.web.patient_header import build_header

register = template.Library()


@register.inclusion_tag("web/_patient_header.html", takes_context=True)
def patient_header(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    patient = context.get("patient")
    user = getattr(request, "user", None)
    if (request is None or patient is None or user is None or not getattr(user, "is_clinic_staff", False)
            or getattr(request, "clinic", None) is None or getattr(patient, "clinic_id", None) != request.clinic.pk):
        return {"show": False}
    # A page that read the patient's appointments, consultations or consents already says so
    # (``header_known``, anagen.web.facts.Known): the header takes them instead of reading again.
    known = context.get("header_known")
    return {"show": True, "header": build_header(request, patient, known), "csrf_token": context.get("csrf_token")}
