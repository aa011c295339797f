"""Recording a mesotherapy session: every check first, then one transaction for the record, its
lots and stock, the follow-up task, the appointment's completion and the audit trail.

A session is refused with a clear message, and nothing is saved, when: the treatment consent is
not valid; an adverse event blocks it; today's re-screen finds a stop, a defer or an
unacknowledged caution; the injection map is over the protocol limit or the prescription; a lot
is expired, recalled or short of stock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, User
from anagen.accounts.protocols import opening_hours, protocol_for
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, read_page
from anagen.audit.services import Actor
from anagen.catalog import services as catalog
from anagen.catalog.models import Lot
from anagen.consents import services as consents
from anagen.consultations.services import (
    intake_from,
    latest_signed,
    screening_to_json,
    screening_values,
)
from anagen.core import display
from anagen.core.aftercare import (
    DEFAULT_SHEETS,
    AftercareSheet,
    sheet_as_text,
    sheet_from_text,
    with_drug_instructions,
)
from anagen.core.eligibility import reconsultation_due
from anagen.core.errors import FieldError, InvalidInput, NotFound
from anagen.core.measurements import ScalpZone
from anagen.core.safety import (
    DrawnProduct,
    InjectionPoint,
    PrescribedFormulation,
    SessionAnswers,
    SessionDrawCheck,
    check_injection_map,
    check_session_draw,
    rescreen_blocker_sentences,
    rescreen_for_session,
)
from anagen.core.screening import FindingCode
from anagen.core.session import checklist_errors, lot_errors
from anagen.procedures import signals
from anagen.procedures.models import AftercareText, LotUsage, SessionAddendum, TreatmentSession
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Kind
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.treatments.models import Course, Formulation
from anagen.ui.wording import words


class SessionBlocked(Exception):
    """The session may not be recorded; ``errors`` name the fields (or "session") and say why."""

    def __init__(self, errors: Sequence[FieldError]):
        self.errors = tuple(errors)
        super().__init__("; ".join(e.message for e in self.errors))


@dataclass(frozen=True)
class LotUse:
    lot_id: int
    volume_ml: Decimal


@dataclass(frozen=True)
class SessionInput:
    identity_confirmed: bool
    fever_today: bool
    scalp_infection_today: bool
    pregnant_today: bool
    new_medicines: str
    new_medication_codes: tuple[str, ...]
    scalp_cleansed: bool
    numbing_spray: bool
    technique: str
    needle_gauge: int | None
    needle_length_mm: Decimal | None
    mesogun_settings: str
    depth_mm: Decimal
    injection_style: str
    injection_map: tuple[InjectionPoint, ...]
    lots: tuple[LotUse, ...]
    pain_score: int
    immediate_reactions: tuple[str, ...]
    reaction_notes: str
    aftercare_language: str
    # Written when the core's draw check asks for one (anagen.core.safety.check_session_draw).
    product_substitution_reason: str = ""
    volume_discrepancy_reason: str = ""
    # The extended re-screen (issue 17); "no" unless asked.
    breastfeeding_today: bool = False
    planning_conception_today: bool = False
    scalp_inflammation_today: bool = False
    new_condition_codes: tuple[str, ...] = ()
    new_allergy_codes: tuple[str, ...] = ()
    reaction_last_session: bool = False
    new_bald_patch: bool = False


def get_appointment_for_session(actor: Actor, clinic: Clinic | None, appointment_id: int) -> Appointment:
    appointment = scheduling.get_appointment(clinic, appointment_id)
    audit.record_read(actor, "appointment", appointment.pk, appointment.patient_id)
    return appointment


def course_and_formulation(appointment: Appointment) -> tuple[Course | None, Formulation | None]:
    course = Course.objects.filter(pk=appointment.course_id, clinic=appointment.clinic).select_related("formulation").first() if appointment.course_id else None
    if course is not None:
        return course, course.formulation
    return None, Formulation.objects.filter(patient=appointment.patient).order_by("-created_at").first()


def preconditions(appointment: Appointment, today: dt.date) -> list[FieldError]:
    """What blocks the session before anything is filled in: shown on the form, checked at signing."""
    problems: list[FieldError] = []
    if appointment.kind != Kind.MESOTHERAPY_SESSION:
        problems.append(FieldError("session", gettext("Only a mesotherapy session appointment is recorded here.")))
    if hasattr(appointment, "treatment_session"):
        problems.append(FieldError("session", gettext("This appointment's session is recorded already.")))
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.IN_CHAIR):
        problems.append(FieldError("session", gettext("The appointment is %(status)s.") % {"status": appointment.get_status_display().lower()}))
    if timezone.localtime(appointment.starts_at).date() != today:
        problems.append(FieldError("session", gettext("A session is recorded on the day of its appointment.")))
    try:
        consents.require_valid_consent(appointment.patient, "treatment")
    except consents.ConsentMissing as exc:
        problems.append(FieldError("consent", str(exc)))
    for _, reasons in signals.session_blockers.send(sender=TreatmentSession, patient=appointment.patient):
        problems.extend(FieldError("session", reason) for reason in reasons)
    _, formulation = course_and_formulation(appointment)
    if formulation is None:
        problems.append(FieldError("formulation", gettext("No formulation is prescribed for this patient.")))
    consultation = latest_signed(appointment.patient)
    if consultation is None:
        problems.append(FieldError("session", gettext("No signed consultation: the patient has not been screened.")))
    else:
        overdue = reconsultation_due(consultation.consulted_on, today, protocol_for(appointment.clinic))
        if overdue:
            problems.append(FieldError("session", words(overdue)))
    return problems


def record_session(actor: Actor, appointment: Appointment, data: SessionInput, *, practitioner: User, today: dt.date) -> TreatmentSession:
    """Check everything, then write everything, or raise SessionBlocked and write nothing."""
    errors = preconditions(appointment, today)
    errors += checklist_errors(identity_confirmed=data.identity_confirmed, scalp_cleansed=data.scalp_cleansed,
                               pain_score=data.pain_score)
    if errors:
        raise SessionBlocked(errors)
    patient = appointment.patient
    course, formulation = course_and_formulation(appointment)
    assert formulation is not None  # checked by preconditions
    consultation = latest_signed(patient)
    assert consultation is not None
    protocol = protocol_for(appointment.clinic)

    try:
        answers = SessionAnswers(
            fever=data.fever_today, scalp_infection=data.scalp_infection_today, pregnant=data.pregnant_today,
            new_medications=frozenset(FindingCode(c) for c in data.new_medication_codes),
            breastfeeding=data.breastfeeding_today, planning_conception=data.planning_conception_today,
            new_conditions=frozenset(FindingCode(c) for c in data.new_condition_codes),
            new_allergies=frozenset(data.new_allergy_codes), reaction_last_session=data.reaction_last_session,
            new_bald_patch=data.new_bald_patch, scalp_inflammation=data.scalp_inflammation_today,
        )
    except InvalidInput as exc:
        fields = {"new_medications": "new_medication_codes", "new_conditions": "new_condition_codes"}
        raise SessionBlocked([FieldError(fields.get(e.field, "rescreen"), gettext("Choose from the list.")) for e in exc.errors]) from exc
    except ValueError as exc:  # a code that is no finding code at all
        raise SessionBlocked([FieldError("new_condition_codes", gettext("Choose from the list."))]) from exc
    allergies = frozenset(consultation.allergy_ingredients) | frozenset(data.new_allergy_codes)
    if data.numbing_spray and "lidocaine" in allergies:
        raise SessionBlocked([FieldError("numbing_spray", gettext("The patient is allergic to lidocaine: no numbing spray or local anaesthetic."))])
    try:
        intake = intake_from(patient, screening_values(consultation), today)
        rescreen = rescreen_for_session(intake, answers, protocol)
    except InvalidInput as exc:
        raise SessionBlocked([FieldError("new_allergy_codes" if e.field == "allergies" else "rescreen", e.message) for e in exc.errors]) from exc
    acknowledged = list(consultation.acknowledgements.values_list("code", flat=True))
    blockers = rescreen_blocker_sentences(rescreen, acknowledged)
    if blockers:
        raise SessionBlocked([FieldError("rescreen", words(reason)) for reason in blockers])

    try:
        map_check = check_injection_map(data.injection_map, formulation_volume_ml=formulation.total_volume_ml, protocol=protocol)
    except InvalidInput as exc:
        raise SessionBlocked(exc.errors) from exc
    lot_problems = lot_errors([(use.lot_id, use.volume_ml) for use in data.lots], map_check.total_volume_ml)
    if lot_problems:
        raise SessionBlocked(lot_problems)
    draw = draw_check(
        appointment.clinic, formulation, data.lots, map_check.total_volume_ml,
        allergies=allergies, protocol=protocol,
        product_reason=data.product_substitution_reason, volume_reason=data.volume_discrepancy_reason,
    )
    if not draw.ok:
        raise SessionBlocked(draw.errors())

    now = timezone.now()
    if today != timezone.localdate(now):
        # A session recorded for another day (importing history): it was signed as it ended, so
        # the follow-up window and the audit read as they happened.
        now = appointment.ends_at
    try:
        with transaction.atomic():
            session = TreatmentSession(
                clinic=appointment.clinic, patient=patient, appointment=appointment, course=course, formulation=formulation,
                practitioner=practitioner, performed_on=today, signed_at=now,
                identity_confirmed=True, consent_record_id=consents.require_valid_consent(patient, "treatment").record.pk,
                fever_today=data.fever_today, scalp_infection_today=data.scalp_infection_today, pregnant_today=data.pregnant_today,
                new_medicines=data.new_medicines.strip(), new_medication_codes=list(data.new_medication_codes),
                breastfeeding_today=data.breastfeeding_today, planning_conception_today=data.planning_conception_today,
                scalp_inflammation_today=data.scalp_inflammation_today, new_condition_codes=sorted(data.new_condition_codes),
                new_allergy_codes=sorted(data.new_allergy_codes), reaction_last_session=data.reaction_last_session,
                new_bald_patch=data.new_bald_patch,
                rescreen=screening_to_json(rescreen), scalp_cleansed=True, numbing_spray=data.numbing_spray,
                technique=data.technique, needle_gauge=data.needle_gauge, needle_length_mm=data.needle_length_mm,
                mesogun_settings=data.mesogun_settings.strip(), depth_mm=data.depth_mm, injection_style=data.injection_style,
                injection_map=[{"zone": str(p.zone), "x": str(p.x), "y": str(p.y), "volume_ml": str(p.volume_ml)} for p in data.injection_map],
                total_volume_ml=map_check.total_volume_ml, pain_score=data.pain_score,
                immediate_reactions=list(data.immediate_reactions), reaction_notes=data.reaction_notes.strip(),
                aftercare_language=data.aftercare_language,
                drawn_volume_ml=draw.drawn_ml,
                product_substitution_reason=data.product_substitution_reason.strip() if draw.product_substituted else "",
                volume_discrepancy_reason=data.volume_discrepancy_reason.strip() if draw.volume_discrepancy else "",
                draw_check=draw_check_to_json(draw),
            )
            session.save()
            for use in data.lots:
                lot = catalog.get_lot(appointment.clinic, use.lot_id)
                movement = catalog.draw_stock(actor, lot, use.volume_ml, on=today, session_ref=session.pk, patient_id=patient.pk)
                LotUsage.objects.create(session=session, lot=lot, volume_ml=use.volume_ml, movement=movement)
            signals.session_recorded.send(sender=TreatmentSession, session=session, actor=actor)
            if appointment.status == AppointmentStatus.BOOKED:
                scheduling.mark_arrived(actor, appointment)
            scheduling.mark_completed(actor, appointment)
            audit.append(
                actor, Action.CREATE, object_type="treatment_session", object_id=session.pk, patient_id=patient.pk,
                changes={
                    "total_volume_ml": {"old": None, "new": str(session.total_volume_ml)},
                    "lots": {"old": None, "new": ", ".join(f"{u.lot_id}:{u.volume_ml}" for u in data.lots)},
                    "pain_score": {"old": None, "new": str(data.pain_score)},
                    "rescreen.verdict": {"old": None, "new": session.rescreen.get("verdict")},
                } | ({"product_substitution_reason": {"old": None, "new": session.product_substitution_reason}}
                     if session.product_substitution_reason else {})
                  | ({"volume_discrepancy_reason": {"old": None, "new": session.volume_discrepancy_reason}}
                     if session.volume_discrepancy_reason else {}),
            )
    except (catalog.StockError, NotFound) as exc:
        field = getattr(exc, "field", None) or "lots"
        message = getattr(exc, "message", None) or gettext("A lot chosen is not this clinic's.")
        raise SessionBlocked([FieldError("lots" if field in ("lot", "quantity_ml") else field, message)]) from exc
    except scheduling.BookingError as exc:
        raise SessionBlocked([FieldError("session", exc.message)]) from exc
    return session


def session_of(appointment: Appointment) -> TreatmentSession | None:
    """The session signed at this appointment, if there is one."""
    return TreatmentSession.objects.filter(appointment=appointment).first()


def prescription_of(formulation: Formulation) -> PrescribedFormulation:
    return PrescribedFormulation(
        ingredients=frozenset(formulation.components.values_list("ingredient", flat=True)),
        product_ids=frozenset(formulation.products.values_list("pk", flat=True)),
        volume_ml=formulation.total_volume_ml,
    )


def drawn_products(clinic: Clinic, lots: Sequence[LotUse]) -> list[DrawnProduct]:
    """The lots as the core checks them: each with its product's ingredient list. A lot that is
    not this clinic's is refused naming ``lots``."""
    found = {lot.pk: lot for lot in Lot.objects.filter(product__clinic=clinic, pk__in=[u.lot_id for u in lots])
             .select_related("product").prefetch_related("product__components")}
    drawn = []
    for i, use in enumerate(lots):
        lot = found.get(use.lot_id)
        if lot is None:
            raise SessionBlocked([FieldError(f"lots[{i}]", gettext("A lot chosen is not this clinic's."))])
        drawn.append(DrawnProduct(lot.pk, lot.product_id, lot.product.name,
                                  frozenset(c.ingredient_code for c in lot.product.components.all()), use.volume_ml))
    return drawn


def draw_check(
    clinic: Clinic, formulation: Formulation, lots: Sequence[LotUse], mapped_ml: Decimal, *,
    allergies: frozenset[str], protocol: Any, product_reason: str = "", volume_reason: str = "",
) -> SessionDrawCheck:
    """The core's at-the-chair check (allergy by ingredient list, product against the formulation,
    volumes reconciled) for these lots: what ``record_session`` enforces and a live screen shows."""
    try:
        drawn = drawn_products(clinic, lots)
    except InvalidInput as exc:
        raise SessionBlocked(exc.errors) from exc
    return check_session_draw(drawn, prescription_of(formulation), mapped_ml, allergies=allergies, protocol=protocol,
                              product_reason=product_reason, volume_reason=volume_reason)


def preview_draw(appointment: Appointment, lots: Sequence[LotUse], mapped_ml: Decimal, *,
                 product_reason: str = "", volume_reason: str = "") -> SessionDrawCheck | None:
    """The draw check for a session still being filled in (for a live panel), or None when the
    patient has no formulation or signed consultation yet (the preconditions say so)."""
    _, formulation = course_and_formulation(appointment)
    consultation = latest_signed(appointment.patient)
    if formulation is None or consultation is None:
        return None
    return draw_check(appointment.clinic, formulation, lots, mapped_ml, allergies=frozenset(consultation.allergy_ingredients),
                      protocol=protocol_for(appointment.clinic), product_reason=product_reason, volume_reason=volume_reason)


def draw_check_to_json(check: SessionDrawCheck) -> dict[str, Any]:
    return {
        "drawn_ml": str(check.drawn_ml), "prescribed_ml": str(check.prescribed_ml), "mapped_ml": str(check.mapped_ml),
        "tolerance_ml": str(check.tolerance_ml),
        "differences": [{"between": d.between, "difference_ml": str(d.difference_ml), "within_tolerance": d.within_tolerance}
                        for d in check.differences],
        "problems": [{"code": str(p.code), "field": p.field, "message": p.message, "overridable": p.overridable, "source": p.source}
                     for p in check.problems],
    }


def list_sessions(actor: Actor, clinic: Clinic, *, patient_id: int | None = None, course_id: int | None = None,
                  page: int = 1, page_size: int = 25) -> Page[TreatmentSession]:
    """Newest first (session date, then id), with their lots; each session audited as read."""
    records = TreatmentSession.objects.filter(clinic=clinic).prefetch_related(
        Prefetch("lot_usages", queryset=LotUsage.objects.select_related("lot__product").order_by("id"), to_attr="lot_usage_list"))
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if course_id is not None:
        records = records.filter(course_id=course_id)
    return read_page(actor, "treatment_session", records.order_by("-performed_on", "-id"), page, page_size)


def get_session(actor: Actor, clinic: Clinic | None, session_id: int) -> TreatmentSession:
    sessions = TreatmentSession.objects.select_related("patient", "practitioner", "formulation", "appointment", "course")
    return audit.read_in_clinic(actor, clinic, sessions, session_id, "treatment_session")


def add_addendum(actor: Actor, session: TreatmentSession, reason: str, text: str, author: User) -> SessionAddendum:
    if not reason.strip() or not text.strip():
        raise InvalidInput([FieldError("reason", gettext("An addendum needs a reason and a text."))])
    with transaction.atomic():
        addendum = SessionAddendum.objects.create(session=session, author=author, reason=reason.strip(), text=text.strip())
        audit.append(actor, Action.CREATE, object_type="session_addendum", object_id=addendum.pk, patient_id=session.patient_id,
                     changes={"reason": {"old": None, "new": addendum.reason}, "text": {"old": None, "new": addendum.text}})
    return addendum


def selectable_lots(clinic: Clinic, today: dt.date) -> list[Lot]:
    return list(catalog.selectable_lots(clinic, today).select_related("product"))


def sessions_for(patient: Any) -> list[TreatmentSession]:
    return list(
        TreatmentSession.objects.filter(patient=patient)
        .select_related("appointment", "course")
        # One query for the usages with their lots and products, not one per relation.
        .prefetch_related(Prefetch("lot_usages", queryset=LotUsage.objects.select_related("lot__product")))
        .order_by("-performed_on", "-id")
    )


# --- aftercare ---------------------------------------------------------------------------------

LANGUAGES = {"en": "English", "hi": "हिन्दी (Hindi)", "mr": "मराठी (Marathi)"}


def aftercare_sheet(clinic: Clinic, language: str, ingredients: Sequence[str] = ()) -> AftercareSheet:
    """The clinic's sheet in ``language`` (or the default), led by the 5-alpha-reductase inhibitor
    instructions when ``ingredients`` (the session's formulation) hold one (issue 17)."""
    stored = AftercareText.objects.filter(clinic=clinic, language=language).first()
    if stored is not None:
        sheet = sheet_from_text(language, stored.title, stored.body)
    else:
        sheet = DEFAULT_SHEETS.get(language, DEFAULT_SHEETS["en"])
    return with_drug_instructions(sheet, ingredients)


def session_aftercare_sheet(session: TreatmentSession, language: str) -> AftercareSheet:
    ingredients = list(session.formulation.components.values_list("ingredient", flat=True))
    return aftercare_sheet(session.clinic, language, ingredients)


def aftercare_text(clinic: Clinic, language: str) -> tuple[str, str]:
    sheet = aftercare_sheet(clinic, language)
    return sheet.title, sheet_as_text(sheet)


def save_aftercare(clinic: Clinic, language: str, title: str, body: str, by: User) -> AftercareText:
    sheet = sheet_from_text(language, title.strip(), body)
    if not sheet.sections:
        raise InvalidInput.single("body", gettext("Write at least one '## Heading' with '- points' under it."))
    text, _ = AftercareText.objects.update_or_create(
        clinic=clinic, language=language, defaults={"title": title.strip(), "body": body.strip() + "\n", "updated_by": by}
    )
    return text


ZONES = [z.value for z in ScalpZone]


# --- the session at the chair (issue 20) ----------------------------------------------------


def course_session_options(appointment: Appointment) -> list[tuple[str, str]]:
    """When a stand-alone session appointment is recorded while the patient has an active course:
    which session of the course it could be, as ("course:number", words) choices."""
    if appointment.course_id is not None or appointment.kind != Kind.MESOTHERAPY_SESSION:
        return []
    options = []
    for course in Course.objects.filter(patient=appointment.patient, clinic=appointment.clinic, status="active").order_by("-start_date", "-id")[:2]:
        booked = {a.course_session_number: a for a in Appointment.objects.filter(clinic=course.clinic, course_id=course.pk)
                  .exclude(course_session_number=None).order_by("starts_at")}
        done = {n for n, a in booked.items() if a.status == AppointmentStatus.COMPLETED}
        for number in range(1, course.total_sessions + 1):
            if number in done:
                continue
            planned = booked.get(number)
            words = gettext("Session %(number)d of %(total)d of the course from %(start)s") % {
                "number": number, "total": course.total_sessions, "start": display.day(course.start_date)}
            if planned and planned.status == AppointmentStatus.BOOKED:
                words += " " + gettext("(booked %(day)s)") % {"day": display.day(timezone.localtime(planned.starts_at).date())}
            options.append((f"{course.pk}:{number}", words))
    return options


def record_course_session(actor: Actor, appointment: Appointment, data: SessionInput, *, practitioner: User, today: dt.date,
                          course_session: str = "") -> TreatmentSession:
    """Record the session; when the nurse said which course session a stand-alone appointment is
    (``"course:number"``), link it to the course first, in the same transaction: the course then
    counts it, and its own booking for that session is cancelled."""
    with transaction.atomic():
        if course_session:
            valid = dict(course_session_options(appointment))
            if course_session not in valid:
                raise SessionBlocked([FieldError("course_session", gettext("Choose a session of the patient's course, or none."))])
            course_id, number = (int(part) for part in course_session.split(":"))
            try:
                appointment = scheduling.link_to_course(
                    actor, appointment, course_id=course_id, session_number=number,
                    reason=gettext("Session %(number)d was given at the appointment of %(day)s") % {"number": number, "day": display.day(today)},
                )
            except scheduling.BookingError as exc:
                raise SessionBlocked([FieldError("course_session", exc.message)]) from exc
        return record_session(actor, appointment, data, practitioner=practitioner, today=today)


@dataclass(frozen=True)
class NextSession:
    """What the aftercare sheet offers after a session: the course's next booked session, or the
    booking form filled in (patient, type, practitioner, room and the course's interval on)."""

    appointment: Appointment | None
    book_query: dict[str, str]


def next_session(session: TreatmentSession) -> NextSession:
    appointment = session.appointment
    if appointment.course_id is not None:
        upcoming = (Appointment.objects.filter(clinic=appointment.clinic, course_id=appointment.course_id, kind=Kind.MESOTHERAPY_SESSION,
                                               status__in=(AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED),
                                               starts_at__gt=appointment.starts_at)
                    .order_by("starts_at", "id").first())
        if upcoming is not None:
            return NextSession(upcoming, {})
    course = Course.objects.filter(pk=appointment.course_id).only("interval_days").first() if appointment.course_id else None
    # The course's interval between sessions; two weeks for a session outside a course (the
    # booking form then offers that day's free times, or the nurse picks another day).
    interval_days = course.interval_days if course is not None else 14
    day = session.performed_on + dt.timedelta(days=interval_days)
    # The first day on or after it that the clinic is open (never a Sunday or a holiday).
    for _ in range(14):
        if opening_hours(appointment.clinic, day) is not None:
            break
        day += dt.timedelta(days=1)
    local = timezone.localtime(appointment.starts_at)
    return NextSession(None, {"patient": str(appointment.patient_id), "kind": appointment.kind, "practitioner": str(appointment.practitioner_id),
                              "room": str(appointment.room_id), "date": day.isoformat(), "start": f"{local:%H:%M}"})
