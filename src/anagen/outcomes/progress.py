"""A patient's progress: measurements mapped to the core, the response, the forecast and its
non-responder rule, the charts; and each course's outcome for the outlook rows (``outlook``).

The progress report is built from this in ``reports``; the clinic's tables in ``clinic_outcomes``.

Clinical rules stay in the core (``anagen.core.response``, ``anagen.core.haircycle``,
``anagen.core.outcomes``); this module maps the stored rows to the core's dataclasses, calls it,
stores and audits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from anagen.accounts.models import Clinic, User
from anagen.accounts.protocols import protocol_for
from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.consultations.models import DIAGNOSIS_CHOICES, Consultation, MeasurementSet
from anagen.consultations.services import record_follow_up_measurements, void_measurement_visit
from anagen.core.errors import InvalidInput, NotFound
from anagen.core.haircycle import (
    TREATMENTS,
    Band,
    Measurement,
    NonResponderResult,
    PatientBaseline,
    PersonalForecast,
    non_responder_check,
    personal_forecast,
    untreated_band,
)
from anagen.core.measurements import (
    CombCount,
    GlobalPhotographicAssessment,
    ScalpZone,
    Trichoscopy,
    WashTest,
)
from anagen.core.measurements import same_site as core_same_site
from anagen.core.outcomes import (
    ExpectedTimeline,
    expected_timeline,
    forecast_diagnosis,
    forecast_treatments,
    untreated_reference,
)
from anagen.core.response import (
    Assessment,
    CourseContext,
    ResponseResult,
    Visit,
    classify_response,
    density_sdc_pct,
    response_visits,
)
from anagen.outcomes.charts import BandSeries, Chart, Series, render_svg
from anagen.patients.models import Patient
from anagen.procedures.models import TreatmentSession
from anagen.scheduling.models import Appointment, Kind
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.treatments.models import Course
from anagen.treatments.services import starting_components

logger = logging.getLogger(__name__)

FORECAST_DAYS = 365
DIAGNOSIS_LABELS = dict(DIAGNOSIS_CHOICES)


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
    return core_same_site(a.site_zone, a.site_offset_cm, b.site_zone, b.site_offset_cm)


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
    # Issue 17: the untreated course for this patient, and what the forecast does not claim.
    untreated: Band | None = None
    # The course formulation's ingredient codes (read once: treatments, minoxidil, 5-ARI).
    ingredients: tuple[str, ...] = ()
    forecast_limits: list[str] = field(default_factory=list)
    voided: list[MeasurementSet] = field(default_factory=list)

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


def _response_rows(consultation_id: int | None, measurements: Sequence[MeasurementSet]) -> tuple[MeasurementSet | None, MeasurementSet | None]:
    """The baseline and follow-up rows the response compares, chosen by the core's one rule."""
    by_id = {m.pk: m for m in measurements}
    chosen = response_visits([Visit(m.pk, m.measured_on, m.consultation_id, m.density_per_cm2 is not None) for m in measurements],
                             consultation_id)
    return (by_id[chosen.baseline.visit_id] if chosen.baseline else None,
            by_id[chosen.follow_up.visit_id] if chosen.follow_up else None)


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


def trigger_days_ago(course: Course | None, consultation: Consultation | None) -> int | None:
    """Telogen effluvium: days from the trigger recorded in the consultation to the course start
    (issue 17), within the model's 0-365; None (the model's default, 90) when none is recorded."""
    if course is None or consultation is None or consultation.te_trigger_on is None:
        return None
    return min(365, max(0, (course.start_date - consultation.te_trigger_on).days))


def course_context(progress: Progress, follow_up: MeasurementSet) -> CourseContext:
    """What the response needs to know of the course (issue 17): minoxidil in it (an early worse
    is the expected shed), the phase on the follow-up date and how many intensive sessions were
    done by then, and for telogen effluvium the untreated course to judge against."""
    course = progress.course
    if course is None:
        return CourseContext()
    ingredients = set(progress.ingredients)
    done = len([s for s in progress.course_sessions_done if s.day <= follow_up.measured_on])
    phase = "intensive" if done < course.intensive_sessions else "maintenance"
    untreated = None
    consultation = progress.consultation
    baseline = progress.baseline
    if consultation is not None and consultation.diagnosis_primary == "telogen_effluvium" and baseline is not None:
        untreated = untreated_reference(
            "telogen_effluvium", (baseline.measured_on - course.start_date).days, (follow_up.measured_on - course.start_date).days,
            trigger_days_ago(course, consultation),
        )
    return CourseContext(minoxidil_in_course="minoxidil" in ingredients, phase=phase, sessions_done=min(done, course.intensive_sessions),
                         intensive_sessions=course.intensive_sessions, untreated=untreated)


FORECAST_CACHE_SECONDS = 7 * 24 * 3600


def _forecast(
    key: str, baseline: PatientBaseline, treatments: tuple[str, ...], follow_ups: list[Measurement], trigger: int | None = None,
) -> PersonalForecast:
    """``personal_forecast``, kept in the cache under a digest of its exact inputs: the same inputs
    give the same forecast, so an entry never goes stale, and a new measurement is a new key.
    (About 0.1-0.4 s of numpy per forecast; a progress page is read far more often than its
    patient is measured.) The rules' version is part of the key, so issue 17's forecasts never
    reuse an entry written before them."""
    inputs = repr(("issue17", key, baseline, treatments, tuple(follow_ups), FORECAST_DAYS, trigger))
    name = "anagen:forecast:" + hashlib.sha256(inputs.encode()).hexdigest()
    try:
        forecast = cache.get(name)
    except Exception:  # noqa: BLE001 - a shared cache that is down slows the page, it does not break it
        logger.warning("forecast cache unavailable", exc_info=True)
        return personal_forecast(key, baseline, treatments, follow_ups, days=FORECAST_DAYS, trigger_days_ago=trigger)
    if forecast is None:
        forecast = personal_forecast(key, baseline, treatments, follow_ups, days=FORECAST_DAYS, trigger_days_ago=trigger)
        try:
            cache.set(name, forecast, FORECAST_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("forecast cache unavailable", exc_info=True)
    return forecast


def forecast_limits(forecast: PersonalForecast) -> list[str]:
    """What the forecast does not claim, in words for the page and the PDF (issue 17)."""
    lines = []
    if forecast.untreated_only:
        lines.append("No randomised trial has measured hair counts with this course's treatments: the forecast shown is the "
                     "course without treatment, and claims no benefit.")
    for item in forecast.unmeasured:
        if not forecast.untreated_only:
            lines.append(f"{TREATMENTS[item.key]}: no trial measured it ({item.reason}); it adds nothing to the forecast.")
    if forecast.horizon_days < FORECAST_DAYS:
        lines.append(f"The forecast stops at day {forecast.horizon_days}: the trial behind it measured no longer.")
    if forecast.follow_ups_after_horizon:
        lines.append("Follow-ups after that day are measured but not compared with a forecast.")
    return lines


def non_responder_result(progress: Progress) -> NonResponderResult | None:
    """The forecast's non-responder rule alone (no posterior): what the patient's outlook stores."""
    key, patient_baseline, follow_ups, _ = _forecast_inputs(progress)
    if key is None or patient_baseline is None or progress.course is None:
        return None
    return non_responder_check(key, patient_baseline, progress.treatments, follow_ups, days=FORECAST_DAYS,
                               trigger_days_ago=trigger_days_ago(progress.course, progress.consultation))


def patient_progress(patient: Patient, today: dt.date, *, with_forecast: bool = True, with_charts: bool = True) -> Progress:
    """Everything the progress page and the report show; reads only (the caller audits)."""
    # One query for every visit: the voided ones are listed apart and count for nothing (issue 17).
    visits = list(MeasurementSet.all_objects.filter(patient=patient).select_related("voided_by").order_by("measured_on", "id"))
    measurements = [m for m in visits if m.voided_at is None]
    course = _latest_course(patient)
    consultation = course.consultation if course is not None else (
        Consultation.objects.filter(patient=patient, status="signed").order_by("-consulted_on", "-id").first())
    baseline, follow_up = _response_rows(consultation.pk if consultation else None, measurements)
    progress = Progress(patient, today, measurements, baseline, consultation, course, _session_marks(patient))
    progress.voided = [m for m in visits if m.voided_at is not None]
    if course is not None:
        progress.course_sessions_done = _course_sessions(course)
        progress.ingredients = tuple(course.formulation.components.values_list("ingredient", flat=True))
        progress.treatments = forecast_treatments(progress.ingredients)
    protocol = protocol_for(patient.clinic)

    # Response: the baseline against the latest later visit.
    if baseline is None:
        progress.response_note = "No measurements recorded yet."
    elif follow_up is None:
        progress.response_note = "No follow-up measurement yet: the response is assessed against the baseline at a later visit."
    else:
        gpa = GlobalPhotographicAssessment(follow_up.global_photo_score) if follow_up.global_photo_score is not None else None
        try:
            progress.response = classify_response(assessment_of(baseline), assessment_of(follow_up), gpa, protocol,
                                                  course_context(progress, follow_up))
            progress.response_follow_up = follow_up
        except InvalidInput as exc:
            progress.response_note = "Response not assessed: " + "; ".join(e.message for e in exc.errors)

    if with_forecast:
        key, patient_baseline, follow_ups, note = _forecast_inputs(progress)
        progress.forecast_note = note
        if key is not None and patient_baseline is not None and course is not None:
            progress.diagnosis_key = key
            trigger = trigger_days_ago(course, consultation)
            forecast = _forecast(key, patient_baseline, progress.treatments, follow_ups, trigger)
            progress.forecast = forecast
            progress.untreated = untreated_band(key, patient_baseline, days=forecast.horizon_days, trigger_days_ago=trigger)
            progress.forecast_limits = forecast_limits(forecast)
            ingredients = set(progress.ingredients)
            progress.timeline = expected_timeline(
                forecast.density, forecast.wash_test, patient_baseline.density_per_cm2,
                course.start_date, max(protocol.partial_density_gain_pct, density_sdc_pct(protocol)),
                minoxidil_in_course="minoxidil" in ingredients, untreated_only=forecast.untreated_only,
                horizon_days=forecast.horizon_days,
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
    band = untreated = None
    if progress.forecast is not None and progress.course is not None:
        start = progress.course.start_date
        last_seen = max([progress.today, *[m.measured_on for m in progress.measurements]])
        horizon = progress.forecast.horizon_days
        end_day = min(horizon, max(120, (last_seen - start).days + 90))
        days = sorted({*range(0, end_day + 1, 7), end_day})

        def series(b: Band, label: str) -> BandSeries:
            return BandSeries(tuple(start + dt.timedelta(days=d) for d in days), tuple(b.p10[d] for d in days),
                              tuple(b.p50[d] for d in days), tuple(b.p90[d] for d in days), label)

        label = ("expected without treatment (no trial measured this course), 10-90%" if progress.forecast.untreated_only
                 else "expected for this course, 10-90%")
        band = series(progress.forecast.density_at_start, label)
        if progress.untreated is not None and not progress.forecast.untreated_only:
            untreated = series(progress.untreated, "without treatment, 10-90%")
    site = (f"{baseline.get_site_zone_display().lower()}, {baseline.site_offset_cm} cm"
            if baseline is not None and baseline.site_zone else "no site recorded")
    base = baseline

    def base_of(attr: str) -> float | None:
        return float(getattr(base, attr)) if base is not None and getattr(base, attr) is not None else None

    return [
        Chart("chart-density", f"Hair density ({site})", "hairs/cm²",
              (Series("density", _points(compared, "density_per_cm2"), "circle", False, "/cm²"),),
              sessions, base_of("density_per_cm2"), "baseline", band, untreated_band=untreated),
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
        raise NotFound
    patient = Patient.objects.select_related("clinic").filter(pk=patient_id, clinic=clinic).first()
    if patient is None:
        raise NotFound
    return patient


def follow_up_form_patient(actor: Actor, clinic: Clinic | None, patient_id: int) -> tuple[Patient, MeasurementSet | None]:
    """The patient (read audited: the form names them) and their baseline, whose site a follow-up
    repeats."""
    patient = get_patient_for_outcomes(actor, clinic, patient_id)
    audit.record_read(actor, "progress", patient.pk, patient.pk)
    course = _latest_course(patient)
    measurements = list(MeasurementSet.objects.filter(patient=patient).order_by("measured_on", "id"))
    return patient, _response_rows(course.consultation_id if course else None, measurements)[0]


def record_follow_up(actor: Actor, patient: Patient, on: dt.date, values: dict[str, Any], *, today: dt.date) -> MeasurementSet:
    """A follow-up measurement visit, refused when empty or on or before the baseline visit it is
    compared with (issue 17; ``anagen.core.response.follow_up_visit_problems``)."""
    course = _latest_course(patient)
    consultation = course.consultation if course is not None else (
        Consultation.objects.filter(patient=patient, status="signed").order_by("-consulted_on", "-id").first())
    measurements = list(MeasurementSet.objects.filter(patient=patient).order_by("measured_on", "id"))
    baseline, _ = _response_rows(consultation.pk if consultation else None, measurements)
    return record_follow_up_measurements(actor, patient, on, values, today=today,
                                         baseline_on=baseline.measured_on if baseline is not None else None)


def void_visit(actor: Actor, clinic: Clinic | None, patient_id: int, visit_id: int, reason: str, by: User) -> MeasurementSet:
    """Void a follow-up visit recorded in error (audited, never deleted: issue 17)."""
    patient = get_patient_for_outcomes(actor, clinic, patient_id)
    visit = MeasurementSet.all_objects.filter(patient=patient, clinic_id=patient.clinic_id, pk=visit_id).first()
    if visit is None:
        raise NotFound
    return void_measurement_visit(actor, visit, reason, by)


def view_progress(actor: Actor, clinic: Clinic | None, patient_id: int, today: dt.date) -> Progress:
    """The progress page: one audited read of the patient's measurements, response and forecast."""
    patient = get_patient_for_outcomes(actor, clinic, patient_id)
    # The read is audited on its own, not in a transaction around the whole computation: on
    # SQLite that transaction would hold the one write lock (and so every other page's audit
    # append) for as long as a forecast takes.
    audit.record_read(actor, "progress", patient.pk, patient.pk)
    return patient_progress(patient, today)


# ------------------------------------------------------------------------------ course outcomes


def course_response(course: Course, measurements: Sequence[MeasurementSet], protocol: Any) -> str | None:
    """The response class between the course's baseline and the patient's latest later visit, chosen
    as on the progress page (``core.response.response_visits``), or None when there is nothing to
    compare. ``measurements`` are all of the patient's."""
    baseline, follow_up = _response_rows(course.consultation_id, measurements)
    if baseline is None or follow_up is None:
        return None
    gpa = GlobalPhotographicAssessment(follow_up.global_photo_score) if follow_up.global_photo_score is not None else None
    context = CourseContext()
    if course.consultation.diagnosis_primary == "telogen_effluvium":
        # Telogen effluvium recovers by itself: judged against its untreated course (issue 17).
        context = CourseContext(untreated=untreated_reference(
            "telogen_effluvium", (baseline.measured_on - course.start_date).days, (follow_up.measured_on - course.start_date).days,
            trigger_days_ago(course, course.consultation)))
    try:
        return classify_response(assessment_of(baseline), assessment_of(follow_up), gpa, protocol, context).response_class.value
    except (InvalidInput, ValueError):
        return None


def formulation_as_proposed(course: Course) -> bool:
    """Whether the course's formulation is exactly what its diagnosis template proposed."""
    try:
        proposed, _ = starting_components(course.consultation)
        proposed_set = {(c.ingredient, Decimal(c.volume_ml), Decimal(c.concentration)) for c in proposed}
        saved = {(c.ingredient, c.volume_ml, c.concentration) for c in course.formulation.components.all()}
    except Exception:  # noqa: BLE001 - an old formulation the template can no longer rebuild
        return False
    return proposed_set == saved
