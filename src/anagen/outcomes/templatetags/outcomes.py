"""``{% load outcomes %}``: the progress panel on the patient page and the "likely
non-responders" panel on the staff home page (clinical roles only; reception sees nothing)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from anagen.audit.services import Actor
from anagen.outcomes import clinic_outcomes
from anagen.outcomes.outlook import outlook_for

register = template.Library()


def _clinical(context: template.Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or not user.sees_clinical_content:
        return None
    return request


@register.inclusion_tag("outcomes/_progress_panel.html", takes_context=True)
def progress_panel(context: template.Context, patient: Any) -> dict[str, Any]:
    """Latest response and the non-responder flag from the patient's outlook (rebuilt first if
    the record changed since); the patient page has audited the read."""
    request = _clinical(context)
    if request is None or getattr(request, "clinic", None) is None or patient.clinic_id != request.clinic.pk:
        return {"show": False}
    return {"show": True, "patient": patient, "outlook": outlook_for(patient)}


@register.inclusion_tag("outcomes/_non_responders.html", takes_context=True)
def non_responder_dashboard(context: template.Context) -> dict[str, Any]:
    request = _clinical(context)
    if request is None or getattr(request, "clinic", None) is None:
        return {"show": False}
    panel = clinic_outcomes.non_responder_panel(Actor.from_request(request), request.clinic, timezone.localdate())
    return {"show": True, "flagged": panel.flagged, "pending": panel.pending}
