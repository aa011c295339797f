"""``{% aftercare_send session %}`` on the aftercare sheet: the form that sends it through one of
the patient's channels, offering only those the patient agreed to."""

from __future__ import annotations

from typing import Any

from django import template

from anagen.reminders import services

register = template.Library()


@register.inclusion_tag("reminders/_aftercare_send.html")
def aftercare_send(session: Any) -> dict[str, Any]:
    return {"session": session, "patient": session.patient, "channels": services.sendable_channels(session.patient)}
