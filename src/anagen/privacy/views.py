from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from anagen.accounts.permissions import admin_only
from anagen.audit.services import Actor
from anagen.patients.views import patient_for
from anagen.privacy import services
from anagen.privacy.forms import ErasureRequestForm, PerformErasureForm
from anagen.privacy.models import ErasureStatus


@admin_only
def erasure_list(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/erasure_list.html", {"requests": services.requests_of(request.clinic)})


@admin_only
def erasure_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.request_erasure(actor, patient, request.user, form.cleaned_data["reason"])
        except services.ErasureError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Erasure request recorded. Review it and carry it out below.")
            return redirect("privacy:erasure_detail", request_id=erasure.pk)
    return render(request, "privacy/erasure_new.html", {"form": form, "patient": patient}, status=400 if form.errors else 200)


@admin_only
def erasure_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    erasure = services.get_request(actor, request.clinic, request_id)
    form = PerformErasureForm(request.POST or None, mrn=erasure.patient.mrn)
    if request.method == "POST" and form.is_valid():
        try:
            services.perform_erasure(actor, erasure, timezone.localdate())
        except services.ErasureError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Erasure carried out. The report below records what was done.")
            return redirect("privacy:erasure_detail", request_id=erasure.pk)
    context = {
        "erasure": erasure,
        "form": form,
        "pending": erasure.status == ErasureStatus.REQUESTED,
        "kept": services.kept_records(erasure.patient) if erasure.status == ErasureStatus.REQUESTED else None,
        "report": erasure.report,
    }
    return render(request, "privacy/erasure_detail.html", context, status=400 if form.errors else 200)
