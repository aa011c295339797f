"""{% safety_strip %}: the facts at the chair, on the session record's every screen (issue 20):
allergies, the trichologist's flags to confirm, the screening, and the last session."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from anagen.web.facts import facts_for

register = template.Library()


@register.inclusion_tag("web/_safety_strip.html", takes_context=True)
def safety_strip(context: template.Context, patient: Any, appointment: Any, course: Any, flags: list[str]) -> dict[str, Any]:
    request = context["request"]
    facts = facts_for(request.clinic, [patient.pk], timezone.localdate())[patient.pk]
    return {"patient": patient, "appointment": appointment, "course": course, "flags": flags, "f": facts,
            "age": patient.age_on(timezone.localdate())}
