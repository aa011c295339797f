"""Outcomes: a patient's progress data (the charts' series and forecast band, the response and the
next steps; clinical staff), the PDF progress report, and the clinic's outcomes tables (clinic
admin and trichologist, aggregate only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import actor, clinic, schema_of
from anagen.api.problems import form_errors, invalid
from anagen.api.routers.consultations import MeasurementsOut
from anagen.core.errors import FieldError
from anagen.outcomes import clinic_outcomes as clinic_tables
from anagen.outcomes import progress as progress_service
from anagen.outcomes import reports
from anagen.outcomes.forms import FollowUpMeasurementForm

router = Router(tags=["outcomes"])


class PointOut(Schema):
    date: dt.date
    value: float


class SeriesOut(Schema):
    name: str
    unit: str
    points: list[PointOut]


class BandOut(Schema):
    label: str
    dates: list[dt.date]
    p10: list[float]
    p50: list[float]
    p90: list[float]


class ChartOut(Schema):
    chart_id: str
    title: str
    y_label: str
    series: list[SeriesOut]
    sessions: list[dt.date]
    baseline: float | None
    band: BandOut | None
    notes: list[str]
    untreated_band: BandOut | None = None


SessionMarkOut = schema_of(progress_service.SessionMark, name="SessionMarkOut")


class MeasureResultOut(Schema):
    measure: str
    response_class: str
    reason: str


class ResponseOut(Schema):
    response_class: str
    reasons: list[str]
    measures: list[MeasureResultOut]
    maintenance_interval_days: int | None
    next_step: str
    early_assessment: bool


class NonResponderOut(Schema):
    days: list[int]
    message: str


class ReportOut(Schema):
    id: int
    patient_id: int
    created_by_id: int
    created_at: dt.datetime
    size_bytes: int
    sha256: str
    shared_with_patient: bool


class ProgressOut(Schema):
    patient_id: int
    today: dt.date
    diagnosis: str
    site: str
    consultation_id: int | None
    course_id: int | None
    baseline_measurement_id: int | None
    measurements: list[MeasurementsOut]
    sessions: list[SessionMarkOut]
    response: ResponseOut | None
    response_note: str
    forecast_note: str
    non_responder: NonResponderOut | None
    charts: list[ChartOut]
    next_steps: list[str]
    reports: list[ReportOut]
    # Issue 17: what the forecast claims and does not.
    forecast_horizon_days: int | None = None
    forecast_untreated_only: bool | None = None
    forecast_limits: list[str] = []
    expected: list[str] = []


def _band(band: Any) -> dict[str, Any] | None:
    return None if band is None else {"label": band.label, "dates": list(band.dates), "p10": list(band.p10),
                                      "p50": list(band.p50), "p90": list(band.p90)}


def _chart(chart: Any) -> dict[str, Any]:
    return {
        "chart_id": chart.chart_id, "title": chart.title, "y_label": chart.y_label,
        "series": [{"name": s.name, "unit": s.unit, "points": [{"date": d, "value": v} for d, v in s.points]} for s in chart.series],
        "sessions": list(chart.sessions), "baseline": chart.baseline, "notes": list(chart.notes),
        "band": _band(chart.band), "untreated_band": _band(chart.untreated_band),
    }


def _response(result: Any) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "response_class": str(result.response_class), "reasons": list(result.reasons),
        "measures": [{"measure": m.measure, "response_class": str(m.response_class), "reason": m.reason} for m in result.measures],
        "maintenance_interval_days": result.maintenance_interval_days, "next_step": str(result.next_step),
        "early_assessment": result.early_assessment,
    }


@router.get("/patients/{patient_id}/progress", response=ProgressOut, auth=auth.CLINICAL, summary="A patient's progress data")
def progress(request: HttpRequest, patient_id: int) -> Any:
    """What the progress page shows, as data: measurements in order, the sessions, the response
    against the baseline, the personal forecast band and non-responder flag, each chart's series,
    the next steps and the reports generated. One audited read."""
    result = progress_service.view_progress(actor(request), clinic(request), patient_id, timezone.localdate())
    flag = result.non_responder
    return {
        "patient_id": result.patient.pk, "today": result.today, "diagnosis": result.diagnosis_label, "site": result.site_label,
        "consultation_id": result.consultation.pk if result.consultation else None,
        "course_id": result.course.pk if result.course else None,
        "baseline_measurement_id": result.baseline.pk if result.baseline else None,
        "measurements": result.measurements, "sessions": result.sessions, "response": _response(result.response),
        "response_note": result.response_note, "forecast_note": result.forecast_note,
        "non_responder": None if flag is None else {"days": list(flag.days), "message": flag.message},
        "charts": [_chart(c) for c in result.charts], "next_steps": reports.next_steps(result),
        "reports": reports.reports_for(result.patient),
        "forecast_horizon_days": result.forecast.horizon_days if result.forecast else None,
        "forecast_untreated_only": result.forecast.untreated_only if result.forecast else None,
        "forecast_limits": result.forecast_limits,
        "expected": list(result.timeline.sentences) if result.timeline else [],
    }


@router.post("/patients/{patient_id}/progress-reports", response={201: ReportOut}, auth=auth.CLINICAL,
             summary="Generate a progress report (PDF)")
def generate_report(request: HttpRequest, patient_id: int) -> Any:
    """Builds and stores the PDF (audited as an export); download it from ``/progress-reports/{id}/file``."""
    report = reports.generate_report(actor(request), clinic(request), patient_id, request.user, timezone.localdate())  # type: ignore[arg-type]
    return Status(201, report)


@router.get("/progress-reports/{report_id}/file", auth=auth.CLINICAL, summary="Download a progress report",
            response={200: None}, openapi_extra={"responses": {"200": {
                "description": "The PDF report.", "content": {"application/pdf": {}}}}})
def download_report(request: HttpRequest, report_id: int) -> Any:
    """Every download is audited as an export."""
    report, handle = reports.open_report(actor(request), clinic(request), report_id)
    response = FileResponse(handle, as_attachment=True, filename=f"progress-report-{report.pk}.pdf", content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


class OutcomesTableOut(Schema):
    key: str
    title: str
    header: list[str]
    rows: list[list[str]]


class ClinicOutcomesOut(Schema):
    start: dt.date
    end: dt.date
    assessed: int
    not_assessed: int
    sessions: int
    pending: int = Field(description="Patients whose records changed moments ago and are not in the tables yet.")
    tables: list[OutcomesTableOut]


@router.get("/outcomes", response=ClinicOutcomesOut, auth=auth.OUTCOMES, summary="The clinic's outcomes tables")
def clinic_outcomes(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """Courses started from ``start`` to ``end`` (default: the last 365 days): response rates by
    diagnosis, formulation, combination and practitioner with 95% intervals, adverse events per
    100 sessions, no-shows and completion. Aggregates only: no patient rows, so no patient audit."""
    today = timezone.localdate()
    default_start, default_end = clinic_tables.default_range(today)
    start, end = start or default_start, end or default_end
    if end < start:
        raise invalid([FieldError("end", "The end date must be on or after the start date.")])
    result = clinic_tables.clinic_outcomes(clinic(request), start, end, today)
    tables = []
    for key, (title, _) in clinic_tables.TABLES.items():
        header, rows = clinic_tables.table_rows(result, key)
        tables.append({"key": key, "title": title, "header": header, "rows": rows})
    return {"start": result.start, "end": result.end, "assessed": result.assessed, "not_assessed": result.not_assessed,
            "sessions": result.sessions, "pending": result.pending, "tables": tables}


class FlaggedOut(Schema):
    patient_id: int
    days: list[int]
    message: str


@router.get("/non-responders", response=list[FlaggedOut], auth=auth.CLINICAL, summary="Patients flagged as likely non-responders")
def non_responders(request: HttpRequest) -> Any:
    """The home page's panel: patients on a course whose follow-ups fell below the forecast band
    twice (their outlooks; audited by the outcomes service, one entry naming them)."""
    flagged = clinic_tables.non_responder_panel(actor(request), clinic(request), timezone.localdate()).flagged
    return [{"patient_id": patient.pk, "days": list(outlook.flagged_days), "message": outlook.message} for patient, outlook in flagged]


class FollowUpVisitIn(Schema):
    """A follow-up measurement visit (issue 17: refused without a measurement, or on or before the
    baseline visit). Fields as on the follow-up form; the site repeats the baseline's."""

    measured_on: dt.date
    pull_grasped: int | None = None
    pull_extracted: int | None = None
    wash_shed_count: int | None = None
    wash_short_count: int | None = None
    comb_count: int | None = None
    site_zone: str | None = None
    site_offset_cm: float | None = None
    site_note: str | None = None
    density_per_cm2: float | None = None
    thin_hairs_pct: float | None = None
    mean_shaft_diameter_um: float | None = None
    terminal_to_vellus_ratio: float | None = None
    anagen_pct: float | None = None
    telogen_pct: float | None = None
    yellow_dots_count: int | None = None
    global_photo_score: int | None = None


class VoidIn(Schema):
    reason: str


@router.post("/patients/{patient_id}/measurement-visits", response={201: MeasurementsOut}, auth=auth.CLINICAL,
             summary="Record a follow-up measurement visit")
def record_visit(request: HttpRequest, patient_id: int, payload: FollowUpVisitIn) -> Any:
    """Checked as the follow-up form checks it (the measurements by the clinical core); refused
    when it holds no measurement or is dated on or before the baseline visit."""
    who = actor(request)
    patient = progress_service.get_patient_for_outcomes(who, clinic(request), patient_id)
    data = {f"m-{k}": ("" if v is None else str(v)) for k, v in payload.model_dump().items()}
    form = FollowUpMeasurementForm(data)
    if not form.is_valid():
        raise invalid(form_errors(form))
    row = progress_service.record_follow_up(who, patient, form.cleaned_data["measured_on"], form.values(), today=timezone.localdate())
    return Status(201, row)


@router.post("/patients/{patient_id}/measurement-visits/{visit_id}/void", response=MeasurementsOut, auth=auth.PERFORMS,
             summary="Void a follow-up visit recorded in error")
def void_visit(request: HttpRequest, patient_id: int, visit_id: int, payload: VoidIn) -> Any:
    """The visit is kept (with who voided it, when and why, audited) and no longer counts in the
    charts, the response, the forecast or the outlook."""
    return progress_service.void_visit(actor(request), clinic(request), patient_id, visit_id, payload.reason, request.user)  # type: ignore[arg-type]
