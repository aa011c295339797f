"""Outcomes use cases: a patient's progress (charts, response, forecast, non-responder flag), the
progress report (PDF), and the clinic's outcome tables.

Clinical rules stay in the core (``anagen.core.response``, ``anagen.core.haircycle``,
``anagen.core.outcomes``); this module maps the stored rows to the core's dataclasses, calls it,
stores and audits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from anagen.accounts.models import Clinic, User
from anagen.accounts.protocols import protocol_for
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.consultations.models import DIAGNOSIS_CHOICES, Consultation, MeasurementSet
from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.core.haircycle import (
    Measurement,
    NonResponderResult,
    PatientBaseline,
    PersonalForecast,
    non_responder_check,
    personal_forecast,
)
from anagen.core.measurements import (
    CombCount,
    GlobalPhotographicAssessment,
    ScalpZone,
    Trichoscopy,
    WashTest,
)
from anagen.core.outcomes import (
    ExpectedTimeline,
    OutcomesSettings,
    RateEstimate,
    estimate_rate,
    expected_timeline,
    forecast_diagnosis,
    forecast_treatments,
    is_responder,
    per_100,
)
from anagen.core.response import Assessment, ResponseResult, classify_response
from anagen.outcomes.charts import BandSeries, Chart, Series, render_svg
from anagen.outcomes.models import CourseOutcome, PatientOutlook, Report
from anagen.patients.models import Patient
from anagen.procedures.models import TreatmentSession
from anagen.scheduling.models import Appointment, Kind
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.treatments.models import Course, CourseCombination

logger = logging.getLogger(__name__)

FORECAST_DAYS = 365
DEFAULT_SETTINGS = OutcomesSettings()
DIAGNOSIS_LABELS = dict(DIAGNOSIS_CHOICES)
NEXT_STEP_TEXT = {
    "continue_maintenance": "Continue maintenance sessions",
    "review_and_consider_combination": "Review the plan and consider a combination therapy",
    "stop_and_review_diagnosis": "Stop mesotherapy and review the diagnosis",
}


# ------------------------------------------------------------------------------ mapping to core


def _trichoscopy(row: MeasurementSet) -> Trichoscopy | None:
    """The row's trichoscopy. The response compares density at the site only, so a stored row whose
    other readings the core refuses (e.g. anagen % + telogen % over 100, entered before that check
    existed) is still compared on its site and density, with the other readings left out."""
    if not row.site_zone or row.site_offset_cm is None or row.density_per_cm2 is None:
        return None
    required = {"zone": ScalpZone(row.site_zone), "site_offset_cm": row.site_offset_cm, "density_per_cm2": row.density_per_cm2}
    try:
        return Trichoscopy(
            **required, thin_hairs_pct=row.thin_hairs_pct, mean_shaft_diameter_um=row.mean_shaft_diameter_um,
            terminal_to_vellus_ratio=row.terminal_to_vellus_ratio, anagen_pct=row.anagen_pct, telogen_pct=row.telogen_pct,
            yellow_dots_count=row.yellow_dots_count,
        )
    except InvalidInput:
        return Trichoscopy(**required, thin_hairs_pct=None, mean_shaft_diameter_um=None, terminal_to_vellus_ratio=None,
                           anagen_pct=None, telogen_pct=None, yellow_dots_count=None)


def assessment_of(row: MeasurementSet) -> Assessment:
    """A stored measurement set as the core's ``Assessment`` (measures not taken are None)."""
    wash = None
    if row.wash_shed_count is not None and row.wash_short_count is not None:
        wash = WashTest(row.wash_shed_count, row.wash_short_count)
    comb = CombCount(row.comb_count) if row.comb_count is not None else None
    return Assessment(row.measured_on, _trichoscopy(row), wash, comb)


def same_site(a: MeasurementSet, b: MeasurementSet) -> bool:
    return bool(a.site_zone) and a.site_zone == b.site_zone and a.site_offset_cm == b.site_offset_cm


# ------------------------------------------------------------------------------ patient progress


@dataclass
class SessionMark:
    day: dt.date
    number: int | None
    recorded: bool


@dataclass
class Progress:
    patient: Patient
    today: dt.date
    measurements: list[MeasurementSet]
    baseline: MeasurementSet | None
    consultation: Consultation | None
    course: Course | None
    sessions: list[SessionMark]
    course_sessions_done: list[SessionMark] = field(default_factory=list)
    response: ResponseResult | None = None
    response_follow_up: MeasurementSet | None = None
    response_note: str = ""
    diagnosis_key: str | None = None
    treatments: tuple[str, ...] = ()
    forecast: PersonalForecast | None = None
    forecast_note: str = ""
    timeline: ExpectedTimeline | None = None
    charts: list[Chart] = field(default_factory=list)

    @property
    def diagnosis_label(self) -> str:
        if self.consultation is None or not self.consultation.diagnosis_primary:
            return "No diagnosis recorded"
        return DIAGNOSIS_LABELS.get(self.consultation.diagnosis_primary, self.consultation.diagnosis_primary)

    @property
    def non_responder(self) -> Any:
        return self.forecast.non_responder if self.forecast is not None else None

    @property
    def site_label(self) -> str:
        b = self.baseline
        if b is None or not b.site_zone:
            return "no trichoscopy site recorded"
        text = f"{b.get_site_zone_display().lower()}, {b.site_offset_cm} cm behind the hairline"
        return f"{text} ({b.site_note})" if b.site_note and b.site_note not in text else text

    def compared(self, row: MeasurementSet) -> bool:
        return self.baseline is not None and (row.pk == self.baseline.pk or same_site(row, self.baseline))

    @property
    def table(self) -> list[dict[str, Any]]:
        """The text fallback of the charts: one row per visit."""
        rows = []
        for m in self.measurements:
            rows.append({
                "m": m,
                "is_baseline": self.baseline is not None and m.pk == self.baseline.pk,
                "compared": self.compared(m),
                "pull": f"{m.pull_extracted} of {m.pull_grasped}" if m.pull_extracted is not None and m.pull_grasped else "",
            })
        return rows


def _session_marks(patient: Patient) -> list[SessionMark]:
    """Recorded sessions, plus completed mesotherapy appointments without a session record."""
    marks = [SessionMark(s.performed_on, s.appointment.course_session_number, True)
             for s in TreatmentSession.objects.filter(patient=patient).select_related("appointment")]
    recorded = set(TreatmentSession.objects.filter(patient=patient).values_list("appointment_id", flat=True))
    for appt in Appointment.objects.filter(
        patient=patient, kind=Kind.MESOTHERAPY_SESSION, status=AppointmentStatus.COMPLETED
    ).exclude(pk__in=recorded):
        marks.append(SessionMark(timezone.localtime(appt.starts_at).date(), appt.course_session_number, False))
    marks.sort(key=lambda m: m.day)
    return marks


def _course_sessions(course: Course) -> list[SessionMark]:
    done = []
    for appt in Appointment.objects.filter(clinic_id=course.clinic_id, course_id=course.pk, kind=Kind.MESOTHERAPY_SESSION,
                                           status=AppointmentStatus.COMPLETED).order_by("starts_at"):
        done.append(SessionMark(timezone.localtime(appt.starts_at).date(), appt.course_session_number, True))
    return done


def _latest_course(patient: Patient) -> Course | None:
    return (Course.objects.filter(patient=patient).select_related("consultation", "formulation")
            .order_by("-start_date", "-id").first())


def _baseline_of(consultation: Consultation | None, measurements: Sequence[MeasurementSet]) -> MeasurementSet | None:
    if consultation is not None:
        for m in measurements:
            if m.consultation_id == consultation.pk:
                return m
    with_density = [m for m in measurements if m.density_per_cm2 is not None]
    return (with_density or list(measurements) or [None])[0]


def _forecast_inputs(progress: Progress) -> tuple[str | None, PatientBaseline | None, list[Measurement], str]:
    """Diagnosis key, baseline and follow-ups for the forecast, or a note saying why none."""
    course, consultation, baseline = progress.course, progress.consultation, progress.baseline
    if course is None:
        return None, None, [], "No course yet: the forecast starts with a course."
    key = forecast_diagnosis(consultation.diagnosis_primary if consultation else "", progress.patient.sex)
    if key is None:
        label = progress.diagnosis_label.lower()
        if consultation is not None and consultation.diagnosis_primary == "androgenetic_alopecia":
            return None, None, [], "No forecast: the pattern-hair-loss model is calibrated for men and women separately, and no sex is recorded as either."
        return None, None, [], f"No forecast for this diagnosis ({label}): the hair-cycle model covers pattern hair loss, telogen effluvium and diffuse thinning."
    if baseline is None or baseline.density_per_cm2 is None or baseline.density_per_cm2 <= 0:
        return None, None, [], "No forecast: the baseline has no density measurement."
    patient_baseline = PatientBaseline(
        float(baseline.density_per_cm2),
        float(baseline.mean_shaft_diameter_um) if baseline.mean_shaft_diameter_um is not None else None,
        float(baseline.wash_shed_count) if baseline.wash_shed_count else None,
    )
    follow_ups = []
    for m in progress.measurements:
        if m.pk == baseline.pk or m.density_per_cm2 is None or not same_site(m, baseline):
            continue
        day = (m.measured_on - course.start_date).days
        if 0 < day <= FORECAST_DAYS:
            follow_ups.append(Measurement(day, float(m.density_per_cm2)))
    return key, patient_baseline, follow_ups, ""


def _treatments_of(course: Course) -> tuple[str, ...]:
    return forecast_treatments(course.formulation.components.values_list("ingredient", flat=True))


FORECAST_CACHE_SECONDS = 7 * 24 * 3600


def _forecast(key: str, baseline: PatientBaseline, treatments: tuple[str, ...], follow_ups: list[Measurement]) -> PersonalForecast:
    """``personal_forecast``, kept in the cache under a digest of its exact inputs: the same inputs
    give the same forecast, so an entry never goes stale, and a new measurement is a new key.
    (About 0.1-0.4 s of numpy per forecast; a progress page is read far more often than its
    patient is measured.)"""
    inputs = repr((key, baseline, treatments, tuple(follow_ups), FORECAST_DAYS))
    name = "anagen:forecast:" + hashlib.sha256(inputs.encode()).hexdigest()
    try:
        forecast = cache.get(name)
    except Exception:  # noqa: BLE001 - a shared cache that is down slows the page, it does not break it
        logger.warning("forecast cache unavailable", exc_info=True)
        return personal_forecast(key, baseline, treatments, follow_ups, days=FORECAST_DAYS)
    if forecast is None:
        forecast = personal_forecast(key, baseline, treatments, follow_ups, days=FORECAST_DAYS)
        try:
            cache.set(name, forecast, FORECAST_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("forecast cache unavailable", exc_info=True)
    return forecast


def non_responder_result(progress: Progress) -> NonResponderResult | None:
    """The forecast's non-responder rule alone (no posterior): what the patient's outlook stores."""
    key, patient_baseline, follow_ups, _ = _forecast_inputs(progress)
    if key is None or patient_baseline is None or progress.course is None:
        return None
    return non_responder_check(key, patient_baseline, progress.treatments, follow_ups, days=FORECAST_DAYS)


def patient_progress(patient: Patient, today: dt.date, *, with_forecast: bool = True, with_charts: bool = True) -> Progress:
    """Everything the progress page and the report show; reads only (the caller audits)."""
    measurements = list(MeasurementSet.objects.filter(patient=patient).order_by("measured_on", "id"))
    course = _latest_course(patient)
    consultation = course.consultation if course is not None else (
        Consultation.objects.filter(patient=patient, status="signed").order_by("-consulted_on", "-id").first())
    baseline = _baseline_of(consultation, measurements)
    progress = Progress(patient, today, measurements, baseline, consultation, course, _session_marks(patient))
    if course is not None:
        progress.course_sessions_done = _course_sessions(course)
        progress.treatments = _treatments_of(course)
    protocol = protocol_for(patient.clinic)

    # Response: the baseline against the latest later visit.
    later = [m for m in measurements if baseline is not None and m.measured_on > baseline.measured_on]
    if baseline is None:
        progress.response_note = "No measurements recorded yet."
    elif not later:
        progress.response_note = "No follow-up measurement yet: the response is assessed against the baseline at a later visit."
    else:
        follow_up = later[-1]
        gpa = GlobalPhotographicAssessment(follow_up.global_photo_score) if follow_up.global_photo_score is not None else None
        try:
            progress.response = classify_response(assessment_of(baseline), assessment_of(follow_up), gpa, protocol)
            progress.response_follow_up = follow_up
        except InvalidInput as exc:
            progress.response_note = "Response not assessed: " + "; ".join(e.message for e in exc.errors)

    if with_forecast:
        key, patient_baseline, follow_ups, note = _forecast_inputs(progress)
        progress.forecast_note = note
        if key is not None and patient_baseline is not None and course is not None:
            progress.diagnosis_key = key
            progress.forecast = _forecast(key, patient_baseline, progress.treatments, follow_ups)
            progress.timeline = expected_timeline(
                progress.forecast.density, progress.forecast.wash_test, patient_baseline.density_per_cm2,
                course.start_date, protocol.partial_density_gain_pct,
            )
    if with_charts:
        progress.charts = build_charts(progress)
    return progress


# ------------------------------------------------------------------------------ charts


def _points(rows: Iterable[MeasurementSet], attr: str) -> tuple[tuple[dt.date, float], ...]:
    return tuple((m.measured_on, float(getattr(m, attr))) for m in rows if getattr(m, attr) is not None)


def build_charts(progress: Progress) -> list[Chart]:
    baseline = progress.baseline
    sessions = tuple(sorted({s.day for s in progress.sessions}))
    compared = [m for m in progress.measurements if progress.compared(m)]
    band = None
    if progress.forecast is not None and progress.course is not None:
        start = progress.course.start_date
        last_seen = max([progress.today, *[m.measured_on for m in progress.measurements]])
        end_day = min(FORECAST_DAYS, max(120, (last_seen - start).days + 90))
        days = list(range(0, end_day + 1, 7))
        b = progress.forecast.density_at_start
        band = BandSeries(tuple(start + dt.timedelta(days=d) for d in days), tuple(b.p10[d] for d in days),
                          tuple(b.p50[d] for d in days), tuple(b.p90[d] for d in days), "expected for this course, 10-90%")
    site = (f"{baseline.get_site_zone_display().lower()}, {baseline.site_offset_cm} cm"
            if baseline is not None and baseline.site_zone else "no site recorded")
    base = baseline

    def base_of(attr: str) -> float | None:
        return float(getattr(base, attr)) if base is not None and getattr(base, attr) is not None else None

    return [
        Chart("chart-density", f"Hair density ({site})", "hairs/cm²",
              (Series("density", _points(compared, "density_per_cm2"), "circle", False, "/cm²"),),
              sessions, base_of("density_per_cm2"), "baseline", band),
        Chart("chart-shedding", "Shedding", "hairs",
              (Series("wash test (5 days)", _points(progress.measurements, "wash_shed_count"), "circle", False),
               Series("60-second comb count", _points(progress.measurements, "comb_count"), "square", True)),
              sessions, base_of("wash_shed_count"), "baseline wash test", y_floor=0, integer_axis=True),
        Chart("chart-pull", "Pull test: hairs extracted", "hairs",
              (Series("hairs extracted", _points(progress.measurements, "pull_extracted"), "triangle", False),),
              sessions, base_of("pull_extracted"), "baseline", y_floor=0, integer_axis=True),
        Chart("chart-shaft", f"Mean shaft diameter ({site})", "µm",
              (Series("shaft diameter", _points(compared, "mean_shaft_diameter_um"), "diamond", False, " µm"),),
              sessions, base_of("mean_shaft_diameter_um"), "baseline"),
        Chart("chart-gpa", "Global photographic assessment (-3 to +3)", "score",
              (Series("photo assessment", _points(progress.measurements, "global_photo_score"), "square", True),),
              sessions, 0.0, "no change", y_floor=-3, y_ceiling=3, integer_axis=True),
    ]


def chart_svgs(progress: Progress, *, for_pdf: bool = False) -> list[tuple[Chart, str]]:
    return [(chart, render_svg(chart, for_pdf=for_pdf)) for chart in progress.charts]


# ------------------------------------------------------------------------------ use cases: progress


def get_patient_for_outcomes(actor: Actor, clinic: Clinic | None, patient_id: int) -> Patient:
    """The patient within ``clinic`` (404 otherwise), with the read audited."""
    if clinic is None:
        raise Http404
    patient = Patient.objects.select_related("clinic").filter(pk=patient_id, clinic=clinic).first()
    if patient is None:
        raise Http404
    return patient


def follow_up_form_patient(actor: Actor, clinic: Clinic | None, patient_id: int) -> tuple[Patient, MeasurementSet | None]:
    """The patient (read audited: the form names them) and their baseline, whose site a follow-up
    repeats."""
    patient = get_patient_for_outcomes(actor, clinic, patient_id)
    audit.record_read(actor, "progress", patient.pk, patient.pk)
    course = _latest_course(patient)
    measurements = list(MeasurementSet.objects.filter(patient=patient).order_by("measured_on", "id"))
    return patient, _baseline_of(course.consultation if course else None, measurements)


def view_progress(actor: Actor, clinic: Clinic | None, patient_id: int, today: dt.date) -> Progress:
    """The progress page: one audited read of the patient's measurements, response and forecast."""
    patient = get_patient_for_outcomes(actor, clinic, patient_id)
    # The read is audited on its own, not in a transaction around the whole computation: on
    # SQLite that transaction would hold the one write lock (and so every other page's audit
    # append) for as long as a forecast takes.
    audit.record_read(actor, "progress", patient.pk, patient.pk)
    return patient_progress(patient, today)


def likely_non_responders(clinic: Clinic, today: dt.date) -> list[tuple[Patient, PatientOutlook]]:
    """Patients of ``clinic`` whose two consecutive follow-ups fell below the forecast band, read
    from their outlooks (``outcomes.outlook``: rebuilt when a record changes; the caller has
    brought them up to date with ``refresh_pending``)."""
    flagged = PatientOutlook.objects.filter(clinic=clinic, flagged=True).select_related("patient")
    return sorted(((o.patient, o) for o in flagged), key=lambda pair: (pair[0].family_name, pair[0].given_name, pair[0].pk))


@dataclass
class NonResponders:
    flagged: list[tuple[Patient, PatientOutlook]]
    pending: int
    """Patients whose records changed moments ago and are not checked yet (the worker is on it)."""


def non_responder_panel(actor: Actor, clinic: Clinic, today: dt.date) -> NonResponders:
    """The dashboard list, after bringing the clinic's outlooks up to date (at most a batch: see
    ``outcomes.outlook``); naming patients is a read, audited as one list entry."""
    from anagen.outcomes.outlook import refresh_pending

    pending = refresh_pending(clinic).pending
    flagged = likely_non_responders(clinic, today)
    if flagged:
        audit.append(actor, Action.READ, object_type="non_responder_list", object_id="dashboard", patient_id=None,
                     changes={"patient_ids": sorted(p.pk for p, _ in flagged)})
    return NonResponders(flagged, pending)


# ------------------------------------------------------------------------------ reports


def _photo_pairs(patient: Patient) -> tuple[list[dict[str, Any]], str]:
    """Baseline and latest photograph of each view, if the photos app has any. Defensive: the
    photos app may not be installed or migrated yet; then the report says no photos were taken."""
    try:
        from anagen.photos.models import Photo  # type: ignore[import-not-found, attr-defined]
    except ImportError:
        return [], "No photographs were taken."
    try:
        photos = list(Photo.objects.filter(patient=patient).order_by("visit_date", "id"))
    except Exception:  # noqa: BLE001 - a missing table must not stop the report
        logger.warning("photos unavailable for a progress report", exc_info=True)
        return [], "No photographs were taken."
    by_view: dict[str, list[Any]] = defaultdict(list)
    for photo in photos:
        by_view[str(getattr(photo, "view", ""))].append(photo)
    pairs = []
    for view, items in by_view.items():
        first, last = items[0], items[-1]
        pairs.append({"view": view.replace("_", " "), "baseline": _photo_bytes(first), "latest": _photo_bytes(last) if last is not first else None,
                      "baseline_date": getattr(first, "visit_date", None), "latest_date": getattr(last, "visit_date", None) if last is not first else None})
    return pairs, "" if pairs else "No photographs were taken."


def _photo_bytes(photo: Any) -> bytes | None:
    for name in ("file_name", "image", "file"):
        stored = getattr(photo, name, None)
        if stored:
            try:
                storage = storages["photos"]
                with storage.open(getattr(stored, "name", str(stored)), "rb") as handle:
                    return handle.read()
            except Exception:  # noqa: BLE001 - an unreadable file is reported as missing
                logger.warning("a photo file could not be read for a report", exc_info=True)
                return None
    return None


@dataclass
class ReportContent:
    clinic: Clinic
    progress: Progress
    generated_on: dt.date
    generated_by: str
    charts: list[tuple[Chart, str]]
    photo_pairs: list[dict[str, Any]]
    photo_note: str
    aftercare: Any
    next_steps: list[str]


def next_steps(progress: Progress) -> list[str]:
    steps = []
    if progress.non_responder is not None:
        steps.append(progress.non_responder.message)
    if progress.response is not None:
        r = progress.response
        text = NEXT_STEP_TEXT.get(r.next_step.value, r.next_step.value)
        if r.maintenance_interval_days:
            text += f", about every {r.maintenance_interval_days} days"
        steps.append(text + ".")
        if r.early_assessment:
            steps.append("This assessment is early and provisional; the next measurements will say more.")
    course = progress.course
    if course is not None:
        upcoming = Appointment.objects.filter(
            clinic_id=course.clinic_id, patient=progress.patient, status=AppointmentStatus.BOOKED,
            starts_at__date__gte=progress.today,
        ).order_by("starts_at").first()
        if upcoming is not None:
            steps.append(f"Next appointment: {display.moment(timezone.localtime(upcoming.starts_at))} ({upcoming.get_kind_display()}).")
    steps.append("Measurements are repeated at the same scalp site every 6-12 weeks so changes can be compared fairly.")
    return steps


def report_content(progress: Progress, clinic: Clinic, author: str) -> ReportContent:
    from anagen.procedures.services import aftercare_sheet

    pairs, note = _photo_pairs(progress.patient)
    return ReportContent(clinic, progress, progress.today, author, chart_svgs(progress, for_pdf=True), pairs, note,
                         aftercare_sheet(clinic, "en"), next_steps(progress))


def generate_report(actor: Actor, clinic: Clinic | None, patient_id: int, author: User, today: dt.date) -> Report:
    """Build the PDF, store it under the ``reports`` alias and record it, audited as an export.
    The file is written before the row; if the row or the audit entry fails the file is removed,
    so no report row ever points at a missing file."""
    from anagen.outcomes.pdf import build_pdf

    patient = get_patient_for_outcomes(actor, clinic, patient_id)
    progress = patient_progress(patient, today)
    data = build_pdf(report_content(progress, patient.clinic, author.get_full_name() or author.username))
    digest = hashlib.sha256(data).hexdigest()
    storage = storages["reports"]
    name = storage.save(f"clinic-{patient.clinic_id}/patient-{patient.pk}/progress-{today:%Y%m%d}-{uuid.uuid4().hex[:12]}.pdf", ContentFile(data))
    try:
        with transaction.atomic():
            report = Report.objects.create(clinic=patient.clinic, patient=patient, created_by=author, file_name=name,
                                           size_bytes=len(data), sha256=digest)
            audit.append(actor, Action.EXPORT, object_type="progress_report", object_id=report.pk, patient_id=patient.pk,
                         changes={"file_name": {"old": None, "new": name}, "sha256": {"old": None, "new": digest}})
    except Exception:
        storage.delete(name)
        raise
    return report


def reports_for(patient: Patient) -> list[Report]:
    return list(Report.objects.filter(patient=patient).select_related("created_by"))


def get_report(actor: Actor, clinic: Clinic | None, report_id: int) -> Report:
    if clinic is None:
        raise Http404
    report = Report.objects.select_related("patient").filter(pk=report_id, clinic=clinic).first()
    if report is None:
        raise Http404
    return report


def open_report(actor: Actor, clinic: Clinic | None, report_id: int) -> tuple[Report, io.BufferedReader | Any]:
    """The stored file of a report, its download audited as an export."""
    report = get_report(actor, clinic, report_id)
    handle = storages["reports"].open(report.file_name, "rb")
    audit.append(actor, Action.EXPORT, object_type="progress_report_download", object_id=report.pk, patient_id=report.patient_id)
    return report, handle


def set_report_shared(actor: Actor, report: Report, shared: bool) -> Report:
    with transaction.atomic():
        old = report.shared_with_patient
        Report.objects.filter(pk=report.pk).update(shared_with_patient=shared)
        report.shared_with_patient = shared
        audit.append(actor, Action.UPDATE, object_type="progress_report", object_id=report.pk, patient_id=report.patient_id,
                     changes={"shared_with_patient": {"old": old, "new": shared}})
    return report


# ------------------------------------------------------------------------------ clinic outcomes


@dataclass
class RateRow:
    label: str
    estimate: RateEstimate


@dataclass
class ClinicOutcomes:
    start: dt.date
    end: dt.date
    settings: OutcomesSettings
    assessed: int
    not_assessed: int
    by_diagnosis: list[RateRow]
    by_formulation: list[RateRow]
    by_combination: list[RateRow]
    by_practitioner: list[RateRow]
    adverse_events: list[dict[str, Any]]
    sessions: int
    no_show: RateRow
    completion: RateRow
    pending: int = 0
    """Patients whose records changed moments ago and are not in the tables yet."""


def _rate_rows(groups: dict[str, list[bool]], settings: OutcomesSettings) -> list[RateRow]:
    return [RateRow(label, estimate_rate(sum(values), len(values), settings)) for label, values in sorted(groups.items())]


def course_response(course: Course, measurements: Sequence[MeasurementSet], protocol: Any) -> str | None:
    """The response class between the course's baseline (its consultation's measurements) and the
    patient's latest later visit, or None when there is nothing to compare. ``measurements`` are
    all of the patient's, in visit order."""
    baseline = next((m for m in measurements if m.consultation_id == course.consultation_id), None)
    if baseline is None:
        return None
    later = [m for m in measurements if m.measured_on > baseline.measured_on]
    if not later:
        return None
    follow_up = max(later, key=lambda m: (m.measured_on, m.pk))
    gpa = GlobalPhotographicAssessment(follow_up.global_photo_score) if follow_up.global_photo_score is not None else None
    try:
        return classify_response(assessment_of(baseline), assessment_of(follow_up), gpa, protocol).response_class.value
    except InvalidInput:
        return None


def formulation_as_proposed(course: Course) -> bool:
    """Whether the course's formulation is exactly what its diagnosis template proposed."""
    from anagen.treatments.services import starting_components

    try:
        proposed, _ = starting_components(course.consultation)
        proposed_set = {(c.ingredient, Decimal(c.volume_ml), Decimal(c.concentration)) for c in proposed}
        saved = {(c.ingredient, c.volume_ml, c.concentration) for c in course.formulation.components.all()}
    except Exception:  # noqa: BLE001 - an old formulation the template can no longer rebuild
        return False
    return proposed_set == saved


def clinic_outcomes(clinic: Clinic, start: dt.date, end: dt.date, today: dt.date,
                    settings: OutcomesSettings = DEFAULT_SETTINGS) -> ClinicOutcomes:
    """The clinic's outcome tables for courses started, sessions performed and appointments held
    between ``start`` and ``end`` (inclusive, clinic-local dates). Aggregates only: no names.

    Each course's response, formulation, combinations, main practitioner and completion come from
    its ``CourseOutcome`` row (rebuilt when the patient's record changes: ``outcomes.outlook``), so
    the page costs the same few queries for ten courses or ten thousand."""
    from anagen.accounts.models import User
    from anagen.outcomes.outlook import refresh_pending
    from anagen.safety.models import EVENT_TYPE_CHOICES, SEVERITY_CHOICES, AdverseEvent
    from anagen.scheduling.services import day_bounds

    if end < start:
        raise InvalidInput.single("end", "must be on or after the start date")
    pending = refresh_pending(clinic).pending
    rows = list(CourseOutcome.objects.filter(clinic=clinic, start_date__gte=start, start_date__lte=end).values_list(
        "diagnosis", "formulation_as_proposed", "combinations", "practitioner_id", "response_class",
        "last_planned_on", "all_sessions_completed"))
    names = {u.pk: str(u) for u in User.objects.filter(pk__in={r[3] for r in rows if r[3] is not None})}
    therapies = dict(CourseCombination._meta.get_field("therapy").choices or [])
    by_diagnosis: dict[str, list[bool]] = defaultdict(list)
    by_formulation: dict[str, list[bool]] = defaultdict(list)
    by_combination: dict[str, list[bool]] = defaultdict(list)
    by_practitioner: dict[str, list[bool]] = defaultdict(list)
    assessed = not_assessed = completed_courses = eligible = 0
    for diagnosis, as_proposed, combinations, practitioner_id, response_class, last_planned_on, all_completed in rows:
        if last_planned_on is not None and last_planned_on < today:
            eligible += 1
            completed_courses += bool(all_completed)
        if not response_class:
            not_assessed += 1
            continue
        assessed += 1
        responder = is_responder(response_class)
        by_diagnosis[DIAGNOSIS_LABELS.get(diagnosis, "No diagnosis")].append(responder)
        template = DIAGNOSIS_LABELS.get(diagnosis, diagnosis or "no diagnosis")
        by_formulation[f"{template} template, {'as proposed' if as_proposed else 'personalised'}"].append(responder)
        for therapy in sorted({therapies.get(code, code) for code in combinations} or {"No combination therapy"}):
            by_combination[therapy].append(responder)
        by_practitioner[names.get(practitioner_id, "No session completed")].append(responder)

    # Sessions: recorded sessions plus completed mesotherapy appointments without a record.
    first_moment, _ = day_bounds(start)
    _, after_end = day_bounds(end)
    in_range = {"clinic": clinic, "starts_at__gte": first_moment, "starts_at__lt": after_end}
    sessions = TreatmentSession.objects.filter(clinic=clinic, performed_on__gte=start, performed_on__lte=end).count()
    sessions += Appointment.objects.filter(**in_range, kind=Kind.MESOTHERAPY_SESSION, status=AppointmentStatus.COMPLETED,
                                           treatment_session__isnull=True).count()
    types, severities = dict(EVENT_TYPE_CHOICES), dict(SEVERITY_CHOICES)
    counts = Counter(AdverseEvent.objects.filter(clinic=clinic, onset_date__gte=start, onset_date__lte=end)
                     .values_list("event_type", "severity"))
    events = [{"event_type": types.get(t, t), "severity": severities.get(s, s), "count": n, "per_100": per_100(n, sessions)}
              for (t, s), n in sorted(counts.items())]
    held = dict(Appointment.objects.filter(**in_range, status__in=[AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW])
                .values_list("status").annotate(n=Count("id")).order_by())
    return ClinicOutcomes(
        start, end, settings, assessed, not_assessed,
        _rate_rows(by_diagnosis, settings), _rate_rows(by_formulation, settings),
        _rate_rows(by_combination, settings), _rate_rows(by_practitioner, settings),
        events, sessions,
        RateRow("No-shows among completed and missed appointments",
                estimate_rate(held.get(AppointmentStatus.NO_SHOW, 0), sum(held.values()), settings)),
        RateRow("Courses with every planned session completed", estimate_rate(completed_courses, eligible, settings)),
        pending,
    )


TABLES = {
    "diagnosis": ("Response by diagnosis", "by_diagnosis"),
    "formulation": ("Response by formulation template", "by_formulation"),
    "combination": ("Response by combination therapy", "by_combination"),
    "practitioner": ("Response by practitioner", "by_practitioner"),
    "adverse_events": ("Adverse events per 100 sessions", None),
    "attendance": ("No-shows and course completion", None),
}


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def table_rows(outcomes: ClinicOutcomes, table: str) -> tuple[list[str], list[list[str]]]:
    """One outcomes table as a header and rows of text: what the page shows and the CSV holds."""
    if table not in TABLES:
        raise InvalidInput.single("table", f"one of {', '.join(TABLES)}")
    rate_header = ["group", "responders", "patients", "rate %", "95% CI low %", "95% CI high %", "note"]
    _, attr = TABLES[table]
    if attr is not None:
        rows = [[r.label, str(r.estimate.successes), str(r.estimate.total), _pct(r.estimate.rate), _pct(r.estimate.low),
                 _pct(r.estimate.high), "" if r.estimate.enough else "too few patients to say"] for r in getattr(outcomes, attr)]
        return rate_header, rows
    if table == "adverse_events":
        header = ["type", "severity", "events", "sessions", "per 100 sessions"]
        return header, [[e["event_type"], e["severity"], str(e["count"]), str(outcomes.sessions), str(e["per_100"] or "")]
                        for e in outcomes.adverse_events]
    header = ["measure", "count", "of", "rate %", "95% CI low %", "95% CI high %", "note"]
    rows = []
    for r in (outcomes.no_show, outcomes.completion):
        rows.append([r.label, str(r.estimate.successes), str(r.estimate.total), _pct(r.estimate.rate), _pct(r.estimate.low),
                     _pct(r.estimate.high), "" if r.estimate.enough else "too few patients to say"])
    return header, rows


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=365), today
