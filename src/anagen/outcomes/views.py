"""Progress (clinical roles), progress reports (clinical roles) and clinic outcomes (clinic
admins and trichologists). Every id is looked up within ``request.clinic`` (404 otherwise); every
page showing a patient's data writes an audit entry; the clinic tables are aggregates and name
no patient."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anagen.accounts.permissions import admin_or_trichologist, clinical, performs
from anagen.audit.services import Actor
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.outcomes import clinic_outcomes, patient_reported, reports
from anagen.outcomes import progress as progress_service
from anagen.outcomes.charts import render_svg
from anagen.outcomes.forms import DateRangeForm, FollowUpMeasurementForm
from anagen.ui.forms import add_errors_from


@clinical
def progress(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    result = progress_service.view_progress(actor, request.clinic, patient_id, timezone.localdate())
    sessions = tuple(sorted({s.day for s in result.sessions}))
    context = {
        "progress": result,
        # Beside the measurements, never among them: the response and forecast above ignore it.
        "reported": patient_reported.reported_by_patient(result.patient, sessions),
        "patient": result.patient,
        "charts": progress_service.chart_svgs(result),
        "reports": reports.reports_for(result.patient),
        "next_steps": reports.next_steps(result),
    }
    return render(request, "outcomes/progress.html", context)


@clinical
def chart_svg(request: HttpRequest, patient_id: int, chart: str) -> HttpResponse:
    result = progress_service.view_progress(Actor.from_request(request), request.clinic, patient_id, timezone.localdate())
    for item in result.charts:
        if item.chart_id == f"chart-{chart}":
            return HttpResponse(render_svg(item), content_type="image/svg+xml; charset=utf-8")
    raise Http404


@clinical
def record_measurements(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A follow-up measurement visit at the baseline's site (prefilled), outside a consultation."""
    actor = Actor.from_request(request)
    today = timezone.localdate()
    patient, baseline = progress_service.follow_up_form_patient(actor, request.clinic, patient_id)
    site = {name: getattr(baseline, name) for name in ("site_zone", "site_offset_cm", "site_note")} if baseline else {}
    form = FollowUpMeasurementForm(request.POST or None, initial={"measured_on": today, **site})
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            progress_service.record_follow_up(actor, patient, form.cleaned_data["measured_on"], values, today=today)
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Follow-up measurements of %(day)s recorded.") % {"day": display.day(form.cleaned_data["measured_on"])})
            return redirect("outcomes:progress", patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outcomes/record_measurements.html", {"patient": patient, "baseline": baseline, "form": form}, status=status)


@performs
@require_POST
def void_visit(request: HttpRequest, patient_id: int, visit_id: int) -> HttpResponse:
    """Void a follow-up visit recorded in error, with the reason (audited; the visit is kept)."""
    try:
        progress_service.void_visit(Actor.from_request(request), request.clinic, patient_id, visit_id,
                            request.POST.get("reason", ""), request.user)  # type: ignore[arg-type]
    except InvalidInput as exc:
        messages.error(request, exc.errors[0].message)
    else:
        messages.success(request, _("The visit is void: it is kept in the record and no longer counts."))
    return redirect("outcomes:progress", patient_id)


@clinical
@require_POST
def generate(request: HttpRequest, patient_id: int) -> HttpResponse:
    report = reports.generate_report(Actor.from_request(request), request.clinic, patient_id, request.user, timezone.localdate(),
                                     language=request.POST.get("language") or None)
    messages.success(request, _("Progress report %(number)s generated.") % {"number": report.pk})
    return redirect("outcomes:download_report", report.pk)


@clinical
def download(request: HttpRequest, report_id: int) -> HttpResponse:
    report, handle = reports.open_report(Actor.from_request(request), request.clinic, report_id)
    name = f"progress-report-{report.patient.mrn}-{report.created_at:%Y%m%d}.pdf"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


@clinical
@require_POST
def share(request: HttpRequest, report_id: int) -> HttpResponse:
    report = reports.get_report(Actor.from_request(request), request.clinic, report_id)
    shared = request.POST.get("shared") == "1"
    reports.set_report_shared(Actor.from_request(request), report, shared)
    messages.success(request, _("Report shared with the patient.") if shared else _("Report no longer shared with the patient."))
    return redirect("outcomes:progress", report.patient_id)


def _range(request: HttpRequest) -> tuple[DateRangeForm, clinic_outcomes.ClinicOutcomes | None]:
    today = timezone.localdate()
    start, end = clinic_outcomes.default_range(today)
    data = request.GET if "start" in request.GET or "end" in request.GET else {"start": start, "end": end}
    form = DateRangeForm(data)
    if not form.is_valid():
        return form, None
    try:
        return form, clinic_outcomes.clinic_outcomes(request.clinic, form.cleaned_data["start"], form.cleaned_data["end"], today)
    except InvalidInput as exc:
        add_errors_from(form, exc)
        return form, None


@admin_or_trichologist
def clinic(request: HttpRequest) -> HttpResponse:
    form, result = _range(request)
    tables = []
    if result is not None:
        for key, (title, _) in clinic_outcomes.TABLES.items():
            header, rows = clinic_outcomes.table_rows(result, key)
            tables.append({"key": key, "title": title, "header": header, "rows": rows})
    return render(request, "outcomes/clinic.html", {"form": form, "result": result, "tables": tables,
                                                     "query": request.GET.urlencode()})


@admin_or_trichologist
def clinic_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Aggregate tables only (no patient-level rows), so no patient audit entry is written."""
    if table not in clinic_outcomes.TABLES:
        raise Http404
    form, result = _range(request)
    if result is None:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400,
                            content_type="text/plain; charset=utf-8")
    header, rows = clinic_outcomes.table_rows(result, table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{table}-{result.start}-{result.end}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
