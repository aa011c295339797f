"""The patient page: the registry entry with what every clinical app holds about the patient.

It gathers consents, consultations, courses, sessions and events (``web.timeline``), so it lives in
the shell, above all of them; the registry's own pages stay in ``anagen.patients``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anagen.accounts.permissions import staff_required
from anagen.consents.models import Purpose
from anagen.consents.services import consent_status
from anagen.patients.views import patient_for
from anagen.web.timeline import build_timeline


@staff_required()
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    timeline = build_timeline(patient, clinical=request.user.sees_clinical_content)
    # Read once for the consent and photo panels, which both need it.
    consents = consent_status(patient)
    return render(request, "patients/detail.html", {"patient": patient, "timeline": timeline, "consents": consents,
                                                    "header_known": timeline.known(consents[Purpose.TREATMENT])})
