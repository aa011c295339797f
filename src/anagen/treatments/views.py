from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from anagen.accounts.permissions import any_staff, clinical, trichologist_only
from anagen.accounts.protocols import opening_hours
from anagen.audit.services import Actor
from anagen.consultations.services import booking_status, latest_signed
from anagen.core.errors import InvalidInput
from anagen.core.formulation import CATALOGUE, IssueSeverity
from anagen.patients.views import patient_for
from anagen.scheduling import services as scheduling
from anagen.treatments import services
from anagen.treatments.forms import (
    CombinationFormSet,
    ComponentFormSet,
    CourseForm,
    FormulationForm,
    components_from,
    initial_rows,
)
from anagen.ui.forms import add_errors_from

# --- formulations ------------------------------------------------------------------------------


def _check_context(consultation: Any, formset: Any, form: FormulationForm) -> dict[str, Any]:
    """The core's checks of what the builder holds now (nothing saved)."""
    if not formset.is_valid() or not form.is_valid():
        return {"check_errors": [_("Complete the highlighted rows to check the formulation.")]}
    components = components_from(formset)
    if not components:
        return {"check_errors": [_("Add at least one ingredient.")]}
    try:
        check = services.check_components(
            consultation, components,
            signoff=form.cleaned_data["signoff"], consent_documented=form.cleaned_data["consent_documented"],
            product_ids=form.product_ids(), reasons=form.reasons(),
        )
    except InvalidInput as exc:
        return {"check_errors": [e.message for e in exc.errors]}
    limit = services.volume_limit_ml(consultation.clinic)
    return {
        "check": check,
        "errors": [i for i in check.issues if i.severity == IssueSeverity.ERROR],
        "warnings": [i for i in check.issues if i.severity == IssueSeverity.WARNING],
        "volume_limit_ml": limit,
    }


def _signed_consultation_or_redirect(request: HttpRequest, patient: Any) -> Any:
    consultation = latest_signed(patient)
    if consultation is None:
        messages.error(request, _("Sign a consultation before building a formulation or a course."))
    return consultation


@trichologist_only
def formulation_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    consultation = _signed_consultation_or_redirect(request, patient)
    if consultation is None:
        return redirect("patients:detail", patient_id=patient.pk)
    notes: list[str] = []
    status = 200
    if request.method == "POST":
        formset = ComponentFormSet(request.POST, prefix="c")
        form = FormulationForm(request.POST, clinic=request.clinic)
        if request.POST.get("action") == "add_row" and formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("ingredient")]
            formset = ComponentFormSet(initial=rows + [{}], prefix="c")
        elif formset.is_valid() and form.is_valid():
            try:
                formulation = services.save_formulation(
                    actor, consultation, components_from(formset), author=request.user,
                    signoff=form.cleaned_data["signoff"], consent_documented=form.cleaned_data["consent_documented"],
                    notes=form.cleaned_data["notes"], product_ids=form.product_ids(), reasons=form.reasons(),
                )
            except InvalidInput as exc:
                form.add_error(None, _("The formulation cannot be saved: %(errors)s") % {"errors": "; ".join(e.message for e in exc.errors)})
                status = 400
            else:
                messages.success(request, _("Formulation saved."))
                return redirect("treatments:formulation", formulation_id=formulation.pk)
        else:
            status = 400
    else:
        try:
            components, notes = services.starting_components(consultation)
        except InvalidInput as exc:
            components, notes = [], [e.message for e in exc.errors]
        formset = ComponentFormSet(initial=initial_rows(components), prefix="c")
        form = FormulationForm(clinic=request.clinic)
    context = {
        "patient": patient, "consultation": consultation, "formset": formset, "form": form,
        "template_notes": notes, "catalogue": CATALOGUE,
    }
    if formset.is_bound:
        context.update(_check_context(consultation, formset, form))
    else:
        bound = ComponentFormSet(_as_data(formset), prefix="c")
        context.update(_check_context(consultation, bound, FormulationForm({}, clinic=request.clinic)))
    return render(request, "treatments/formulation_builder.html", context, status=status)


def _as_data(formset: Any) -> dict[str, Any]:
    """An unbound formset's initial rows as POST data, so the panel can check the template."""
    data: dict[str, Any] = {"c-TOTAL_FORMS": str(len(formset.forms)), "c-INITIAL_FORMS": "0"}
    for index, form in enumerate(formset.forms):
        for name in ("ingredient", "volume_ml", "concentration"):
            value = form.initial.get(name)
            data[f"c-{index}-{name}"] = "" if value is None else str(value)
    return data


@trichologist_only
@require_POST
def formulation_check(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    consultation = latest_signed(patient)
    if consultation is None:
        return render(request, "treatments/_check_panel.html", {"check_errors": [_("No signed consultation.")]})
    context = _check_context(consultation, ComponentFormSet(request.POST, prefix="c"), FormulationForm(request.POST, clinic=request.clinic))
    return render(request, "treatments/_check_panel.html", context)


@clinical
def formulation_detail(request: HttpRequest, formulation_id: int) -> HttpResponse:
    formulation = services.get_formulation(Actor.from_request(request), request.clinic, formulation_id)
    rows = [(c, CATALOGUE.get(c.ingredient)) for c in formulation.components.all()]
    return render(request, "treatments/formulation_detail.html", {"formulation": formulation, "patient": formulation.patient, "rows": rows})


# --- courses -----------------------------------------------------------------------------------


def _course_choices(form: CourseForm, combos: Any) -> services.CourseChoices:
    data = form.cleaned_data
    return services.CourseChoices(
        start_date=data["start_date"],
        intensive_sessions=data["intensive_sessions"],
        interval_days=data["interval_days"],
        maintenance_sessions=data["maintenance_sessions"],
        maintenance_interval_days=data["maintenance_interval_days"],
        combination=tuple(r for r in (f.request() for f in combos.forms) if r is not None),
    )


def _preview(request: HttpRequest, form: CourseForm, combos: Any, patient: Any) -> dict[str, Any]:
    if not form.is_valid() or not combos.is_valid():
        return {"plan_errors": [_("Complete the highlighted fields to preview the dates.")]}
    try:
        plan = services.preview_course(request.clinic, _course_choices(form, combos))
    except InvalidInput as exc:
        for error in exc.errors:
            name = error.field.split("[")[0].split(".")[0]
            if name in form.fields:
                form.add_error(name, error.message)
        return {"plan_errors": [e.message for e in exc.errors]}
    data = form.cleaned_data
    days = [s.date for s in plan.sessions]
    hours = opening_hours(request.clinic, days[0]) if days else None
    # The times of day free for the whole course (practitioner, room and patient on every date).
    free = scheduling.times_free_on_every_day(days, data["duration_minutes"], opens=hours[0], closes=hours[1],
                                              practitioner=data["practitioner"], room=data["room"], patient=patient) if hours else []
    return {"plan": plan, "free_times": free, "chosen_time": data["session_time"], "chosen_time_free": data["session_time"] in free}


@trichologist_only
def course_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    today = timezone.localdate()
    consultation, decision = booking_status(patient, today)
    if request.method == "POST":
        form = CourseForm(request.POST, patient=patient)
        combos = CombinationFormSet(request.POST, prefix="combo")
    else:
        form = CourseForm(initial=services.default_choices(request.clinic, today), patient=patient)
        combos = CombinationFormSet(prefix="combo")
    context: dict[str, Any] = {"patient": patient, "form": form, "combos": combos, "decision": decision, "consultation": consultation}
    status = 200
    if request.method == "POST":
        context.update(_preview(request, form, combos, patient))
        if request.POST.get("action") == "book" and "plan" in context:
            data = form.cleaned_data
            try:
                course = services.book_course(
                    actor, patient, data["formulation"], _course_choices(form, combos),
                    practitioner=data["practitioner"], room=data["room"], session_time=data["session_time"],
                    duration_minutes=data["duration_minutes"], author=request.user, today=today,
                )
            except services.NotBookable as exc:
                form.add_error(None, " ".join(exc.reasons))
            except InvalidInput as exc:
                add_errors_from(form, exc)
            else:
                messages.success(request, _("Booked a course of %(count)d sessions.") % {"count": course.total_sessions})
                return redirect("treatments:course", course_id=course.pk)
        if form.errors or "plan_errors" in context:
            status = 400
    return render(request, "treatments/course_form.html", context, status=status)


@trichologist_only
@require_POST
def course_preview(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    form = CourseForm(request.POST, patient=patient)
    combos = CombinationFormSet(request.POST, prefix="combo")
    return render(request, "treatments/_plan_preview.html", _preview(request, form, combos, patient))


@clinical
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = services.get_course(Actor.from_request(request), request.clinic, course_id)
    appointments = services.course_appointments(course)
    sessions = [a for a in appointments if a.course_session_number]
    done = sum(1 for a in sessions if a.status == "completed")
    context = {
        "course": course, "patient": course.patient, "appointments": appointments,
        "sessions_done": done, "combinations": course.combinations.all(),
    }
    return render(request, "treatments/course_detail.html", context)


@any_staff
def replan(request: HttpRequest, course_id: int) -> HttpResponse:
    """After moving one session: the rest of the course as the core re-plans it, then apply."""
    actor = Actor.from_request(request)
    course = services.get_course(actor, request.clinic, course_id)
    appointment_id = request.GET.get("appointment") or request.POST.get("appointment")
    try:
        moved = scheduling.get_appointment(request.clinic, int(appointment_id or 0))
        result = services.replan_after_move(course, moved)
    except (ValueError, InvalidInput) as exc:
        message = "; ".join(e.message for e in exc.errors) if isinstance(exc, InvalidInput) else _("Choose the moved session.")
        return render(request, "treatments/replan.html", {"course": course, "patient": course.patient, "error": message}, status=400)
    if request.method == "POST":
        try:
            count = services.apply_replan(actor, result)
        except InvalidInput as exc:
            return render(request, "treatments/replan.html", {"course": course, "patient": course.patient, "replan": result, "error": "; ".join(e.message for e in exc.errors)}, status=409)
        messages.success(request, ngettext("Re-planned: %(count)d later session moved.", "Re-planned: %(count)d later sessions moved.", count) % {"count": count})
        return redirect("treatments:course", course_id=course.pk)
    return render(request, "treatments/replan.html", {"course": course, "patient": course.patient, "replan": result})
