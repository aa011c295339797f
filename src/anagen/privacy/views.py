from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.permissions import admin_only
from anagen.audit.services import Actor
from anagen.patients.views import patient_for
from anagen.privacy import services, trail
from anagen.privacy.forms import ErasureRequestForm, PerformErasureForm, TrailFilterForm
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
            messages.success(request, gettext("Erasure request recorded. Review it and carry it out below."))
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
            messages.success(request, gettext("Erasure carried out. The report below records what was done."))
            return redirect("privacy:erasure_detail", request_id=erasure.pk)
    context = {
        "erasure": erasure,
        "form": form,
        "pending": erasure.status == ErasureStatus.REQUESTED,
        "kept": services.kept_records(erasure.patient) if erasure.status == ErasureStatus.REQUESTED else None,
        "report": erasure.report,
    }
    return render(request, "privacy/erasure_detail.html", context, status=400 if form.errors else 200)


# --- the audit trail, for the clinic's privacy officer (a clinic admin) ------------------------


def _trail_filters(request: HttpRequest) -> tuple[TrailFilterForm, trail.Filters, bool]:
    form = TrailFilterForm(request.GET or None, clinic=request.clinic)
    if not form.is_bound:
        return form, trail.Filters(), True
    if not form.is_valid():
        return form, trail.Filters(), False
    data = form.cleaned_data
    return form, trail.Filters(data["date_from"], data["date_to"], data["person"], data["patient"], data["action"]), True


@admin_only
def audit_trail(request: HttpRequest) -> HttpResponse:
    form, filters, valid = _trail_filters(request)
    page = Paginator(trail.entries(request.clinic, filters) if valid else trail.entries(request.clinic, trail.Filters()).none(),
                     trail.PAGE_SIZE).get_page(request.GET.get("page"))
    page_rows = trail.rows(request.clinic, page.object_list)
    trail.record_page_read(Actor.from_request(request), page_rows)
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    context = {"form": form, "page": page, "rows": page_rows, "query": query}
    return render(request, "audit/trail.html", context, status=200 if valid else 400)


@admin_only
def audit_trail_csv(request: HttpRequest) -> HttpResponse:
    form, filters, valid = _trail_filters(request)
    if not valid:
        return render(request, "audit/trail.html", {"form": form, "page": None, "rows": [], "query": ""}, status=400)
    lines = trail.export_csv(Actor.from_request(request), request.clinic, filters)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
