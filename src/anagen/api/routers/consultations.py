"""Consultations (clinical staff read; trichologists write and sign), their measurements, blood
results and screening, and screening "run" (the same JSON as ``anagen screen``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.api import auth
from anagen.api.common import (
    MAX_ID,
    Id,
    ModelOut,
    actor,
    clinic,
    if_match,
    optional_if_match,
    page_of,
    set_etag,
)
from anagen.api.problems import Problem, form_errors, invalid, stale
from anagen.consultations import services
from anagen.consultations.forms import (
    CONSULTATION_FIELDS,
    MEASUREMENT_FIELDS,
    AcknowledgeForm,
    AddendumForm,
    ConsultationForm,
    DeferralForm,
    LabForm,
    MeasurementForm,
)
from anagen.consultations.models import (
    LAB_TEST_CHOICES,
    Addendum,
    Consultation,
    LabResult,
    MeasurementSet,
    ScreeningAcknowledgement,
    ScreeningDeferral,
)
from anagen.core.errors import InvalidInput
from anagen.core.labs import LabResult as CoreLabResult
from anagen.core.labs import LabTest, interpret_lab
from anagen.jsoncommands import screen
from anagen.patients import services as patient_services

router = Router(tags=["consultations"])

LabTestCode = Literal["ferritin", "vitamin_d", "tsh", "zinc", "vitamin_b12", "haemoglobin"]


class MeasurementsOut(ModelSchema, ModelOut):
    id: int
    patient_id: Id
    consultation_id: int | None
    site_offset_cm: Decimal | None
    density_per_cm2: Decimal | None
    thin_hairs_pct: Decimal | None
    mean_shaft_diameter_um: Decimal | None
    terminal_to_vellus_ratio: Decimal | None
    anagen_pct: Decimal | None
    telogen_pct: Decimal | None

    class Meta:
        model = "consultations.MeasurementSet"
        fields = ["id", "measured_on", "pull_grasped", "pull_extracted", "wash_shed_count", "wash_short_count", "comb_count", "site_zone", "site_note", "yellow_dots_count", "global_photo_score"]


class MeasurementsIn(Schema):
    pull_grasped: int | None = None
    pull_extracted: int | None = None
    wash_shed_count: int | None = None
    wash_short_count: int | None = None
    comb_count: int | None = None
    site_zone: str | None = None
    site_offset_cm: Decimal | None = None
    site_note: str | None = None
    density_per_cm2: Decimal | None = None
    thin_hairs_pct: Decimal | None = None
    mean_shaft_diameter_um: Decimal | None = None
    terminal_to_vellus_ratio: Decimal | None = None
    anagen_pct: Decimal | None = None
    telogen_pct: Decimal | None = None
    yellow_dots_count: int | None = None
    global_photo_score: int | None = None


class LabIn(Schema):
    value: Decimal | None = None
    unit: str = ""
    reference_low: Decimal | None = None
    reference_high: Decimal | None = None


class LabOut(ModelSchema, ModelOut):
    id: int
    patient_id: Id
    consultation_id: int | None
    value: Decimal
    reference_low: Decimal | None
    reference_high: Decimal | None
    flag: str | None
    interpretation: str | None
    severity: str | None = None
    referral: str | None = None
    referral_source: str | None = None
    reviewed_by_id: int | None = None

    class Meta:
        model = "consultations.LabResult"
        fields = ["id", "test", "unit", "collected_on", "reviewed_at"]


class FindingOut(Schema):
    code: str
    severity: str
    message: str
    source: str


class ScreeningOut(Schema):
    verdict: str
    combination_recommended: bool
    findings: list[FindingOut]
    excluded_ingredients: list[str] = []


class ConsultationOut(ModelSchema, ModelOut):
    id: int
    patient_id: Id
    author_id: int
    signed_by_id: int | None
    medication_codes: list[str]
    condition_codes: list[str]
    allergy_ingredients: list[str]
    screening: ScreeningOut | None
    measurements: MeasurementsOut | None
    labs: list[LabOut]

    class Meta:
        model = "consultations.Consultation"
        fields = ["id", "status", "consulted_on", "created_at", "updated_at", "signed_at", "version", "presenting_complaint", "complaint_duration_months", "history_illness", "history_stress", "history_childbirth_months_ago", "history_menopause", "history_diet", "family_history", "medicines", "allergies_other", "pregnant", "breastfeeding", "planning_conception", "able_to_become_pregnant", "contraception_documented_on", "negative_pregnancy_test_on", "te_trigger_on", "scalp_active_infection", "scalp_active_inflammation", "scarring_alopecia", "pattern_scale", "pattern_stage", "diagnosis_primary", "diagnosis_secondary", "notes"]


class ConsultationIn(Schema):
    patient_id: Id


class ConsultationPatch(Schema):
    consulted_on: dt.date | None = None
    presenting_complaint: str | None = None
    complaint_duration_months: int | None = None
    history_illness: str | None = None
    history_stress: str | None = None
    history_childbirth_months_ago: int | None = None
    history_menopause: bool | None = None
    history_diet: str | None = None
    family_history: str | None = None
    medicines: str | None = None
    medication_codes: list[str] | None = None
    condition_codes: list[str] | None = None
    allergy_ingredients: list[str] | None = None
    allergies_other: str | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    planning_conception: bool | None = None
    able_to_become_pregnant: bool | None = None
    contraception_documented_on: dt.date | None = None
    negative_pregnancy_test_on: dt.date | None = None
    te_trigger_on: dt.date | None = None
    scalp_active_infection: bool | None = None
    scalp_active_inflammation: bool | None = None
    scarring_alopecia: bool | None = None
    pattern_scale: str | None = None
    pattern_stage: str | None = None
    diagnosis_primary: str | None = None
    diagnosis_secondary: str | None = None
    notes: str | None = None
    measurements: MeasurementsIn | None = None
    labs: dict[LabTestCode, LabIn] | None = None
    # True: the signed-in clinician has reviewed the blood results (an abnormal one defers
    # telogen effluvium and diffuse thinning until reviewed; a changed result loses the review).
    labs_reviewed: bool | None = None


class ScreeningReadOut(Schema):
    consultation_id: int
    signed: bool
    screening: ScreeningOut | None
    errors: list[str]


def _labs_out(consultation: Consultation, protocol: Any = None) -> list[dict[str, Any]]:
    return [_lab_out(row, interp) for row, interp in services.lab_interpretations(consultation, protocol)]


def _lab_out(row: LabResult, interpretation: Any | None) -> dict[str, Any]:
    return {
        "id": row.pk, "patient_id": row.patient_id, "consultation_id": row.consultation_id, "test": row.test,
        "value": row.value, "unit": row.unit, "reference_low": row.reference_low, "reference_high": row.reference_high,
        "collected_on": row.collected_on,
        "flag": interpretation.flag.value if interpretation is not None else None,
        "interpretation": getattr(interpretation, "message", None) if interpretation is not None else None,
        "severity": getattr(interpretation, "severity", None),
        "referral": getattr(interpretation, "referral", None),
        "referral_source": getattr(interpretation, "referral_source", None),
        "reviewed_by_id": row.reviewed_by_id,
        "reviewed_at": row.reviewed_at,
    }


def _measurements_of(consultation: Consultation) -> MeasurementSet | None:
    try:
        return consultation.measurements
    except MeasurementSet.DoesNotExist:
        return None


def _out(consultation: Consultation, protocol: Any = None) -> dict[str, Any]:
    data = {name: getattr(consultation, name) for name in ConsultationOut.model_fields if hasattr(consultation, name)}
    data["screening"] = consultation.screening or None
    data["measurements"] = _measurements_of(consultation)
    data["labs"] = _labs_out(consultation, protocol)
    return data


@router.get("/consultations", response=page_of(ConsultationOut), auth=auth.CLINICAL, summary="List consultations")
def list_consultations(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), status: Literal["draft", "signed"] | None = None,
                       page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Newest first (consultation date, then id). Each consultation on the page is audited as read."""
    found = services.list_consultations(actor(request), clinic(request), patient_id=patient_id, status=status, page=page,
                                        page_size=page_size)
    protocol = services.protocol_for(clinic(request))  # one clinic: read its protocol once, not per row
    return {"items": [_out(c, protocol) for c in found.items], **found.meta}


@router.post("/consultations", response={201: ConsultationOut}, auth=auth.TRICHOLOGIST, summary="Start a consultation")
def start_consultation(request: HttpRequest, payload: ConsultationIn, response: HttpResponse) -> Any:
    who = actor(request)
    patient = patient_services.get_patient(who, clinic(request), payload.patient_id)
    consultation = services.start_consultation(who, patient, request.user, timezone.localdate())  # type: ignore[arg-type]
    set_etag(response, consultation.version)
    return Status(201, _out(consultation))


@router.get("/consultations/{consultation_id}", response=ConsultationOut, auth=auth.CLINICAL, summary="Read a consultation")
def get_consultation(request: HttpRequest, consultation_id: int, response: HttpResponse) -> Any:
    consultation = services.get_consultation(actor(request), clinic(request), consultation_id)
    set_etag(response, consultation.version)
    return _out(consultation)


def _consultation_form_data(consultation: Consultation, patch: dict[str, Any]) -> dict[str, Any]:
    values = {name: getattr(consultation, name) for name in CONSULTATION_FIELDS}
    for name in ("medication_codes", "condition_codes", "allergy_ingredients", "pattern_scale", "pattern_stage"):
        values[name] = getattr(consultation, name)
    values.update({k: v for k, v in patch.items() if k not in ("measurements", "labs", "labs_reviewed")})
    data: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            data[name] = "on" if value else ""
        elif value is None:
            data[name] = ""
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    scale, stage = data.pop("pattern_scale", ""), data.pop("pattern_stage", "")
    data["pattern"] = f"{scale}:{stage}" if scale else ""
    return data


def _plain(value: Any) -> Any:
    return "" if value is None else str(value)


@router.patch("/consultations/{consultation_id}", response=ConsultationOut, auth=auth.TRICHOLOGIST,
              summary="Save a draft consultation (history, diagnosis, measurements, blood results)")
def save_draft(request: HttpRequest, consultation_id: int, payload: ConsultationPatch, response: HttpResponse) -> Any:
    """Only the fields sent change. ``measurements``, when sent, replaces the draft's measurements
    (send ``{}`` to clear them); ``labs`` sets the listed tests (a null value removes one). Needs
    If-Match; a signed consultation is read-only (409): add an addendum through the web."""
    who = actor(request)
    expected = if_match(request)
    consultation = services.get_consultation(who, clinic(request), consultation_id)
    if consultation.is_signed:
        raise Problem(409, "This consultation is signed and read-only.", kind="signed-record")
    if expected is not None and consultation.version != expected:
        raise stale()
    patch = payload.model_dump(exclude_unset=True)
    form = ConsultationForm(_consultation_form_data(consultation, patch), instance=consultation)
    errors = [] if form.is_valid() else form_errors(form)
    current = _measurements_of(consultation)
    if "measurements" in patch:
        measured = {k: _plain(v) for k, v in (patch["measurements"] or {}).items()}
    else:
        measured = {k: _plain(getattr(current, k)) if current else "" for k in MEASUREMENT_FIELDS}
    measurement_form = MeasurementForm({f"m-{k}": v for k, v in measured.items()}, instance=current)
    if not measurement_form.is_valid():
        errors += form_errors(measurement_form, "measurements.")
    lab_values: dict[str, dict[str, Any]] = {}
    for test, lab in (patch.get("labs") or {}).items():
        lab = lab or {}
        lab_form = LabForm({f"lab-{test}-{k}": _plain(lab.get(k)) for k in ("value", "unit", "reference_low", "reference_high")}, test=test)
        if lab_form.is_valid():
            lab_values[test] = {k: lab_form.cleaned_data.get(k) for k in ("value", "unit", "reference_low", "reference_high")}
        else:
            errors += form_errors(lab_form, f"labs.{test}.")
    if errors:
        raise invalid(errors)
    saved = services.save_draft(who, consultation, form.values(), measurements=measurement_form.values(),
                                labs=lab_values, expected_version=expected,
                                labs_reviewed_by=request.user if patch.get("labs_reviewed") else None)  # type: ignore[arg-type]
    saved = Consultation.objects.select_related("clinic", "patient").get(pk=saved.pk)
    set_etag(response, saved.version)
    return _out(saved)


@router.post("/consultations/{consultation_id}/sign", response=ConsultationOut, auth=auth.TRICHOLOGIST,
             summary="Sign a consultation: screen it and make it read-only")
def sign(request: HttpRequest, consultation_id: int, response: HttpResponse) -> Any:
    """Optional If-Match: with it, signing a version other than the one you read is refused (409)."""
    who = actor(request)
    expected = optional_if_match(request)
    consultation = services.get_consultation(who, clinic(request), consultation_id)
    if expected is not None and consultation.version != expected:
        raise stale()
    try:
        signed = services.sign_consultation(who, consultation, request.user)  # type: ignore[arg-type]
    except services.NotSignable as exc:
        raise invalid(exc.errors, "The consultation cannot be signed yet; see errors.") from exc
    set_etag(response, signed.version)
    return _out(signed)


@router.get("/consultations/{consultation_id}/screening", response=ScreeningReadOut, auth=auth.CLINICAL,
            tags=["screening"], summary="Read a consultation's screening")
def read_screening(request: HttpRequest, consultation_id: int) -> Any:
    """A signed consultation's screening as it was computed at signing; for a draft, the screening
    of what is stored now (``signed: false``) or why it cannot be computed yet (``errors``)."""
    consultation = services.get_consultation(actor(request), clinic(request), consultation_id)
    if consultation.is_signed:
        return {"consultation_id": consultation.pk, "signed": True, "screening": consultation.screening, "errors": []}
    draft = services.draft_screening(consultation)
    return {"consultation_id": consultation.pk, "signed": False, "screening": draft.get("screening"),
            "errors": draft.get("screening_errors", [])}


class ScalpIn(Schema):
    active_infection: bool
    active_inflammation: bool
    scarring_alopecia: bool


class PatternIn(Schema):
    scale: Literal["norwood_hamilton", "ludwig", "sinclair", "savin"]
    stage: str


class ScreeningIn(Schema):
    """The intake of ``anagen screen`` (docs/cli.md)."""

    age_years: float
    sex: Literal["female", "male"]
    pregnant: bool
    breastfeeding: bool
    planning_conception: bool
    conditions: list[str]
    medications: list[str]
    allergies: list[str]
    scalp: ScalpIn
    pattern: PatternIn | None
    diagnosis: str
    # Issue 17, optional as in ``anagen screen``.
    other_allergies: list[str] | None = None
    unreviewed_abnormal_labs: list[str] | None = None


class ScreeningRunOut(Schema):
    verdict: str
    combination_recommended: bool
    findings: list[FindingOut]


@router.post("/screening", response=ScreeningRunOut, auth=auth.CLINICAL, tags=["screening"],
             summary="Run the screening on an intake (nothing is stored)")
def run_screening(request: HttpRequest, payload: ScreeningIn) -> Any:
    """The same document in and out as ``anagen screen``; no patient, nothing stored, not audited."""
    document = payload.model_dump(mode="json")
    for optional in ("other_allergies", "unreviewed_abnormal_labs"):  # issue 17: optional, as in ``anagen screen``
        if document.get(optional) is None:
            document.pop(optional, None)
    return screen.run(document)


@router.get("/measurements", response=page_of(MeasurementsOut), auth=auth.CLINICAL, tags=["measurements"],
            summary="List measurement sets")
def list_measurements(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), page: int = Query(1, ge=1, le=100_000),
                      page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Oldest first (date, id), so a patient's series reads in order. Written through the consultation."""
    found = services.list_measurements(actor(request), clinic(request), patient_id=patient_id, page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.get("/measurements/{measurement_id}", response=MeasurementsOut, auth=auth.CLINICAL, tags=["measurements"],
            summary="Read a measurement set")
def get_measurements(request: HttpRequest, measurement_id: int) -> Any:
    return services.read_measurements(actor(request), clinic(request), measurement_id)


@router.get("/labs", response=page_of(LabOut), auth=auth.CLINICAL, tags=["labs"], summary="List blood results")
def list_labs(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID), consultation_id: int | None = Query(None, ge=1, le=MAX_ID),
              test: LabTestCode | None = None, page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Each result with the clinical core's flag against the lab's range (or the reference values)."""
    found = services.list_lab_results(actor(request), clinic(request), patient_id=patient_id, consultation_id=consultation_id,
                                      test=test, page=page, page_size=page_size)
    items, meta = found.items, found.meta
    protocol = services.protocol_for(clinic(request))  # one clinic: read its protocol once, not per row
    out = [_lab_out(row, _interpret(row, protocol)) for row in items]
    return {"items": out, **meta}


def _interpret(row: LabResult, protocol: Any = None) -> Any:
    try:
        core = CoreLabResult(test=LabTest(row.test), value=row.value, unit=row.unit,
                             reference_low=row.reference_low, reference_high=row.reference_high)
        return interpret_lab(core, services.core_sex(row.patient), protocol or services.protocol_for(row.patient.clinic))
    except (InvalidInput, ValueError):
        return None


class AcknowledgeIn(Schema):
    code: str
    reason: str


class AcknowledgementOut(ModelSchema, ModelOut):
    id: int
    consultation_id: int
    by_id: int

    class Meta:
        model = "consultations.ScreeningAcknowledgement"
        fields = ["id", "code", "reason", "at"]


class DeferralIn(Schema):
    review_on: dt.date
    reason: str


class DeferralOut(ModelSchema, ModelOut):
    id: int
    consultation_id: int
    by_id: int

    class Meta:
        model = "consultations.ScreeningDeferral"
        fields = ["id", "review_on", "reason", "at"]


class ConsultationAddendumIn(Schema):
    reason: str
    text: str


class ConsultationAddendumOut(ModelSchema, ModelOut):
    id: int
    consultation_id: int
    author_id: int

    class Meta:
        model = "consultations.Addendum"
        fields = ["id", "created_at", "reason", "text"]


def _form_input(form: Any, data: dict[str, Any]) -> Any:
    bound = form({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()})
    if not bound.is_valid():
        raise invalid(form_errors(bound))
    return bound.cleaned_data


def _signed(consultation: Consultation, what: str) -> None:
    if not consultation.is_signed:
        raise Problem(409, f"The consultation is a draft: {what} only on a signed consultation.", kind="invalid-state")


@router.post("/consultations/{consultation_id}/acknowledgements", response={201: AcknowledgementOut}, auth=auth.TRICHOLOGIST,
             tags=["screening"], summary="Acknowledge a caution of the signed screening")
def acknowledge(request: HttpRequest, consultation_id: int, payload: AcknowledgeIn) -> Any:
    """``code`` is a caution finding of the screening; ``reason`` says why it is safe to go ahead.
    Each caution is acknowledged once (again: 409)."""
    who = actor(request)
    consultation = services.get_consultation(who, clinic(request), consultation_id)
    data = _form_input(AcknowledgeForm, payload.model_dump())
    _signed(consultation, "cautions are acknowledged")
    if ScreeningAcknowledgement.objects.filter(consultation=consultation, code=data["code"]).exists():
        raise Problem(409, "This caution is acknowledged already.", kind="duplicate")
    ack = services.acknowledge_caution(who, consultation, data["code"], data["reason"], request.user)  # type: ignore[arg-type]
    return Status(201, ack)


@router.put("/consultations/{consultation_id}/deferral", response=DeferralOut, auth=auth.TRICHOLOGIST, tags=["screening"],
            summary="Set the review date of a deferred screening")
def defer(request: HttpRequest, consultation_id: int, payload: DeferralIn) -> Any:
    """Only for a signed screening with a defer finding; the date must be after today. Setting it
    again moves it (the old date stays in the audit trail)."""
    who = actor(request)
    consultation = services.get_consultation(who, clinic(request), consultation_id)
    data = _form_input(DeferralForm, payload.model_dump())
    _signed(consultation, "a review date is set")
    services.set_deferral(who, consultation, data["review_on"], data["reason"], request.user, timezone.localdate())  # type: ignore[arg-type]
    return ScreeningDeferral.objects.get(consultation=consultation)


@router.get("/consultations/{consultation_id}/addenda", response=list[ConsultationAddendumOut], auth=auth.CLINICAL,
            summary="A signed consultation's addenda, oldest first")
def list_addenda(request: HttpRequest, consultation_id: int) -> Any:
    consultation = services.get_consultation(actor(request), clinic(request), consultation_id)
    return list(Addendum.objects.filter(consultation=consultation).order_by("created_at", "id"))


@router.post("/consultations/{consultation_id}/addenda", response={201: ConsultationAddendumOut}, auth=auth.TRICHOLOGIST,
             summary="Add an addendum to a signed consultation")
def add_addendum(request: HttpRequest, consultation_id: int, payload: ConsultationAddendumIn) -> Any:
    """A signed consultation is never changed: a correction is an addendum with its reason. A draft
    is edited directly (409)."""
    who = actor(request)
    consultation = services.get_consultation(who, clinic(request), consultation_id)
    data = _form_input(AddendumForm, payload.model_dump())
    _signed(consultation, "addenda are added")
    addendum = services.add_addendum(who, consultation, data["reason"], data["text"], request.user)  # type: ignore[arg-type]
    return Status(201, addendum)


__all__ = ["LAB_TEST_CHOICES", "router"]
