"""Use cases of the consultation: draft, screen, sign, acknowledge, defer, add an addendum.

Clinical decisions come from anagen.core; this module maps stored records to the core's
dataclasses and back, and writes each change with its audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, User
from anagen.accounts.protocols import protocol_for as clinic_protocol
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, read_page
from anagen.audit.services import Actor
from anagen.consultations.models import (
    Addendum,
    Consultation,
    LabResult,
    MeasurementSet,
    ScreeningAcknowledgement,
    ScreeningDeferral,
    Status,
)
from anagen.consultations.signals import consultation_signed
from anagen.core import display
from anagen.core.eligibility import BookingDecision, booking_decision
from anagen.core.errors import FieldError, ImmutableRecord, InvalidInput, NotFound, StaleWrite
from anagen.core.labs import LabInterpretation, LabTest, interpret_labs
from anagen.core.labs import LabResult as CoreLabResult
from anagen.core.labs import Sex as CoreSex
from anagen.core.protocol import Protocol
from anagen.core.response import follow_up_visit_problems
from anagen.core.scales import PatternStage
from anagen.core.screening import (
    Diagnosis,
    Finding,
    FindingCode,
    Intake,
    ScalpState,
    ScreeningResult,
    Severity,
    screen,
)
from anagen.patients.models import Patient
from anagen.ui import labels
from anagen.ui.wording import worded


class NotSignable(Exception):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))


def protocol_for(clinic: Clinic) -> Protocol:
    """The clinic's protocol settings as the core reads them."""
    return clinic_protocol(clinic)


# --- reading -----------------------------------------------------------------------------------


def list_consultations(actor: Actor, clinic: Clinic, *, patient_id: int | None = None, status: str | None = None,
                       page: int = 1, page_size: int = 25) -> Page[Consultation]:
    """Newest first (consultation date, then id); each consultation on the page audited as read."""
    records = Consultation.objects.filter(clinic=clinic).select_related("clinic", "patient", "measurements").prefetch_related(
        Prefetch("lab_results", queryset=LabResult.objects.order_by("test")))
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if status is not None:
        records = records.filter(status=status)
    return read_page(actor, "consultation", records.order_by("-consulted_on", "-id"), page, page_size)


def list_measurements(actor: Actor, clinic: Clinic, *, patient_id: int | None = None, page: int = 1,
                      page_size: int = 25) -> Page[MeasurementSet]:
    """Oldest first (date, id), so a patient's series reads in order; each set audited as read."""
    records = MeasurementSet.objects.filter(clinic=clinic)
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    return read_page(actor, "measurements", records.order_by("measured_on", "id"), page, page_size)


def read_measurements(actor: Actor, clinic: Clinic | None, measurement_id: int) -> MeasurementSet:
    """One measurement set of the clinic, audited as read; another clinic's id is NotFound."""
    row = MeasurementSet.objects.filter(clinic=clinic, pk=measurement_id).first() if clinic is not None else None
    if row is None:
        raise NotFound
    audit.record_read(actor, "measurements", row.pk, row.patient_id)
    return row


def list_lab_results(actor: Actor, clinic: Clinic, *, patient_id: int | None = None, consultation_id: int | None = None,
                     test: str | None = None, page: int = 1, page_size: int = 25) -> Page[LabResult]:
    """Newest collection first; each result audited as read."""
    records = LabResult.objects.filter(clinic=clinic).select_related("patient", "consultation__clinic")
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if consultation_id is not None:
        records = records.filter(consultation_id=consultation_id)
    if test is not None:
        records = records.filter(test=test)
    return read_page(actor, "lab_result", records.order_by("-collected_on", "test", "id"), page, page_size)


def get_consultation(actor: Actor, clinic: Clinic | None, consultation_id: int) -> Consultation:
    return audit.read_in_clinic(actor, clinic, Consultation.objects.select_related("patient", "author", "signed_by"), consultation_id, "consultation")


def latest_signed(patient: Patient) -> Consultation | None:
    return patient.consultations.filter(status=Status.SIGNED).order_by("-consulted_on", "-id").first()


# --- mapping to the core -----------------------------------------------------------------------


def _age_years(born: dt.date, on: dt.date) -> Decimal:
    """Age in years with the fraction of the current year, so "exactly 18" falls on the birthday."""
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    last_birthday = _add_years(born, years)
    next_birthday = _add_years(born, years + 1)
    fraction = Decimal((on - last_birthday).days) / Decimal((next_birthday - last_birthday).days)
    return Decimal(years) + fraction.quantize(Decimal("0.001"))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the birthday is kept on 1 March
        return dt.date(day.year + years, 3, 1)


def core_sex(patient: Patient, reference_sex: str = "") -> CoreSex:
    if patient.sex in (CoreSex.FEMALE, CoreSex.MALE):
        return CoreSex(patient.sex)
    # Sex "other": reference values need one; the pregnancy questions stay open (female rules).
    return CoreSex(reference_sex) if reference_sex in (CoreSex.FEMALE, CoreSex.MALE) else CoreSex.FEMALE


NO_ALLERGY_WORDS = frozenset({"none", "nil", "no", "nkda", "no known allergies", "none known", "no known allergy", "-", "n/a", "na"})


def other_allergies_of(text: str | None) -> tuple[str, ...]:
    """The allergens written as free text (one per line, or separated by commas or semicolons),
    without the ways people write "none": each becomes an ``other_allergy`` caution (issue 17)."""
    parts = [p.strip() for chunk in (text or "").splitlines() for p in chunk.replace(";", ",").split(",")]
    return tuple(p[:200] for p in parts if p and p.lower().rstrip(".") not in NO_ALLERGY_WORDS)


def intake_from(
    patient: Patient, values: Mapping[str, Any], on: dt.date, unreviewed_abnormal_labs: frozenset[str] = frozenset()
) -> Intake:
    """Raises InvalidInput naming the consultation's fields."""
    errors: list[FieldError] = []
    if not values.get("diagnosis_primary"):
        errors.append(FieldError("diagnosis_primary", gettext("Choose a primary diagnosis to screen.")))
    pattern = None
    if values.get("pattern_scale"):
        try:
            pattern = PatternStage(scale=values["pattern_scale"], stage=values.get("pattern_stage", ""))
        except InvalidInput as exc:
            errors.extend(FieldError("pattern", e.message) for e in exc.errors)
    if errors:
        raise InvalidInput(errors)
    return Intake(
        age_years=_age_years(patient.date_of_birth, on),
        sex=core_sex(patient),
        pregnant=bool(values.get("pregnant")),
        breastfeeding=bool(values.get("breastfeeding")),
        planning_conception=bool(values.get("planning_conception")),
        conditions=frozenset(FindingCode(c) for c in values.get("condition_codes", [])),
        medications=frozenset(FindingCode(c) for c in values.get("medication_codes", [])),
        allergies=frozenset(values.get("allergy_ingredients", [])),
        scalp=ScalpState(
            active_infection=bool(values.get("scalp_active_infection")),
            active_inflammation=bool(values.get("scalp_active_inflammation")),
            scarring_alopecia=bool(values.get("scarring_alopecia")),
        ),
        pattern=pattern,
        diagnosis=Diagnosis(values["diagnosis_primary"]),
        other_allergies=other_allergies_of(values.get("allergies_other")),
        unreviewed_abnormal_labs=unreviewed_abnormal_labs,
    )


def screen_values(
    patient: Patient, values: Mapping[str, Any], on: dt.date, protocol: Protocol, unreviewed_abnormal_labs: frozenset[str] = frozenset()
) -> ScreeningResult:
    return screen(intake_from(patient, values, on, unreviewed_abnormal_labs), protocol)


def screening_to_json(result: ScreeningResult) -> dict[str, Any]:
    return {
        "verdict": str(result.verdict),
        "combination_recommended": result.combination_recommended,
        "findings": [
            {"code": str(f.code), "severity": str(f.severity), "message": f.message, "source": f.source}
            for f in result.findings
        ],
        "excluded_ingredients": sorted(result.excluded_ingredients),
    }


def findings_from_json(snapshot: Mapping[str, Any]) -> list[Finding]:
    return [
        Finding(code=FindingCode(f["code"]), severity=Severity(f["severity"]), message=f["message"], source=f["source"])
        for f in snapshot.get("findings", [])
    ]


def lab_interpretations(consultation: Consultation, protocol: Protocol | None = None) -> list[tuple[LabResult, LabInterpretation]]:
    """Each lab result with the core's reading, read together (iron-deficiency anaemia: issue 17);
    pass ``protocol`` when interpreting many consultations of one clinic, so it is read once
    (docs/performance.md)."""
    protocol = protocol or protocol_for(consultation.clinic)
    rows = list(consultation.lab_results.all())
    readings = read_labs(
        [(row.test, row.value, row.unit, row.reference_low, row.reference_high) for row in rows],
        core_sex(consultation.patient), protocol, postmenopausal=consultation.history_menopause,
    )
    return list(zip(rows, readings, strict=True))


def read_labs(
    results: Sequence[tuple[str, Decimal, str, Decimal | None, Decimal | None]], sex: CoreSex, protocol: Protocol,
    *, postmenopausal: bool,
) -> list[LabInterpretation]:
    """The core's readings of results given as (test, value, unit, low, high): what the draft's
    live panel shows while they are typed and what the signed record shows."""
    core = [CoreLabResult(test=LabTest(t), value=v, unit=u, reference_low=lo, reference_high=hi) for t, v, u, lo, hi in results]
    return interpret_labs(core, sex, protocol, postmenopausal=postmenopausal)


def unreviewed_abnormal_labs(consultation: Consultation, protocol: Protocol | None = None) -> frozenset[str]:
    """Tests of this consultation flagged low or high that no clinician has reviewed (issue 17)."""
    return frozenset(row.test for row, reading in lab_interpretations(consultation, protocol)
                     if reading.abnormal and row.reviewed_at is None)


# --- writing -----------------------------------------------------------------------------------


def start_consultation(actor: Actor, patient: Patient, author: User, today: dt.date, *, appointment_id: int | None = None) -> Consultation:
    """A new draft dated ``today``; with ``appointment_id`` it belongs to that appointment, and
    starting it twice opens the one already started (a double click, a back and re-submit)."""
    with transaction.atomic():
        if appointment_id is not None:
            existing = Consultation.objects.select_for_update().filter(appointment_id=appointment_id).first()
            if existing is not None:
                return existing
        consultation = Consultation.objects.create(clinic=patient.clinic, patient=patient, author=author, consulted_on=today,
                                                   appointment_id=appointment_id)
        changes = {"consulted_on": {"old": None, "new": today.isoformat()}}
        if appointment_id is not None:
            changes["appointment"] = {"old": None, "new": str(appointment_id)}
        audit.append(actor, Action.CREATE, object_type="consultation", object_id=consultation.pk, patient_id=patient.pk,
                     changes=changes)
    return consultation


def _model_values(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def save_draft(
    actor: Actor,
    consultation: Consultation,
    values: Mapping[str, Any],
    *,
    measurements: Mapping[str, Any] | None,
    labs: Mapping[str, Mapping[str, Any]],
    expected_version: int | None,
    labs_reviewed_by: User | None = None,
) -> Consultation:
    """Store the draft, its measurements and its blood results together, or nothing.
    ``labs_reviewed_by``: the clinician who reviewed the results (each result is stamped; a
    result whose value changes loses its stamp, issue 17)."""
    with transaction.atomic():
        current = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if current.is_signed:
            raise ImmutableRecord(gettext("This consultation is signed and read-only."), kind="signed-record")
        if expected_version is not None and current.version != expected_version:
            raise StaleWrite()
        visit = values.get("consulted_on", current.consulted_on)
        if visit is not None and visit > timezone.localdate():
            raise InvalidInput.single("consulted_on", _future_visit(timezone.localdate()))
        changes = audit.diff(_model_values(current, list(values)), values)
        for field, value in values.items():
            setattr(current, field, value)
        current.version += 1
        current.save()

        existing = MeasurementSet.objects.filter(consultation=current).first()
        if measurements is not None and any(v not in (None, "") for v in measurements.values()):
            if existing is None:
                existing = MeasurementSet(clinic=current.clinic, patient=current.patient, consultation=current, measured_on=current.consulted_on)
            before = _model_values(existing, list(measurements)) if existing.pk else {}
            for field, value in measurements.items():
                setattr(existing, field, "" if value is None and field in ("site_zone", "site_note") else value)
            existing.measured_on = current.consulted_on
            existing.save()
            changes.update({f"measurements.{k}": v for k, v in audit.diff(before, measurements).items()})
        elif existing is not None:
            existing.delete()
            changes["measurements"] = {"old": "recorded", "new": None}

        for test, lab in labs.items():
            row = LabResult.objects.filter(consultation=current, test=test).first()
            if lab.get("value") is None:
                if row is not None:
                    row.delete()
                    changes[f"labs.{test}"] = {"old": str(row.value), "new": None}
                continue
            before = _model_values(row, list(lab)) if row else {}
            row = row or LabResult(clinic=current.clinic, patient=current.patient, consultation=current, test=test)
            for field, value in lab.items():
                setattr(row, field, value)
            row.collected_on = row.collected_on or current.consulted_on
            result_changes = audit.diff(before, lab)
            if labs_reviewed_by is not None:
                if row.reviewed_by_id != labs_reviewed_by.pk or result_changes:
                    row.reviewed_by, row.reviewed_at = labs_reviewed_by, timezone.now()
                    result_changes["reviewed_by"] = {"old": None, "new": labs_reviewed_by.username}
            elif result_changes and row.reviewed_at is not None:
                # A changed result has not been reviewed.
                row.reviewed_by, row.reviewed_at = None, None
                result_changes["reviewed_by"] = {"old": "reviewed", "new": None}
            row.save()
            changes.update({f"labs.{test}.{k}": v for k, v in result_changes.items()})

        if changes:
            audit.append(actor, Action.UPDATE, object_type="consultation", object_id=current.pk, patient_id=current.patient_id, changes=changes)
    return current


def _future_visit(today: dt.date) -> str:
    return gettext("The visit date cannot be in the future (today is %(today)s).") % {"today": display.day(today)}


def _sign_problems(consultation: Consultation, today: dt.date | None = None) -> list[FieldError]:
    problems = []
    today = today or timezone.localdate()
    if consultation.consulted_on > today:
        problems.append(FieldError("consulted_on", _future_visit(today)))
    if not consultation.presenting_complaint.strip():
        problems.append(FieldError("presenting_complaint", gettext("Record the presenting complaint before signing.")))
    if not consultation.diagnosis_primary:
        problems.append(FieldError("diagnosis_primary", gettext("Choose a primary diagnosis before signing.")))
    if consultation.diagnosis_secondary and consultation.diagnosis_secondary == consultation.diagnosis_primary:
        problems.append(FieldError("diagnosis_secondary", gettext("The secondary diagnosis repeats the primary one.")))
    return problems


def sign_problems(consultation: Consultation) -> list[FieldError]:
    """What still stops this draft from being signed (empty: it may be signed)."""
    return _sign_problems(consultation)


SCREENING_FIELDS = [
    "pregnant", "breastfeeding", "planning_conception", "condition_codes", "medication_codes",
    "allergy_ingredients", "scalp_active_infection", "scalp_active_inflammation", "scarring_alopecia",
    "pattern_scale", "pattern_stage", "diagnosis_primary", "allergies_other",
]


def screening_values(consultation: Consultation) -> dict[str, Any]:
    """The stored answers screening reads, as the core's intake mapping expects them."""
    return _model_values(consultation, SCREENING_FIELDS)


def draft_screening(consultation: Consultation) -> dict[str, Any]:
    """The screening of a stored draft, for the panel: {"screening": ...} or {"screening_errors": [...]}."""
    protocol = protocol_for(consultation.clinic)
    try:
        result = screen_values(consultation.patient, _model_values(consultation, SCREENING_FIELDS), consultation.consulted_on, protocol,
                               unreviewed_abnormal_labs(consultation, protocol))
    except InvalidInput as exc:
        return {"screening_errors": [e.message for e in exc.errors]}
    return {"screening": screening_to_json(result)}


def sign_consultation(actor: Actor, consultation: Consultation, signer: User) -> Consultation:
    """Screen with the core, freeze the result, and make the consultation read-only."""
    with transaction.atomic():
        current = Consultation.objects.select_for_update().select_related("patient", "clinic").get(pk=consultation.pk)
        if current.is_signed:
            raise ImmutableRecord(gettext("This consultation is signed already."), kind="signed-record")
        problems = _sign_problems(current)
        if problems:
            raise NotSignable(problems)
        values = _model_values(current, SCREENING_FIELDS)
        protocol = protocol_for(current.clinic)
        try:
            result = screen_values(current.patient, values, current.consulted_on, protocol, unreviewed_abnormal_labs(current, protocol))
        except InvalidInput as exc:
            raise NotSignable(list(exc.errors)) from exc
        current.screening = screening_to_json(result)
        current.status = Status.SIGNED
        current.signed_at = timezone.now()
        current.signed_by = signer
        current.version += 1
        current.save(signing=True)
        audit.append(actor, Action.UPDATE, object_type="consultation", object_id=current.pk, patient_id=current.patient_id,
                     changes={"status": {"old": "draft", "new": "signed"}, "screening.verdict": {"old": None, "new": str(result.verdict)}})
        consultation_signed.send(sender=Consultation, consultation=current, actor=actor)
    return current


def record_follow_up_measurements(
    actor: Actor, patient: Patient, on: dt.date, values: Mapping[str, Any], *, today: dt.date, baseline_on: dt.date | None = None,
) -> MeasurementSet:
    """A measurement visit outside a consultation: the course reviews every 6-12 weeks that the
    progress charts and the response compare with the baseline. ``values`` are checked by the
    caller's form (the same checks as a consultation's measurements, anagen.core.measurements);
    the visit itself by ``anagen.core.response.follow_up_visit_problems`` (issue 17: no empty visit,
    none on or before the baseline visit ``baseline_on``)."""
    measured = frozenset(k for k, v in values.items() if v not in (None, ""))
    problems = follow_up_visit_problems(on, baseline_on, today, measured)
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        row = MeasurementSet(clinic=patient.clinic, patient=patient, measured_on=on)
        for field, value in values.items():
            setattr(row, field, "" if value is None and field in ("site_zone", "site_note") else value)
        row.save()
        audit.append(actor, Action.CREATE, object_type="measurement_set", object_id=row.pk, patient_id=patient.pk,
                     changes=audit.snapshot_created({"measured_on": on, **values}))
    return row


def void_measurement_visit(actor: Actor, visit: MeasurementSet, reason: str, by: User) -> MeasurementSet:
    """Void a follow-up visit recorded in error (issue 17): kept, never deleted, with who voided it,
    when and why (audited); no chart, response, forecast or outlook reads it afterwards. A
    consultation's own measurements are corrected by an addendum instead."""
    if visit.consultation_id is not None:
        raise InvalidInput.single("visit", gettext("A consultation's measurements are corrected with an addendum to the consultation."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.single("reason", gettext("Write why this visit is void."))
    with transaction.atomic():
        current = MeasurementSet.all_objects.select_for_update().get(pk=visit.pk)
        if current.voided_at is not None:
            raise InvalidInput.single("visit", gettext("This visit is void already."))
        MeasurementSet.all_objects.filter(pk=current.pk).update(voided_at=timezone.now(), voided_by=by, void_reason=reason)
        current.refresh_from_db()
        audit.append(actor, Action.UPDATE, object_type="measurement_set", object_id=current.pk, patient_id=current.patient_id,
                     changes={"voided": {"old": None, "new": current.voided_at.isoformat()}, "void_reason": {"old": "", "new": reason}})
    return current


def current_cautions(
    consultation: Consultation, protocol: Protocol | None = None,
    labs: Sequence[tuple[LabResult, LabInterpretation]] | None = None,
) -> set[str]:
    """Cautions the signed answers give under today's rules: a rule made stricter since signing
    (issue 17: an advanced pattern is now a caution; a free-text allergy is one) raises them at
    the pre-session re-screen, so a trichologist must be able to acknowledge them on this record.
    Pass the clinic's ``protocol`` and the consultation's ``labs`` when the caller has them."""
    protocol = protocol or protocol_for(consultation.clinic)
    labs = lab_interpretations(consultation, protocol) if labs is None else labs
    unreviewed = frozenset(row.test for row, reading in labs if reading.abnormal and row.reviewed_at is None)
    try:
        result = screen_values(consultation.patient, screening_values(consultation), consultation.consulted_on, protocol, unreviewed)
    except InvalidInput:
        return set()
    return {str(f.code) for f in result.findings if f.severity == Severity.CAUTION}


def acknowledge_caution(actor: Actor, consultation: Consultation, code: str, reason: str, by: User) -> ScreeningAcknowledgement:
    cautions = {str(f.code) for f in findings_from_json(consultation.screening) if f.severity == Severity.CAUTION}
    if consultation.is_signed and code not in cautions:
        cautions |= current_cautions(consultation)
    if not consultation.is_signed:
        raise InvalidInput.single("code", gettext("Sign the consultation first: cautions are acknowledged on the signed screening."))
    if code not in cautions:
        raise InvalidInput.single("code", gettext("“%(caution)s” is not a caution of this screening.") % {"caution": labels.label(code, "finding")})
    if not reason.strip():
        raise InvalidInput.single("reason", gettext("Write why it is safe to go ahead."))
    with transaction.atomic():
        ack, created = ScreeningAcknowledgement.objects.get_or_create(
            consultation=consultation, code=code, defaults={"reason": reason.strip(), "by": by}
        )
        if not created:
            raise InvalidInput.single("code", gettext("This caution is acknowledged already."))
        audit.append(actor, Action.CREATE, object_type="screening_acknowledgement", object_id=ack.pk, patient_id=consultation.patient_id,
                     changes={"code": {"old": None, "new": code}, "reason": {"old": None, "new": ack.reason}})
    return ack


def set_deferral(actor: Actor, consultation: Consultation, review_on: dt.date, reason: str, by: User, today: dt.date) -> ScreeningDeferral:
    defers = [f for f in findings_from_json(consultation.screening) if f.severity == Severity.DEFER]
    if not consultation.is_signed or not defers:
        raise InvalidInput.single("review_on", gettext("Only a signed screening with a defer finding takes a review date."))
    if review_on <= today:
        raise InvalidInput.single("review_on", gettext("The review date must be after today."))
    with transaction.atomic():
        deferral, created = ScreeningDeferral.objects.select_for_update().get_or_create(
            consultation=consultation, defaults={"review_on": review_on, "reason": reason.strip(), "by": by}
        )
        old = None if created else deferral.review_on.isoformat()
        if not created:
            # A deferral can only be moved via a new record of why: the old date stays in the audit trail.
            ScreeningDeferral.objects.filter(pk=deferral.pk).update(review_on=review_on, reason=reason.strip(), by=by)
            deferral.refresh_from_db()
        audit.append(actor, Action.CREATE if created else Action.UPDATE, object_type="screening_deferral", object_id=deferral.pk,
                     patient_id=consultation.patient_id, changes={"review_on": {"old": old, "new": review_on.isoformat()}, "reason": {"old": None, "new": reason.strip()}})
    return deferral


def add_addendum(actor: Actor, consultation: Consultation, reason: str, text: str, author: User) -> Addendum:
    if not consultation.is_signed:
        raise InvalidInput.single("reason", gettext("A draft is edited directly; addenda are for signed consultations."))
    with transaction.atomic():
        addendum = Addendum.objects.create(consultation=consultation, author=author, reason=reason.strip(), text=text.strip())
        audit.append(actor, Action.CREATE, object_type="consultation_addendum", object_id=addendum.pk, patient_id=consultation.patient_id,
                     changes={"reason": {"old": None, "new": addendum.reason}, "text": {"old": None, "new": addendum.text}})
    return addendum


def booking_status(patient: Patient, today: dt.date, consultations: Sequence[Consultation] | None = None) -> tuple[Consultation | None, BookingDecision]:
    """May this patient be booked for a course today? From the latest signed consultation
    (picked from ``consultations``, all of the patient's, when the caller has them loaded)."""
    if consultations is None:
        consultation = latest_signed(patient)
    else:
        signed = [c for c in consultations if c.status == Status.SIGNED]
        consultation = max(signed, key=lambda c: (c.consulted_on, c.pk), default=None)
    if consultation is None:
        return None, BookingDecision(False, (gettext("Record and sign a consultation before booking a course."),))
    # Loaded with the consultation when the caller read them (web.facts.screening_consultations).
    if "acknowledgements" in getattr(consultation, "_prefetched_objects_cache", {}):
        acknowledged = [a.code for a in consultation.acknowledgements.all()]
    else:
        acknowledged = list(consultation.acknowledgements.values_list("code", flat=True))
    if "deferral" in consultation._state.fields_cache:
        deferral = consultation._state.fields_cache["deferral"]
    else:
        deferral = ScreeningDeferral.objects.filter(consultation=consultation).first()
    decision = worded(booking_decision(
        findings_from_json(consultation.screening),
        acknowledged_codes=acknowledged,
        review_on=deferral.review_on if deferral else None,
        today=today,
    ))
    return consultation, decision
