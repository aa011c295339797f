"""``{% load photos %}{% photos_panel patient %}``: the photographs summary on the patient page.

Only visit dates and counts are shown (no images), for clinical roles: the patient page's own
read is audited by the patients view, and every image is audited when it is opened.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from anagen.consents.services import has_valid_consent
from anagen.photos.models import Photo

register = template.Library()


@register.inclusion_tag("photos/_panel.html", takes_context=True)
def photos_panel(context: template.Context, patient: Any, consents: dict[str, Any] | None = None) -> dict[str, Any]:
    """``consents``: the page's ``consent_status(patient)`` when it has it already."""
    rows = list(
        Photo.objects.filter(clinic_id=patient.clinic_id, patient=patient)
        .values("visit_date").annotate(count=Count("id")).order_by("-visit_date")
    )
    may_upload = consents["photographs"].is_valid if consents is not None else has_valid_consent(patient, "photographs")
    return {"patient": patient, "visit_rows": rows, "may_upload": may_upload}
