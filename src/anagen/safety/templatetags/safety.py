"""``{% load safety %}{% safety_dashboard %}``: the patient-safety panel on the staff home page.

Shown to clinical roles only (reception sees nothing). It shows counts and lots, never a patient's
name, so it writes no audit entry; the pages it links to audit their own reads.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from anagen.safety import services

register = template.Library()


@register.inclusion_tag("safety/_dashboard.html", takes_context=True)
def safety_dashboard(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    clinic = getattr(request, "clinic", None)
    if user is None or clinic is None or not user.is_authenticated or not user.sees_clinical_content:
        return {"show": False}
    return {"show": True, "data": services.dashboard(clinic, timezone.now(), timezone.localdate())}
