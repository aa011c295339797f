from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anagen.accounts.models import Role
from anagen.accounts.permissions import clinical, trichologist_only
from anagen.audit.services import Actor
from anagen.consultations import services
from anagen.consultations.forms import (
    AcknowledgeForm,
    AddendumForm,
    ConsultationForm,
    DeferralForm,
    MeasurementForm,
    lab_forms,
    unit_label,
)
from anagen.consultations.models import (
    Consultation,
    MeasurementSet,
    ScreeningDeferral,
)
from anagen.core.errors import InvalidInput
from anagen.core.scales import SCALES
from anagen.patients.views import patient_for
from anagen.ui.forms import add_errors_from


def _plain(value: Decimal | None) -> Decimal | None:
    """15.000 as 15 and 0.400 as 0.4 in the form, as the lab wrote it."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


def _lab_initial(consultation: Consultation) -> dict[str, dict[str, Any]]:
    return {
        row.test: {"value": _plain(row.value), "unit": row.unit, "reference_low": _plain(row.reference_low),
                   "reference_high": _plain(row.reference_high)}
        for row in consultation.lab_results.all()
    }


def _measurement_of(consultation: Consultation) -> MeasurementSet | None:
    try:
        return consultation.measurements
    except MeasurementSet.DoesNotExist:
        return None


def _deferral_of(consultation: Consultation) -> ScreeningDeferral | None:
    try:
        return consultation.deferral
    except ScreeningDeferral.DoesNotExist:
        return None


def _forms(request: HttpRequest, consultation: Consultation) -> tuple[ConsultationForm, MeasurementForm, list]:
    data = request.POST if request.method == "POST" else None
    return (
        ConsultationForm(data, instance=consultation),
        MeasurementForm(data, instance=_measurement_of(consultation)),
        lab_forms(data, _lab_initial(consultation)),
    )


def _live_labs(consultation: Consultation, form: ConsultationForm, labs: list) -> tuple[list[dict[str, Any]], frozenset[str]]:
    """The readings of the blood results as typed (flag, converted value, source, referral) and
    the abnormal ones not yet reviewed: the live panel shows them and screens with them (issue 17)."""
    typed = [lab for lab in labs if lab.is_valid() and lab.cleaned_data.get("value") is not None]
    if not typed:
        return [], frozenset()
    menopause = bool(form.cleaned_data.get("history_menopause")) if form.is_valid() else consultation.history_menopause
    readings = services.read_labs(
        [(lab.test, lab.cleaned_data["value"], lab.cleaned_data["unit"], lab.cleaned_data.get("reference_low"),
          lab.cleaned_data.get("reference_high")) for lab in typed],
        services.core_sex(consultation.patient), services.protocol_for(consultation.clinic), postmenopausal=menopause,
    )
    stored = {row.test: row for row in consultation.lab_results.all()}
    reviewed_now = form.is_valid() and form.cleaned_data.get("abnormal_labs_reviewed")
    unreviewed = set()
    for lab, reading in zip(typed, readings, strict=True):
        row = stored.get(lab.test)
        still_reviewed = (row is not None and row.reviewed_at is not None and row.value == lab.cleaned_data["value"]
                          and row.unit == lab.cleaned_data["unit"])
        if reading.abnormal and not (reviewed_now or still_reviewed):
            unreviewed.add(lab.test)
    return [_reading_item(lab.test_label, reading) for lab, reading in zip(typed, readings, strict=True)], frozenset(unreviewed)


def _reading_item(label: str, reading: Any) -> dict[str, Any]:
    return {"label": label, "reading": reading, "unit": unit_label(reading.unit), "canonical_unit": unit_label(reading.canonical_unit)}


def _screening_context(consultation: Consultation, form: ConsultationForm, labs: list | None = None) -> dict[str, Any]:
    """Screen what the form holds right now (nothing is saved): the live panel's content, with the
    blood results' readings as typed."""
    readings, unreviewed = _live_labs(consultation, form, labs or [])
    context: dict[str, Any] = {"lab_readings": readings}
    if not form.is_valid():
        return {**context, "screening_errors": [f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e) for f, e in form.errors.items()]}
    try:
        result = services.screen_values(consultation.patient, form.values(), form.cleaned_data["consulted_on"],
                                        services.protocol_for(consultation.clinic), unreviewed)
    except InvalidInput as exc:
        return {**context, "screening_errors": [e.message for e in exc.errors]}
    return {**context, "screening": services.screening_to_json(result)}


@trichologist_only
@require_POST
def start(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = patient_for(request, patient_id)
    consultation = services.start_consultation(actor, patient, request.user, timezone.localdate())
    return redirect("consultations:edit", consultation_id=consultation.pk)


@clinical
def detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = services.get_consultation(Actor.from_request(request), request.clinic, consultation_id)
    if not consultation.is_signed and request.user.role == Role.TRICHOLOGIST:
        return redirect("consultations:edit", consultation_id=consultation.pk)
    decision = services.booking_status(consultation.patient, timezone.localdate())[1]
    acknowledged = {a.code: a for a in consultation.acknowledgements.select_related("by")}
    findings = [
        {**f, "acknowledgement": acknowledged.get(f["code"])} for f in consultation.screening.get("findings", [])
    ]
    protocol = services.protocol_for(consultation.clinic)
    labs = services.lab_interpretations(consultation, protocol)
    signed_cautions = {f["code"] for f in consultation.screening.get("findings", []) if f["severity"] == "caution"}
    newer = (sorted(services.current_cautions(consultation, protocol, labs) - signed_cautions - set(acknowledged))
             if consultation.is_signed else [])
    context = {
        "consultation": consultation,
        "patient": consultation.patient,
        "findings": findings,
        "newer_cautions": newer,
        "labs": labs,
        "measurements": _measurement_of(consultation),
        "addenda": consultation.addenda.select_related("author"),
        "deferral": _deferral_of(consultation),
        "decision": decision,
        "is_latest": services.latest_signed(consultation.patient) == consultation,
        "addendum_form": AddendumForm(),
        "deferral_form": DeferralForm(),
    }
    return render(request, "consultations/detail.html", context)


@trichologist_only
@never_cache
def edit(request: HttpRequest, consultation_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    consultation = services.get_consultation(actor, request.clinic, consultation_id)
    if consultation.is_signed:
        messages.info(request, _("This consultation is signed and read-only. Add an addendum to correct it."))
        return redirect("consultations:detail", consultation_id=consultation.pk)
    form, measurement_form, labs = _forms(request, consultation)
    status = 200
    if request.method == "POST":
        all_valid = all([form.is_valid(), measurement_form.is_valid(), *[lab.is_valid() for lab in labs]])
        if all_valid:
            lab_values = {
                lab.test: {k: lab.cleaned_data.get(k) for k in ("value", "unit", "reference_low", "reference_high")}
                for lab in labs
            }
            try:
                services.save_draft(
                    actor, consultation, form.values(),
                    measurements=measurement_form.values(), labs=lab_values,
                    expected_version=form.cleaned_data.get("version"),
                    labs_reviewed_by=request.user if form.cleaned_data.get("abnormal_labs_reviewed") else None,
                )
            except services.StaleWrite:
                form.add_error(None, _("Someone else saved this consultation while you were editing. Reload to see their changes."))
                status = 409
            except InvalidInput as exc:
                for error in exc.errors:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            else:
                action = request.POST.get("action")
                if action in ("sign", "confirm_sign"):
                    consultation.refresh_from_db()
                    form.data = form.data.copy()
                    form.data["version"] = str(consultation.version)
                    problems = services.sign_problems(consultation)
                    if not problems and action == "sign":
                        # Signing cannot be undone: the draft is saved; say what will be signed and ask.
                        context = _edit_context(consultation, form, measurement_form, labs)
                        context["confirm_sign"] = True
                        return render(request, "consultations/edit.html", context)
                    try:
                        if problems:
                            raise services.NotSignable(problems)
                        services.sign_consultation(actor, consultation, request.user)
                    except services.NotSignable as exc:
                        # The draft is saved; the sign-off names what is still missing.
                        consultation.refresh_from_db()
                        form.data = form.data.copy()
                        form.data["version"] = str(consultation.version)
                        add_errors_from(form, exc.errors)
                        return render(request, "consultations/edit.html", _edit_context(consultation, form, measurement_form, labs), status=400)
                    messages.success(request, _("Consultation signed. It is now read-only."))
                    return redirect("consultations:detail", consultation_id=consultation.pk)
                messages.success(request, _("Draft saved."))
                return redirect("consultations:edit", consultation_id=consultation.pk)
        else:
            status = 400
    return render(request, "consultations/edit.html", _edit_context(consultation, form, measurement_form, labs), status=status)


# The form's sections, in the order of the visit: (key, title, the consultation form's fields).
# The blood results' section counts its lab rows and also holds the review tick (issue 17).
SECTIONS = (
    ("complaint", _("Presenting complaint"), ("consulted_on", "presenting_complaint", "complaint_duration_months")),
    ("history", _("History"), ("history_illness", "history_stress", "history_childbirth_months_ago", "history_menopause",
                               "te_trigger_on", "history_diet", "family_history")),
    ("medicines", _("Medicines, conditions and allergies"), (
        "medicines", "medication_codes", "condition_codes", "allergy_ingredients", "allergies_other", "no_known_allergies",
        "pregnant", "breastfeeding", "planning_conception", "able_to_become_pregnant", "contraception_documented_on",
        "negative_pregnancy_test_on")),
    ("scalp", _("Scalp examination and pattern"), ("scalp_active_infection", "scalp_active_inflammation", "scarring_alopecia", "pattern")),
    ("measurements", _("Measurements"), ()),
    ("labs", _("Blood results"), ()),
    ("diagnosis", _("Diagnosis"), ("diagnosis_primary", "diagnosis_secondary", "notes")),
)


def _filled(form: Any, name: str) -> bool:
    value = form[name].value()
    if isinstance(value, list | tuple):
        return bool(value)
    return value not in (None, "", False, "False", "false", "off")


def _sections(form: ConsultationForm, measurement_form: MeasurementForm, labs: list) -> list[dict[str, Any]]:
    """Each section with its fields, how many are filled, and whether one has an error: the
    collapsible sections' summaries ("3 of 6 filled") and which ones open."""
    out = []
    for key, title, names in SECTIONS:
        if key == "measurements":
            fields = list(measurement_form)
            filled = sum(1 for f in fields if _filled(measurement_form, f.name))
            errors = bool(measurement_form.errors)
            total = len(fields)
        elif key == "labs":
            filled = sum(1 for lab in labs if lab["value"].value() not in (None, ""))
            errors = any(lab.errors for lab in labs)
            total, fields = len(labs), []
        else:
            fields = [form[n] for n in names if n in form.fields]
            filled = sum(1 for f in fields if _filled(form, f.name))
            errors = any(f.errors for f in fields)
            total = len(fields)
        out.append({"key": key, "title": title, "fields": fields, "filled": filled, "total": total, "errors": errors})
    return out


def _error_summary(form: ConsultationForm, measurement_form: MeasurementForm, labs: list) -> list[dict[str, str]]:
    """Every error at the top of the form, each linking to its field."""
    items = [{"id": "", "label": "", "message": str(e)} for e in form.non_field_errors()]
    for bound_form in (form, measurement_form, *labs):
        for name, errors in bound_form.errors.items():
            if name == "__all__":
                continue
            label = bound_form.fields[name].label if name in bound_form.fields else name
            if getattr(bound_form, "test_label", None):
                label = f"{bound_form.test_label}: {label}"
            for error in errors:
                items.append({"id": bound_form[name].id_for_label if name in bound_form.fields else "", "label": str(label), "message": str(error)})
    return items


def _edit_context(consultation: Consultation, form: ConsultationForm, measurement_form: MeasurementForm, labs: list) -> dict[str, Any]:
    context = {
        "sections": _sections(form, measurement_form, labs),
        "error_summary": _error_summary(form, measurement_form, labs) if form.is_bound else [],
        "consultation": consultation,
        "patient": consultation.patient,
        "form": form,
        "measurement_form": measurement_form,
        "labs": labs,
        "scales": SCALES,
    }
    if form.is_bound:
        context.update(_screening_context(consultation, form, labs))
    else:
        context.update(services.draft_screening(consultation))
        context["lab_readings"] = [_reading_item(row.get_test_display(), reading)
                                   for row, reading in services.lab_interpretations(consultation)]
    return context


@trichologist_only
@require_POST
def screening_preview(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = services.get_consultation(Actor.from_request(request), request.clinic, consultation_id)
    form = ConsultationForm(request.POST, instance=Consultation(clinic=consultation.clinic, patient=consultation.patient, author=consultation.author))
    context = _screening_context(consultation, form, lab_forms(request.POST))
    return render(request, "consultations/_screening_panel.html", {"consultation": consultation, **context})


def _signed_record_action(
    request: HttpRequest,
    consultation_id: int,
    form_class: type[forms.Form],
    act: Callable[[Actor, Consultation, dict[str, Any]], object],
    done: str,
    incomplete: str,
) -> HttpResponse:
    """The actions on a signed consultation: validate the small form, call the service, report."""
    actor = Actor.from_request(request)
    consultation = services.get_consultation(actor, request.clinic, consultation_id)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, incomplete)
    else:
        try:
            act(actor, consultation, form.cleaned_data)
        except InvalidInput as exc:
            messages.error(request, " ".join(e.message for e in exc.errors))
        else:
            messages.success(request, done)
    return redirect("consultations:detail", consultation_id=consultation.pk)


@trichologist_only
@require_POST
def acknowledge(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _signed_record_action(
        request, consultation_id, AcknowledgeForm,
        lambda actor, c, data: services.acknowledge_caution(actor, c, data["code"], data["reason"], request.user),
        _("Caution acknowledged."), _("Write the reason for acknowledging the caution."),
    )


@trichologist_only
@require_POST
def defer(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _signed_record_action(
        request, consultation_id, DeferralForm,
        lambda actor, c, data: services.set_deferral(actor, c, data["review_on"], data["reason"], request.user, timezone.localdate()),
        _("Review date set."), _("Enter a review date and a reason."),
    )


@trichologist_only
@require_POST
def addendum(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _signed_record_action(
        request, consultation_id, AddendumForm,
        lambda actor, c, data: services.add_addendum(actor, c, data["reason"], data["text"], request.user),
        _("Addendum added."), _("An addendum needs a reason and a text."),
    )

