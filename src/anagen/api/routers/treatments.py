"""Formulations and courses (clinical staff read; trichologists prescribe and book), plan previews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import MAX_ID, Id, ModelOut, actor, clinic, if_match, page_of, set_etag
from anagen.api.problems import Problem, form_errors, invalid, stale
from anagen.consultations.services import latest_signed
from anagen.core.errors import FieldError, InvalidInput
from anagen.patients import services as patient_services
from anagen.scheduling.models import Appointment
from anagen.treatments import services
from anagen.treatments.forms import CombinationForm, ComponentForm, CourseForm, FormulationForm
from anagen.treatments.models import Course, Formulation

router = Router(tags=["treatments"])


class ComponentIn(Schema):
    ingredient: str
    volume_ml: Decimal
    concentration: Decimal


class FormulationIn(Schema):
    patient_id: Id
    components: list[ComponentIn]
    signoff: bool = False
    consent_documented: bool = False
    notes: str = ""
    # Issue 17: ready-made products the formulation names (this clinic's product ids), and the
    # trichologist's written reasons: an override of a 5-ARI for telogen effluvium
    # ("five_ari_telogen_effluvium") or an acknowledgement of a drug caution
    # ("minoxidil_cardiovascular_caution", "five_ari_condition_caution").
    product_ids: list[Id] = []
    trichologist_reasons: dict[Literal["five_ari_telogen_effluvium", "minoxidil_cardiovascular_caution", "five_ari_condition_caution"], str] = {}


class ComponentOut(Schema):
    position: int
    ingredient: str
    volume_ml: Decimal
    concentration: Decimal
    concentration_unit: str


class WarningOut(Schema):
    code: str
    message: str
    source: str = ""


class FormulationOut(ModelSchema, ModelOut):
    id: int
    patient_id: Id
    consultation_id: int
    created_by_id: int
    drug_signoff_by_id: int | None
    total_volume_ml: Decimal
    warnings: list[WarningOut]
    components: list[ComponentOut]
    product_ids: list[int] = []

    class Meta:
        model = "treatments.Formulation"
        fields = ["id", "diagnosis", "created_at", "drug_consent_documented", "notes"]


def _formulation_out(f: Formulation) -> dict[str, Any]:
    data = {name: getattr(f, name) for name in FormulationOut.model_fields if name not in ("components", "product_ids")}
    data["components"] = list(f.components.all())
    data["product_ids"] = sorted(p.pk for p in f.products.all())
    return data


@router.get("/formulations", response=page_of(FormulationOut), auth=auth.CLINICAL, summary="List formulations")
def list_formulations(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), page: int = Query(1, ge=1, le=100_000),
                      page_size: int = Query(25, ge=1, le=100)) -> Any:
    found = services.list_formulations(actor(request), clinic(request), patient_id=patient_id, page=page, page_size=page_size)
    return {"items": [_formulation_out(f) for f in found.items], **found.meta}


@router.get("/formulations/{formulation_id}", response=FormulationOut, auth=auth.CLINICAL, summary="Read a formulation")
def get_formulation(request: HttpRequest, formulation_id: int) -> Any:
    return _formulation_out(services.get_formulation(actor(request), clinic(request), formulation_id))


@router.post("/formulations", response={201: FormulationOut}, auth=auth.TRICHOLOGIST,
             summary="Prescribe a formulation from the patient's latest signed consultation")
def create_formulation(request: HttpRequest, payload: FormulationIn) -> Any:
    """Checked by the clinical core (ingredients, concentrations, volumes, allergies, off-label
    drug sign-off); a saved formulation is never changed: a change is a new formulation."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), payload.patient_id)
    consultation = latest_signed(patient)
    if consultation is None:
        raise invalid([FieldError("patient_id", "Sign a consultation before prescribing a formulation.")])
    errors: list[FieldError] = []
    components = []
    if not payload.components:
        errors.append(FieldError("components", "Add at least one ingredient."))
    for index, row in enumerate(payload.components):
        form = ComponentForm({k: str(v) for k, v in row.model_dump().items()})
        if form.is_valid() and form.component() is not None:
            components.append(form.component())
        else:
            errors += form_errors(form, f"components.{index}.") or [FieldError(f"components.{index}.ingredient", "Choose an ingredient.")]
    options = FormulationForm({"signoff": "on" if payload.signoff else "", "notes": payload.notes,
                               "consent_documented": "on" if payload.consent_documented else ""})
    if not options.is_valid():
        errors += form_errors(options)
    if errors:
        raise invalid(errors)
    formulation = services.save_formulation(
        who, consultation, components, author=request.user, signoff=options.cleaned_data["signoff"],  # type: ignore[arg-type]
        consent_documented=options.cleaned_data["consent_documented"], notes=options.cleaned_data["notes"],
        product_ids=payload.product_ids, reasons={k: v for k, v in payload.trichologist_reasons.items() if v.strip()},
    )
    return Status(201, _formulation_out(formulation))


class CombinationIn(Schema):
    therapy: Literal["prf", "exosomes", "peptides"]
    start_date: dt.date
    interval_days: int
    sessions: int


class PlanIn(Schema):
    start_date: dt.date
    intensive_sessions: int
    interval_days: int
    maintenance_sessions: int
    maintenance_interval_days: int
    combination: list[CombinationIn] = []


class PlannedSessionOut(Schema):
    number: int
    date: dt.date
    phase: str


class PlannedCombinationOut(Schema):
    therapy: str
    date: dt.date


class PlanWarningOut(Schema):
    code: str
    message: str


class PlanOut(Schema):
    sessions: list[PlannedSessionOut]
    combination: list[PlannedCombinationOut]
    warnings: list[PlanWarningOut]


PLAN_FIELDS = ("start_date", "intensive_sessions", "interval_days", "maintenance_sessions", "maintenance_interval_days")
# The course form's own fields and limits, without the booking-only fields: a preview books nothing.
PlanForm = type("PlanForm", (forms.Form,), {name: CourseForm.base_fields[name] for name in PLAN_FIELDS})


def _choices(payload: PlanIn | Any, form: forms.Form) -> services.CourseChoices:
    errors = [] if form.is_valid() else form_errors(form)
    combos = []
    for index, combo in enumerate(payload.combination):
        combo_form = CombinationForm({k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in combo.model_dump().items()})
        if combo_form.is_valid():
            request = combo_form.request()
            if request is not None:
                combos.append(request)
        else:
            errors += form_errors(combo_form, f"combination.{index}.")
    if errors:
        raise invalid(errors)
    data = form.cleaned_data
    return services.CourseChoices(**{name: data[name] for name in PLAN_FIELDS}, combination=tuple(combos))


def _plan_data(payload: Any) -> dict[str, str]:
    return {name: (getattr(payload, name).isoformat() if isinstance(getattr(payload, name), dt.date) else str(getattr(payload, name)))
            for name in PLAN_FIELDS}


def _plan_out(plan: Any) -> dict[str, Any]:
    return {
        "sessions": [{"number": s.number, "date": s.date, "phase": str(getattr(s.phase, "value", s.phase))} for s in plan.sessions],
        "combination": [{"therapy": str(getattr(c.therapy, "value", c.therapy)), "date": c.date} for c in plan.combination],
        "warnings": [{"code": w.code, "message": w.message} for w in plan.warnings],
    }


@router.post("/courses/preview", response=PlanOut, auth=auth.CLINICAL, summary="Preview a course plan (nothing is booked)")
def preview(request: HttpRequest, payload: PlanIn) -> Any:
    """The session dates the clinical core plans from these choices and the clinic's open days and
    closures; the same limits as the booking form."""
    choices = _choices(payload, PlanForm(_plan_data(payload)))
    plan = services.preview_course(clinic(request), choices)
    return _plan_out(plan)


class CourseIn(PlanIn):
    patient_id: Id
    formulation_id: Id
    practitioner_id: Id
    room_id: Id
    session_time: dt.time
    duration_minutes: int


class CourseAppointmentOut(Schema):
    id: int
    kind: str
    status: str
    starts_at: dt.datetime
    course_session_number: int | None


class CourseOut(ModelSchema, ModelOut):
    id: int
    patient_id: Id
    consultation_id: int
    formulation_id: Id
    created_by_id: int
    warnings: list[PlanWarningOut]
    appointments: list[CourseAppointmentOut]

    class Meta:
        model = "treatments.Course"
        fields = ["id", "start_date", "intensive_sessions", "interval_days", "maintenance_sessions", "maintenance_interval_days", "status", "created_at"]


def _course_out(course: Course, appointments: list[Any] | None = None) -> dict[str, Any]:
    data = {name: getattr(course, name) for name in CourseOut.model_fields if name != "appointments"}
    data["appointments"] = services.course_appointments(course) if appointments is None else appointments
    return data


@router.get("/courses", response=page_of(CourseOut), auth=auth.CLINICAL, summary="List courses")
def list_courses(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID),
                 status: Literal["active", "completed", "stopped"] | None = None,
                 page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    found = services.list_courses(actor(request), clinic(request), patient_id=patient_id, status=status, page=page,
                                  page_size=page_size)
    # One query for the appointments of every course on the page, not one per course.
    by_course = services.appointments_by_course(clinic(request).pk, [c.pk for c in found.items])
    return {"items": [_course_out(c, by_course[c.pk]) for c in found.items], **found.meta}


@router.get("/courses/{course_id}", response=CourseOut, auth=auth.CLINICAL, summary="Read a course and its appointments")
def get_course(request: HttpRequest, course_id: int) -> Any:
    return _course_out(services.get_course(actor(request), clinic(request), course_id))


@router.post("/courses", response={201: CourseOut}, auth=auth.TRICHOLOGIST, summary="Book a course")
def book_course(request: HttpRequest, payload: CourseIn, response: HttpResponse) -> Any:
    """Plans with the core and books every session as an appointment: all of them or none. Refused
    with 409 while the screening blocks booking (unacknowledged caution, deferral, exclusion)."""
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), payload.patient_id)
    data = _plan_data(payload) | {
        "formulation": str(payload.formulation_id), "practitioner": str(payload.practitioner_id),
        "room": str(payload.room_id), "session_time": payload.session_time.strftime("%H:%M"),
        "duration_minutes": str(payload.duration_minutes),
    }
    form = CourseForm(data, patient=patient)
    choices = _choices(payload, form)
    cleaned = form.cleaned_data
    course = services.book_course(
        who, patient, cleaned["formulation"], choices, practitioner=cleaned["practitioner"], room=cleaned["room"],
        session_time=cleaned["session_time"], duration_minutes=cleaned["duration_minutes"], author=request.user,  # type: ignore[arg-type]
        today=timezone.localdate(),
    )
    return Status(201, _course_out(course))


class ReplanIn(Schema):
    appointment_id: Id


class ReplanChangeOut(Schema):
    appointment_id: int
    session_number: int | None
    old_date: dt.date
    new_date: dt.date


class ReplanOut(Schema):
    course_id: int
    moved_appointment_id: int
    changes: list[ReplanChangeOut]
    plan: PlanOut
    applied: int = 0


def _replan(request: HttpRequest, course_id: int, appointment_id: int) -> Any:
    course = services.get_course(actor(request), clinic(request), course_id)
    moved = Appointment.objects.filter(pk=appointment_id, clinic=clinic(request)).first()
    if moved is None:
        raise invalid([FieldError("appointment_id", "No such appointment in your clinic.")])
    try:
        return moved, services.replan_after_move(course, moved)
    except InvalidInput as exc:
        raise invalid([FieldError("appointment_id", e.message) for e in exc.errors]) from exc


def _replan_out(result: Any, applied: int = 0) -> dict[str, Any]:
    return {
        "course_id": result.course.pk, "moved_appointment_id": result.moved.pk, "applied": applied,
        "changes": [{"appointment_id": a.pk, "session_number": a.course_session_number,
                     "old_date": timezone.localtime(a.starts_at).date(), "new_date": day} for a, day in result.changes],
        "plan": _plan_out(result.plan),
    }


@router.post("/courses/{course_id}/replan-preview", response=ReplanOut, auth=auth.ANY_STAFF,
             summary="Preview re-planning a course after moving one session")
def replan_preview(request: HttpRequest, course_id: int, payload: ReplanIn, response: HttpResponse) -> Any:
    """The later booked sessions whose dates the core would change, from the moved session's new
    date (every role, like the calendar's re-plan page). Nothing changes. The ETag is the moved
    appointment's version: send it in If-Match to apply."""
    moved, result = _replan(request, course_id, payload.appointment_id)
    set_etag(response, moved.version)
    return _replan_out(result)


@router.post("/courses/{course_id}/replan", response=ReplanOut, auth=auth.ANY_STAFF,
             summary="Re-plan a course after moving one session")
def replan_apply(request: HttpRequest, course_id: int, payload: ReplanIn) -> Any:
    """Moves every later session to its re-planned date (same time of day), all or nothing. Needs
    If-Match with the moved appointment's ETag (from the preview or the appointment): if it moved
    again since, 409. A taken slot on a new date is refused with 409 and nothing moves."""
    expected = if_match(request)
    moved, result = _replan(request, course_id, payload.appointment_id)
    if expected is not None and moved.version != expected:
        raise stale()
    try:
        count = services.apply_replan(actor(request), result)
    except InvalidInput as exc:
        raise Problem(409, "; ".join(e.message for e in exc.errors), kind="slot-taken",
                      errors=[FieldError("appointment_id", e.message) for e in exc.errors]) from exc
    return _replan_out(result, count)
