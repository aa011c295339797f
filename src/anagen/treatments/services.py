"""Use cases: build and save a formulation, preview and book a course, re-plan it after a move.

Every clinical decision comes from anagen.core (formulation checks, course planning, the booking
gate); this module loads records, calls the core, and writes in one transaction with the audit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, User
from anagen.accounts.protocols import closed_dates, protocol_for, settings_for
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, read_page
from anagen.audit.services import Actor
from anagen.catalog.models import Product
from anagen.consultations.models import Consultation
from anagen.consultations.services import booking_status
from anagen.core import display
from anagen.core.course import (
    CombinationRequest,
    CombinationTherapy,
    CoursePlan,
    CourseRequest,
    SessionRecord,
    Weekday,
    plan_course,
)
from anagen.core.errors import Conflict, FieldError, InvalidInput
from anagen.core.formulation import (
    CATALOGUE,
    Component,
    FormulationCheck,
    FormulationContext,
    IssueSeverity,
    NamedProduct,
    check_formulation,
    personalise,
    template_for,
)
from anagen.core.formulation import Formulation as CoreFormulation
from anagen.core.screening import Diagnosis
from anagen.patients.models import Patient
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Kind, Room
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.treatments.models import Course, CourseCombination, Formulation, FormulationComponent

THERAPY_KIND = {
    CombinationTherapy.PRF: Kind.PRF,
    CombinationTherapy.EXOSOMES: Kind.EXOSOMES,
    CombinationTherapy.PEPTIDES: Kind.PEPTIDE_THERAPY,
}


class NotBookable(Conflict):
    """The course cannot be booked; ``reasons`` says each thing that stands in the way."""

    kind = "not-bookable"

    def __init__(self, reasons: Sequence[str]):
        self.reasons = tuple(reasons)
        super().__init__(" ".join(self.reasons))
        self.extra = {"reasons": list(self.reasons)}


# --- formulations ------------------------------------------------------------------------------


def starting_components(consultation: Consultation) -> tuple[list[Component], list[str]]:
    """The diagnosis template without the patient's allergens (and 5-ARIs when conception is planned)."""
    template = template_for(Diagnosis(consultation.diagnosis_primary))
    personalised = personalise(template, frozenset(consultation.allergy_ingredients), consultation.planning_conception)
    notes = [
        (gettext("%(ingredient)s left out: allergy.") if r.reason == "allergy"
         else gettext("%(ingredient)s left out: conception is planned.")) % {"ingredient": CATALOGUE[r.ingredient].name}
        for r in personalised.removed
    ]
    return list(personalised.formulation.components), notes


def named_products(clinic: Clinic, product_ids: Sequence[int]) -> list[NamedProduct]:
    """The clinic's products by id, with their ingredient lists, as the core checks them; an id
    that is not this clinic's product is refused naming ``products``."""
    ids = list(dict.fromkeys(int(i) for i in product_ids))
    found = {p.pk: p for p in Product.objects.filter(clinic=clinic, pk__in=ids).prefetch_related("components")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput.single("products", gettext("Choose products from this clinic's catalogue."))
    return [NamedProduct(p.pk, p.name, frozenset(c.ingredient_code for c in p.components.all())) for p in (found[i] for i in ids)]


def formulation_context(
    consultation: Consultation, *, signoff: bool, consent_documented: bool, reasons: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> FormulationContext:
    """The patient's context as the formulation rules read it (issue 17): allergies, sex,
    pregnancy, breastfeeding, whether the patient can become pregnant with the dates contraception
    and a negative test were documented, the diagnosis and conditions, and the trichologist's
    written reasons (an override or an acknowledgement) keyed by issue code."""
    sex = consultation.patient.sex if consultation.patient.sex in ("female", "male") else None
    return FormulationContext(
        allergies=frozenset(consultation.allergy_ingredients),
        planning_conception=consultation.planning_conception,
        trichologist_signoff=signoff,
        consent_documented=consent_documented,
        sex=sex,
        pregnant=consultation.pregnant,
        breastfeeding=consultation.breastfeeding,
        able_to_become_pregnant=consultation.able_to_become_pregnant and sex != "male",
        contraception_documented_on=consultation.contraception_documented_on,
        negative_pregnancy_test_on=consultation.negative_pregnancy_test_on,
        diagnosis=consultation.diagnosis_primary or None,
        conditions=frozenset(consultation.condition_codes),
        today=today or timezone.localdate(),
        trichologist_reasons=dict(reasons or {}),
    )


def check_components(
    consultation: Consultation, components: Sequence[Component], *, signoff: bool, consent_documented: bool,
    product_ids: Sequence[int] = (), reasons: Mapping[str, str] | None = None,
) -> FormulationCheck:
    context = formulation_context(consultation, signoff=signoff, consent_documented=consent_documented, reasons=reasons)
    return check_formulation_for(consultation.clinic, components, context, named_products(consultation.clinic, product_ids))


def check_formulation_for(
    clinic: Clinic, components: Sequence[Component], context: FormulationContext, products: Sequence[NamedProduct] = ()
) -> FormulationCheck:
    return check_formulation(CoreFormulation(tuple(components)), context, protocol_for(clinic), products=products)


def save_formulation(
    actor: Actor,
    consultation: Consultation,
    components: Sequence[Component],
    *,
    author: User,
    signoff: bool,
    consent_documented: bool,
    notes: str = "",
    product_ids: Sequence[int] = (),
    reasons: Mapping[str, str] | None = None,
) -> Formulation:
    """Refuses (InvalidInput naming the component) anything the core calls an error. ``reasons``:
    the trichologist's written override or acknowledgement per issue code, kept in the
    formulation's warnings with the sign-off (issue 17)."""
    if not consultation.is_signed:
        raise InvalidInput.single("consultation", gettext("Sign the consultation before prescribing a formulation."))
    check = check_components(consultation, components, signoff=signoff, consent_documented=consent_documented,
                             product_ids=product_ids, reasons=reasons)
    errors = [i for i in check.issues if i.severity == IssueSeverity.ERROR]
    if errors:
        raise InvalidInput([FieldError(i.field, i.message) for i in errors])
    with transaction.atomic():
        formulation = Formulation(
            clinic=consultation.clinic,
            patient=consultation.patient,
            consultation=consultation,
            diagnosis=consultation.diagnosis_primary,
            created_by=author,
            drug_signoff_by=author if signoff else None,
            drug_consent_documented=consent_documented,
            total_volume_ml=check.total_volume_ml,
            notes=notes.strip(),
            warnings=[{"code": i.code, "message": i.message, "source": i.source} for i in check.issues],
        )
        formulation.save()
        FormulationComponent.objects.bulk_create(
            FormulationComponent(
                formulation=formulation, position=index, ingredient=c.ingredient, volume_ml=c.volume_ml,
                concentration=c.concentration, concentration_unit=CATALOGUE[c.ingredient].concentration_unit,
            )
            for index, c in enumerate(components)
        )
        if product_ids:
            formulation.products.set(list(dict.fromkeys(product_ids)))
        audit.append(
            actor, Action.CREATE, object_type="formulation", object_id=formulation.pk, patient_id=formulation.patient_id,
            changes={
                f"components[{i}]": {"old": None, "new": f"{c.ingredient} {c.volume_ml} mL at {c.concentration} {CATALOGUE[c.ingredient].concentration_unit}"}
                for i, c in enumerate(components)
            } | ({"drug_signoff": {"old": None, "new": author.username}} if signoff else {})
              | ({"products": {"old": None, "new": ", ".join(str(i) for i in dict.fromkeys(product_ids))}} if product_ids else {}),
        )
    return formulation


def list_formulations(actor: Actor, clinic: Clinic, *, patient_id: int | None = None, page: int = 1,
                      page_size: int = 25) -> Page[Formulation]:
    """Newest first; each formulation on the page audited as read."""
    records = Formulation.objects.filter(clinic=clinic).prefetch_related("components", "products")
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    return read_page(actor, "formulation", records.order_by("-created_at", "-id"), page, page_size)


def list_courses(actor: Actor, clinic: Clinic, *, patient_id: int | None = None, status: str | None = None, page: int = 1,
                 page_size: int = 25) -> Page[Course]:
    """Newest start first; each course on the page audited as read."""
    records = Course.objects.filter(clinic=clinic).select_related("clinic")
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if status is not None:
        records = records.filter(status=status)
    return read_page(actor, "course", records.order_by("-start_date", "-id"), page, page_size)


def get_formulation(actor: Actor, clinic: Clinic | None, formulation_id: int) -> Formulation:
    return audit.read_in_clinic(actor, clinic, Formulation.objects.select_related("patient", "consultation", "created_by"), formulation_id, "formulation")


# --- courses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseChoices:
    """What the clinician chose for a course, before planning."""

    start_date: dt.date
    intensive_sessions: int
    interval_days: int
    maintenance_sessions: int
    maintenance_interval_days: int
    combination: tuple[CombinationRequest, ...] = ()


def course_request(clinic: Clinic, choices: CourseChoices, completed: Sequence[SessionRecord] = (), missed: Sequence[SessionRecord] = ()) -> CourseRequest:
    stored = settings_for(clinic)
    return CourseRequest(
        start_date=choices.start_date,
        intensive_sessions=choices.intensive_sessions,
        interval_days=choices.interval_days,
        maintenance_sessions=choices.maintenance_sessions,
        maintenance_interval_days=choices.maintenance_interval_days,
        open_weekdays=frozenset(Weekday(d) for d in stored.open_weekdays),
        closed_dates=frozenset(closed_dates(clinic, choices.start_date - dt.timedelta(days=366), days=366 * 3)),
        completed=tuple(completed),
        missed=tuple(missed),
        combination=choices.combination,
    )


def preview_course(clinic: Clinic, choices: CourseChoices) -> CoursePlan:
    return plan_course(course_request(clinic, choices), protocol_for(clinic))


def _starts(day: dt.date, at: dt.time) -> dt.datetime:
    return scheduling.local_datetime(day, at)


def book_course(
    actor: Actor,
    patient: Patient,
    formulation: Formulation,
    choices: CourseChoices,
    *,
    practitioner: User,
    room: Room,
    session_time: dt.time,
    duration_minutes: int,
    author: User,
    today: dt.date,
) -> Course:
    """Plan with the core and book every session as an appointment: all of them, or none."""
    consultation, decision = booking_status(patient, today)
    if not decision.allowed or consultation is None:
        raise NotBookable(decision.reasons)
    if formulation.patient_id != patient.pk:
        raise InvalidInput.single("formulation", gettext("This formulation belongs to another patient."))
    if choices.start_date < today:
        raise InvalidInput.single("start_date", gettext("A course cannot start in the past."))
    return create_course(actor, consultation, formulation, choices, practitioner=practitioner, room=room,
                         session_time=session_time, duration_minutes=duration_minutes, author=author)


def create_course(
    actor: Actor,
    consultation: Consultation,
    formulation: Formulation,
    choices: CourseChoices,
    *,
    practitioner: User,
    room: Room,
    session_time: dt.time,
    duration_minutes: int,
    author: User,
) -> Course:
    """Plan and book, without the booking gate: for ``book_course`` and for importing past courses."""
    patient = consultation.patient
    plan = preview_course(patient.clinic, choices)
    with transaction.atomic():
        course = Course.objects.create(
            clinic=patient.clinic, patient=patient, consultation=consultation, formulation=formulation,
            # The course starts with its first session: the planner moves it off a closed day.
            start_date=plan.sessions[0].date if plan.sessions else choices.start_date, intensive_sessions=choices.intensive_sessions,
            interval_days=choices.interval_days, maintenance_sessions=choices.maintenance_sessions,
            maintenance_interval_days=choices.maintenance_interval_days, created_by=author,
            warnings=[{"code": w.code, "message": w.message} for w in plan.warnings],
        )
        for combo in choices.combination:
            CourseCombination.objects.create(course=course, therapy=combo.therapy, start_date=combo.start_date,
                                             interval_days=combo.interval_days, sessions=combo.sessions)
        for session in plan.sessions:
            _book(actor, course, Kind.MESOTHERAPY_SESSION, session.date, session.number, practitioner, room, session_time, duration_minutes)
        for extra in plan.combination:
            _book(actor, course, THERAPY_KIND[extra.therapy], extra.date, None, practitioner, room, session_time, duration_minutes)
        audit.append(
            actor, Action.CREATE, object_type="course", object_id=course.pk, patient_id=patient.pk,
            changes={
                "sessions": {"old": None, "new": ", ".join(s.date.isoformat() for s in plan.sessions)},
                "formulation": {"old": None, "new": str(formulation.pk)},
            },
        )
    return course


def _book(actor: Actor, course: Course, kind: str, day: dt.date, number: int | None, practitioner: User, room: Room,
          at: dt.time, duration_minutes: int) -> Appointment:
    try:
        return scheduling.book_appointment(
            actor, course.clinic, patient=course.patient, practitioner=practitioner, room=room, kind=kind,
            starts_at=_starts(day, at), duration_minutes=duration_minutes, course_id=course.pk, course_session_number=number,
        )
    except scheduling.BookingError as exc:
        label = gettext("session %(number)d") % {"number": number} if number else Kind(kind).label
        raise InvalidInput.single(exc.field or "session_time", gettext("%(what)s on %(day)s: %(problem)s") % {
            "what": label, "day": display.weekday_day(day), "problem": exc.message}) from exc


def course_appointments(course: Course) -> list[Appointment]:
    return list(Appointment.objects.filter(clinic=course.clinic, course_id=course.pk).select_related("practitioner", "room").order_by("starts_at"))


def appointments_by_course(clinic_id: int, course_ids: Sequence[int]) -> dict[int, list[Appointment]]:
    """Each of these courses' appointments in time order, in one query. Ordered by course first so
    that the (clinic, course, start) index both finds and orders them: ordered by start alone,
    SQLite prefers walking the clinic's diary in start order (appt_clinic_start)."""
    by_course: dict[int, list[Appointment]] = {pk: [] for pk in course_ids}
    for appointment in Appointment.objects.filter(clinic_id=clinic_id, course_id__in=list(by_course)).order_by("course_id", "starts_at", "id"):
        by_course[appointment.course_id].append(appointment)
    return by_course


def session_history(course: Course) -> tuple[list[SessionRecord], list[SessionRecord]]:
    """Completed and missed mesotherapy sessions, from the calendar, for the core's re-planning."""
    completed: list[SessionRecord] = []
    missed: list[SessionRecord] = []
    for appointment in course_appointments(course):
        if appointment.kind != Kind.MESOTHERAPY_SESSION or appointment.course_session_number is None:
            continue
        day = timezone.localtime(appointment.starts_at).date()
        if appointment.status == AppointmentStatus.COMPLETED:
            completed.append(SessionRecord(appointment.course_session_number, day))
        elif appointment.status == AppointmentStatus.NO_SHOW:
            missed.append(SessionRecord(appointment.course_session_number, day))
    completed.sort(key=lambda r: r.number)
    return completed, missed


def _choices_of(course: Course) -> CourseChoices:
    return CourseChoices(course.start_date, course.intensive_sessions, course.interval_days,
                         course.maintenance_sessions, course.maintenance_interval_days)


@dataclass(frozen=True)
class Replan:
    course: Course
    moved: Appointment
    plan: CoursePlan
    # (appointment, new date) for each booked session whose date would change.
    changes: tuple[tuple[Appointment, dt.date], ...]


def replan_after_move(course: Course, moved: Appointment) -> Replan:
    """The rest of the course re-planned by the core from the moved session's new date."""
    if moved.course_id != course.pk or moved.course_session_number is None:
        raise InvalidInput.single("appointment", gettext("This appointment is not a session of this course."))
    completed, missed = session_history(course)
    request = course_request(course.clinic, _choices_of(course), completed, missed)
    moved_day = timezone.localtime(moved.starts_at).date()
    plan = plan_course(request, protocol_for(course.clinic), moved=SessionRecord(moved.course_session_number, moved_day))
    planned = {s.number: s.date for s in plan.sessions}
    changes = []
    for appointment in course_appointments(course):
        number = appointment.course_session_number
        if appointment.kind != Kind.MESOTHERAPY_SESSION or number is None or appointment.status != AppointmentStatus.BOOKED:
            continue
        if number > moved.course_session_number and timezone.localtime(appointment.starts_at).date() != planned.get(number):
            changes.append((appointment, planned[number]))
    return Replan(course, moved, plan, tuple(changes))


def apply_replan(actor: Actor, replan: Replan) -> int:
    """Move every later session to its re-planned date (same time of day), all or nothing."""
    with transaction.atomic():
        for appointment, day in replan.changes:
            local = timezone.localtime(appointment.starts_at)
            try:
                scheduling.move_appointment(actor, appointment, starts_at=_starts(day, local.time()))
            except scheduling.BookingError as exc:
                raise InvalidInput.single("appointment", gettext("%(what)s on %(day)s: %(problem)s") % {
                    "what": gettext("session %(number)d") % {"number": appointment.course_session_number},
                    "day": display.weekday_day(day), "problem": exc.message}) from exc
        audit.append(actor, Action.UPDATE, object_type="course", object_id=replan.course.pk, patient_id=replan.course.patient_id,
                     changes={f"session {a.course_session_number}": {"old": timezone.localtime(a.starts_at).date().isoformat(), "new": d.isoformat()}
                              for a, d in replan.changes})
    return len(replan.changes)


def follow_first_session(actor: Actor, appointment: Appointment) -> Course | None:
    """The course of ``appointment`` (its session 1, just moved) starts on its new date; audited.
    Runs inside the move's transaction: both or neither."""
    course = Course.objects.select_for_update().filter(pk=appointment.course_id, clinic_id=appointment.clinic_id).first()
    if course is None:
        return None
    day = timezone.localtime(appointment.starts_at).date()
    if course.start_date != day:
        before = course.start_date
        course.start_date = day
        course.save(update_fields=["start_date"])
        audit.append(actor, Action.UPDATE, object_type="course", object_id=course.pk, patient_id=course.patient_id,
                     changes={"start_date": {"old": before.isoformat(), "new": day.isoformat()}})
    return course


def get_course(actor: Actor, clinic: Clinic | None, course_id: int) -> Course:
    return audit.read_in_clinic(actor, clinic, Course.objects.select_related("patient", "formulation", "consultation"), course_id, "course")


def default_choices(clinic: Clinic, start: dt.date) -> dict[str, Any]:
    stored = settings_for(clinic)
    return {
        "start_date": start,
        "intensive_sessions": stored.intensive_sessions,
        "interval_days": stored.interval_days,
        "maintenance_sessions": stored.maintenance_sessions,
        "maintenance_interval_days": stored.maintenance_interval_days,
        "duration_minutes": stored.session_minutes,
        "session_time": dt.time(10, 0),
    }


def volume_limit_ml(clinic: Clinic) -> Decimal:
    return protocol_for(clinic).max_session_volume_ml


