"""The patient record's tabs that gather from several apps (issue 20): Consultations, Course &
sessions, and Data (identifiers, exports, feeds, portal). Overview is the patient page itself;
Progress & photos, Consents and Billing are their apps' own pages. Each read is audited by
``get_patient``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anagen.accounts.models import CLINICAL_ROLES
from anagen.accounts.permissions import staff_required
from anagen.audit.services import Actor
from anagen.patients.services import get_patient
from anagen.web.timeline import build_timeline


@staff_required(roles=CLINICAL_ROLES)
def consultations(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient(Actor.from_request(request), request.clinic, patient_id)
    timeline = build_timeline(patient, clinical=True)
    return render(request, "web/patient_consultations.html", {"patient": patient, "timeline": timeline, "header_known": timeline.known()})


@staff_required()
def course(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient(Actor.from_request(request), request.clinic, patient_id)
    timeline = build_timeline(patient, clinical=request.user.sees_clinical_content)
    return render(request, "web/patient_course.html", {"patient": patient, "timeline": timeline, "header_known": timeline.known()})


@staff_required()
def data(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient(Actor.from_request(request), request.clinic, patient_id)
    return render(request, "web/patient_data.html", {"patient": patient})
