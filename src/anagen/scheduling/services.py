"""Use cases of the clinic calendar. Each write is one transaction with its audit entry.

The friendly overlap check runs before the insert so the user reads which practitioner, room or
patient is taken and when; the unique constraints on the slot-hold tables are the real guard against two
bookings committing at once (see anagen.scheduling.models).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, Role, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.core import display
from anagen.core.errors import Duplicate, FieldError, InvalidInput, NotFound, Refused, StaleWrite
from anagen.patients.models import Patient
from anagen.scheduling import signals
from anagen.scheduling.models import (
    DEFAULT_DURATION_MINUTES,
    HOLDING_STATUSES,
    SLOT,
    SLOT_MINUTES,
    Appointment,
    AppointmentDuration,
    Kind,
    PatientSlot,
    PractitionerSlot,
    Room,
    RoomSlot,
    Status,
)

BOOKABLE_ROLES = (Role.PRACTITIONER, Role.TRICHOLOGIST)
MAX_DURATION_MINUTES = 8 * 60
# The fields an appointment's audit entries describe (ids, times and non-clinical notes).
AUDITED_FIELDS = (
    "patient_id",
    "practitioner_id",
    "room_id",
    "kind",
    "starts_at",
    "ends_at",
    "status",
    "status_reason",
    "course_id",
    "course_session_number",
    "notes",
)


class BookingError(Refused):
    """A booking, move or status change that cannot be made; ``field`` names the culprit input."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message, field)


class SlotTaken(BookingError):
    """The practitioner (field "practitioner") or room (field "room") is already booked."""

    kind = "slot-taken"


class PatientBusy(SlotTaken):
    """The patient already has an appointment at that time (field "patient")."""


# ---------------------------------------------------------------------------------------- time


def clinic_zone() -> tzinfo:
    """The clinic's zone: settings.TIME_ZONE (Asia/Kolkata by default)."""
    return timezone.get_default_timezone()


def local_datetime(day: date, at: time) -> datetime:
    """A clinic-local date and wall-clock time as an aware datetime."""
    return datetime.combine(day, at).replace(tzinfo=clinic_zone())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = local_datetime(day, time(0, 0))
    return start, local_datetime(day + timedelta(days=1), time(0, 0))


def week_start(day: date) -> date:
    """The Monday of the week containing ``day``."""
    return day - timedelta(days=day.weekday())


def is_on_slot_boundary(moment: datetime) -> bool:
    local = timezone.localtime(moment, clinic_zone())
    return local.minute % SLOT_MINUTES == 0 and local.second == 0 and local.microsecond == 0


def slot_units(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The 15-minute units an appointment covers, as UTC datetimes."""
    units = []
    moment = starts_at.astimezone(UTC)
    end = ends_at.astimezone(UTC)
    while moment < end:
        units.append(moment)
        moment += SLOT
    return units


def _hhmm(moment: datetime) -> str:
    return display.clock(timezone.localtime(moment, clinic_zone()))


def _span(appointment: Appointment) -> str:
    local = timezone.localtime(appointment.starts_at, clinic_zone())
    return gettext("%(day)s from %(start)s to %(end)s") % {
        "day": display.day(local.date()), "start": _hhmm(appointment.starts_at), "end": _hhmm(appointment.ends_at)}


# ------------------------------------------------------------------------------------- lookups


def bookable_practitioners(clinic: Clinic) -> QuerySet[User]:
    return User.objects.filter(clinic=clinic, is_active=True, role__in=BOOKABLE_ROLES).order_by("first_name", "last_name", "id")


def active_rooms(clinic: Clinic) -> QuerySet[Room]:
    return Room.objects.filter(clinic=clinic, active=True)


def _resolve_patient(clinic: Clinic, patient: Patient | int) -> Patient:
    patient_id = patient.pk if isinstance(patient, Patient) else patient
    found = Patient.objects.filter(pk=patient_id, clinic=clinic).first()
    if found is None:
        raise BookingError("patient", gettext("This patient is not on this clinic's register."))
    return found


def _resolve_practitioner(clinic: Clinic, practitioner: User | int) -> User:
    user_id = practitioner.pk if isinstance(practitioner, User) else practitioner
    found = bookable_practitioners(clinic).filter(pk=user_id).first()
    if found is None:
        raise BookingError("practitioner", gettext("Choose an active practitioner or trichologist of this clinic."))
    return found


def _resolve_room(clinic: Clinic, room: Room | int) -> Room:
    room_id = room.pk if isinstance(room, Room) else room
    found = active_rooms(clinic).filter(pk=room_id).first()
    if found is None:
        raise BookingError("room", gettext("Choose an active room of this clinic."))
    return found


def _check_times(starts_at: datetime, duration_minutes: int) -> datetime:
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        raise BookingError("starts_at", gettext("The start time must be a date and time with its time zone."))
    if not isinstance(duration_minutes, int) or duration_minutes <= 0:
        raise BookingError("duration_minutes", gettext("The appointment must end after it starts: the duration must be at least 15 minutes."))
    if duration_minutes % SLOT_MINUTES:
        raise BookingError("duration_minutes", gettext("Durations come in 15-minute steps (15, 30, 45, 60 …)."))
    if duration_minutes > MAX_DURATION_MINUTES:
        raise BookingError("duration_minutes", gettext("An appointment can last at most 8 hours."))
    if not is_on_slot_boundary(starts_at):
        raise BookingError("starts_at", gettext("Appointments start on the quarter hour (e.g. 10:00, 10:15, 10:30 or 10:45)."))
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    local_start = timezone.localtime(starts_at, clinic_zone())
    if ends_at > day_bounds(local_start.date())[1]:
        raise BookingError("duration_minutes", gettext("The appointment must end by midnight of the day it starts."))
    return ends_at


# ---------------------------------------------------------------------------------- slot holds


def _conflict(model: Any, field: str, resource_id: int, units: list[datetime], exclude_id: int | None) -> Appointment | None:
    holds = model.objects.filter(**{f"{field}_id": resource_id, "slot_start__in": units})
    if exclude_id is not None:
        holds = holds.exclude(appointment_id=exclude_id)
    hold = holds.select_related("appointment").order_by("slot_start").first()
    return hold.appointment if hold is not None else None


def _refusal(field: str, resource: User | Room, other: Appointment | None) -> SlotTaken:
    if field == "practitioner":
        if other is None:
            message = gettext("%(practitioner)s is already booked at that time. Choose another time or practitioner.")
        else:
            message = gettext("%(practitioner)s is already booked on %(span)s. Choose another time or practitioner.")
        return SlotTaken("practitioner", message % {"practitioner": resource, "span": _span(other) if other else ""})
    if other is None:
        message = gettext("%(room)s is already in use at that time. Choose another time or room.")
    else:
        message = gettext("%(room)s is already in use on %(span)s. Choose another time or room.")
    return SlotTaken("room", message % {"room": resource, "span": _span(other) if other else ""})


def _check_free(practitioner: User, room: Room, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None,
                *, patient_id: int) -> None:
    units = slot_units(starts_at, ends_at)
    # The patient first: a double click, a back and re-submit or a second desk repeats a booking
    # whole, and the desk needs to hear that this patient is already booked, not that the room is.
    other = _conflict(PatientSlot, "patient", patient_id, units, exclude_id)
    if other is not None:
        raise _patient_refusal(other.patient, other, starts_at)
    other = _conflict(PractitionerSlot, "practitioner", practitioner.pk, units, exclude_id)
    if other is not None:
        raise _refusal("practitioner", practitioner, other)
    other = _conflict(RoomSlot, "room", room.pk, units, exclude_id)
    if other is not None:
        raise _refusal("room", room, other)


def _patient_refusal(patient: Patient, other: Appointment | None, starts_at: datetime) -> PatientBusy:
    """One patient, one place at a time: a second booking that overlaps one the patient already
    has (a double click, a back and re-submit, two desks) says what exists instead of booking it."""
    if other is None:  # the database's unique slot hold refused it (a concurrent booking)
        return PatientBusy("patient", gettext("%(name)s is already booked at that time. Choose another time.") % {"name": patient.full_name})
    local = timezone.localtime(other.starts_at, clinic_zone())
    if local.date() == timezone.localtime(starts_at, clinic_zone()).date():
        when = gettext("at %(time)s") % {"time": _hhmm(other.starts_at)}
    else:
        when = gettext("on %(day)s at %(time)s") % {"day": display.day(local.date()), "time": _hhmm(other.starts_at)}
    return PatientBusy("patient", gettext("%(name)s is already booked %(when)s (%(kind)s with %(practitioner)s). Choose another time.") % {
        "name": patient.full_name, "when": when, "kind": other.get_kind_display().lower(), "practitioner": other.practitioner})


def times_free_on_every_day(
    days: Iterable[date],
    duration_minutes: int,
    *,
    opens: time,
    closes: time,
    practitioner: User,
    room: Room,
    patient: Patient | None = None,
    now: datetime | None = None,
) -> list[time]:
    """The times of day (on the quarter hour, within the opening hours) at which the practitioner,
    the room and the patient are all free for the whole appointment on every one of ``days``, and
    which are not past: the start times a course booked at one time of day can take (issue 20).
    Three queries, whatever the number of days."""
    days = sorted(set(days))
    if not days or duration_minutes <= 0:
        return []
    spans = Q()
    for day in days:
        start_of_day, end_of_day = day_bounds(day)
        spans |= Q(slot_start__gte=start_of_day, slot_start__lt=end_of_day)
    busy = set(PractitionerSlot.objects.filter(spans, practitioner=practitioner).values_list("slot_start", flat=True))
    busy |= set(RoomSlot.objects.filter(spans, room=room).values_list("slot_start", flat=True))
    if patient is not None:
        busy |= set(PatientSlot.objects.filter(spans, patient=patient).values_list("slot_start", flat=True))
    earliest = now or timezone.now()
    length = timedelta(minutes=duration_minutes)
    free = []
    moment = datetime.combine(days[0], opens)
    last = datetime.combine(days[0], closes) - length
    while moment <= last:
        at = moment.time()
        starts = [local_datetime(day, at) for day in days]
        if starts[0] >= earliest and not any(u in busy for start in starts for u in slot_units(start, start + length)):
            free.append(at)
        moment += SLOT
    return free


def free_starts(
    clinic: Clinic,
    day: date,
    duration_minutes: int,
    *,
    opens: time,
    closes: time,
    practitioner: User | None = None,
    now: datetime | None = None,
    limit: int = 8,
    patient_id: int | None = None,
    ignore_appointment_id: int | None = None,
) -> list[tuple[datetime, User, Room]]:
    """The first free starts on ``day`` for an appointment of this length: a practitioner (the
    one given, else any bookable one) and a room both free for its whole length, within the
    opening hours and not in the past. Two queries, whatever the diary holds; a third with
    ``patient_id``, whose own bookings are then left out too. ``ignore_appointment_id``: an
    appointment about to move, whose own time counts as free."""
    return free_starts_each_day(clinic, {day: (opens, closes)}, duration_minutes, practitioner=practitioner, now=now, limit=limit,
                                patient_id=patient_id, ignore_appointment_id=ignore_appointment_id)[day]


def free_starts_each_day(
    clinic: Clinic,
    hours: dict[date, tuple[time, time]],
    duration_minutes: int,
    *,
    practitioner: User | None = None,
    now: datetime | None = None,
    limit: int = 8,
    patient_id: int | None = None,
    ignore_appointment_id: int | None = None,
) -> dict[date, list[tuple[datetime, User, Room]]]:
    """``free_starts`` on each of several days (``hours``: each day's opening and closing time), in
    the same number of queries as for one day: the slot holds of the whole span are read at once
    (the portal's move page offers up to four weeks; it read them day by day, ~100 queries)."""
    found: dict[date, list[tuple[datetime, User, Room]]] = {day: [] for day in hours}
    if not hours:
        return found
    people = [practitioner] if practitioner is not None else list(bookable_practitioners(clinic))
    rooms = list(active_rooms(clinic).order_by("name", "id"))
    if not people or not rooms:
        return found
    span_start, span_end = day_bounds(min(hours))[0], day_bounds(max(hours))[1]

    def held(model: Any, **lookup: Any) -> Any:
        rows = model.objects.filter(slot_start__gte=span_start, slot_start__lt=span_end, **lookup)
        return rows.exclude(appointment_id=ignore_appointment_id) if ignore_appointment_id is not None else rows

    busy_people = set(held(PractitionerSlot, practitioner__in=people).values_list("practitioner_id", "slot_start"))
    busy_rooms = set(held(RoomSlot, room__in=rooms).values_list("room_id", "slot_start"))
    busy_patient = set(held(PatientSlot, patient_id=patient_id).values_list("slot_start", flat=True)) if patient_id is not None else set()
    earliest = now or timezone.now()
    length = timedelta(minutes=duration_minutes)
    for day, (opens, closes) in sorted(hours.items()):
        moment = local_datetime(day, opens)
        last = local_datetime(day, closes) - length
        on_day = found[day]
        while moment <= last and len(on_day) < limit:
            units = slot_units(moment, moment + length)
            if moment >= earliest and not any(u in busy_patient for u in units):
                for person in people:
                    if any((person.pk, u) in busy_people for u in units):
                        continue
                    room = next((r for r in rooms if not any((r.pk, u) in busy_rooms for u in units)), None)
                    if room is not None:
                        on_day.append((moment, person, room))
                        break
            moment += SLOT
    return found


def _hold_slots(appointment: Appointment) -> None:
    """Write the slot holds; a unique-constraint violation is the database refusing a double booking."""
    units = slot_units(appointment.starts_at, appointment.ends_at)
    try:
        with transaction.atomic():
            PractitionerSlot.objects.bulk_create(
                [PractitionerSlot(practitioner_id=appointment.practitioner_id, slot_start=u, appointment=appointment) for u in units]
            )
    except IntegrityError as exc:
        raise _refusal("practitioner", appointment.practitioner, None) from exc
    try:
        with transaction.atomic():
            RoomSlot.objects.bulk_create([RoomSlot(room_id=appointment.room_id, slot_start=u, appointment=appointment) for u in units])
    except IntegrityError as exc:
        raise _refusal("room", appointment.room, None) from exc
    try:
        with transaction.atomic():
            PatientSlot.objects.bulk_create([PatientSlot(patient_id=appointment.patient_id, slot_start=u, appointment=appointment) for u in units])
    except IntegrityError as exc:
        raise _patient_refusal(appointment.patient, None, appointment.starts_at) from exc


def _release_slots(appointment: Appointment) -> None:
    PractitionerSlot.objects.filter(appointment=appointment).delete()
    RoomSlot.objects.filter(appointment=appointment).delete()
    PatientSlot.objects.filter(appointment=appointment).delete()


def _values(appointment: Appointment) -> dict[str, Any]:
    return {field: getattr(appointment, field) for field in AUDITED_FIELDS}


def _audit_update(actor: Actor, appointment: Appointment, before: dict[str, Any]) -> None:
    audit.append(
        actor,
        Action.UPDATE,
        object_type="appointment",
        object_id=appointment.pk,
        patient_id=appointment.patient_id,
        changes=audit.diff(before, _values(appointment)),
    )


def _locked(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().select_related("practitioner", "room", "patient").get(pk=appointment.pk)


# ------------------------------------------------------------------------------------ use cases


def book_appointment(
    actor: Actor,
    clinic: Clinic,
    *,
    patient: Patient | int,
    practitioner: User | int,
    room: Room | int,
    kind: str,
    starts_at: datetime,
    duration_minutes: int,
    course_id: int | None = None,
    course_session_number: int | None = None,
    notes: str = "",
) -> Appointment:
    """Book an appointment, or raise BookingError / SlotTaken naming the field at fault."""
    if kind not in Kind.values:
        raise BookingError("kind", gettext("Choose an appointment type."))
    ends_at = _check_times(starts_at, duration_minutes)
    if course_session_number is not None and course_session_number < 1:
        raise BookingError("course_session_number", gettext("Session numbers start at 1."))
    with transaction.atomic():
        the_patient = _resolve_patient(clinic, patient)
        the_practitioner = _resolve_practitioner(clinic, practitioner)
        the_room = _resolve_room(clinic, room)
        _check_free(the_practitioner, the_room, starts_at, ends_at, patient_id=the_patient.pk)
        appointment = Appointment.objects.create(
            clinic=clinic,
            patient=the_patient,
            practitioner=the_practitioner,
            room=the_room,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            status=Status.BOOKED,
            course_id=course_id,
            course_session_number=course_session_number,
            notes=(notes or "").strip(),
            created_by_id=actor.user_id,
        )
        _hold_slots(appointment)
        audit.append(
            actor,
            Action.CREATE,
            object_type="appointment",
            object_id=appointment.pk,
            patient_id=the_patient.pk,
            changes=audit.snapshot_created(_values(appointment)),
        )
    return appointment


def move_appointment(
    actor: Actor,
    appointment: Appointment,
    *,
    starts_at: datetime,
    practitioner: User | int | None = None,
    room: Room | int | None = None,
    expected_version: int | None = None,
    duration_minutes: int | None = None,
) -> Appointment:
    """Reschedule a booked appointment (and optionally change practitioner or room); returns it.

    Keeps the duration unless ``duration_minutes`` is given. The caller (the view) offers to
    re-plan the rest of the course when the appointment belongs to one (``course_id``).
    """
    with transaction.atomic():
        current = _locked(appointment)
        if expected_version is not None and current.version != expected_version:
            raise StaleWrite(gettext("Someone else changed this appointment while you were editing it. Reload the page to see their changes."))
        if current.status != Status.BOOKED:
            raise BookingError(None, gettext("Only a booked appointment can be moved; this one is %(status)s.") % {"status": current.get_status_display().lower()})
        ends_at = _check_times(starts_at, duration_minutes if duration_minutes is not None else current.duration_minutes)
        new_practitioner = _resolve_practitioner(current.clinic, practitioner) if practitioner is not None else current.practitioner
        new_room = _resolve_room(current.clinic, room) if room is not None else current.room
        before = _values(current)
        _check_free(new_practitioner, new_room, starts_at, ends_at, exclude_id=current.pk, patient_id=current.patient_id)
        _release_slots(current)
        current.practitioner, current.room = new_practitioner, new_room
        current.starts_at, current.ends_at = starts_at, ends_at
        current.version += 1
        current.save()
        _hold_slots(current)
        _audit_update(actor, current, before)
        signals.appointment_moved.send(sender=Appointment, appointment=current, actor=actor)
    return current


def link_to_course(actor: Actor, appointment: Appointment, *, course_id: int, session_number: int, reason: str) -> Appointment:
    """A stand-alone appointment is given as session ``session_number`` of a course (the nurse
    said which): it takes the course's place, and the course's own booking for that session is
    cancelled with ``reason``, so the course counts it once and the next session is the next one.
    The caller has checked that the course is the patient's."""
    with transaction.atomic():
        current = _locked(appointment)
        if current.course_id is not None:
            raise BookingError("course_session", gettext("This appointment already belongs to a course."))
        before = _values(current)
        current.course_id, current.course_session_number = course_id, session_number
        current.version += 1
        current.save()
        _audit_update(actor, current, before)
        for other in Appointment.objects.filter(clinic=current.clinic, course_id=course_id, course_session_number=session_number,
                                                status=Status.BOOKED).exclude(pk=current.pk):
            cancel_appointment(actor, other, reason)
    return current


def _set_status(actor: Actor, appointment: Appointment, *, status: str, allowed_from: Iterable[str], reason: str = "", now: datetime | None = None) -> Appointment:
    with transaction.atomic():
        current = _locked(appointment)
        if current.status not in allowed_from:
            raise BookingError(None, gettext("This appointment is %(status)s; it cannot be marked %(new_status)s.") % {
                "status": current.get_status_display().lower(), "new_status": Status(status).label.lower()})
        moment = now or timezone.now()
        later_day = timezone.localtime(current.starts_at, clinic_zone()).date() > timezone.localtime(moment, clinic_zone()).date()
        if status in (Status.ARRIVED, Status.IN_CHAIR, Status.NO_SHOW, Status.COMPLETED) and later_day:
            raise BookingError(None, gettext("This appointment is on a later day; it cannot be marked %(new_status)s yet.") % {
                "new_status": Status(status).label.lower()})
        before = _values(current)
        current.status = status
        current.status_reason = reason
        current.version += 1
        current.save()
        if status not in HOLDING_STATUSES:
            _release_slots(current)
        _audit_update(actor, current, before)
    return current


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise BookingError("reason", gettext("Give a reason."))
    if len(text) > 200:
        raise BookingError("reason", gettext("Keep the reason under 200 characters."))
    return text


def cancel_appointment(actor: Actor, appointment: Appointment, reason: str) -> Appointment:
    """Cancel a booked (or arrived) appointment with a reason; frees its practitioner and room.
    The apps above hear of it in the same transaction (``signals.appointment_cancelled``)."""
    with transaction.atomic():
        cancelled = _set_status(actor, appointment, status=Status.CANCELLED, allowed_from=(Status.BOOKED, Status.ARRIVED),
                                reason=_reason(reason))
        signals.appointment_cancelled.send(sender=Appointment, appointment=cancelled, actor=actor)
    return cancelled


def mark_no_show(actor: Actor, appointment: Appointment, reason: str, *, now: datetime | None = None) -> Appointment:
    """The patient did not come: needs a reason; frees the slot. Not before the appointment's day."""
    return _set_status(actor, appointment, status=Status.NO_SHOW, allowed_from=(Status.BOOKED,), reason=_reason(reason), now=now)


def mark_arrived(actor: Actor, appointment: Appointment, *, now: datetime | None = None) -> Appointment:
    """The patient is at the front desk. Not before the appointment's day."""
    return _set_status(actor, appointment, status=Status.ARRIVED, allowed_from=(Status.BOOKED,), now=now)


def mark_in_chair(actor: Actor, appointment: Appointment, *, now: datetime | None = None) -> Appointment:
    """The session or consultation begins. From booked too: the nurse who starts the session of a
    patient reception has not marked yet marks the arrival with it."""
    if appointment.status == Status.BOOKED:
        appointment = mark_arrived(actor, appointment, now=now)
    return _set_status(actor, appointment, status=Status.IN_CHAIR, allowed_from=(Status.ARRIVED,), now=now)


def mark_completed(actor: Actor, appointment: Appointment, *, now: datetime | None = None) -> Appointment:
    """The visit took place (the session record itself belongs to the treatments app)."""
    return _set_status(actor, appointment, status=Status.COMPLETED, allowed_from=(Status.ARRIVED, Status.IN_CHAIR), now=now)


# ------------------------------------------------------------------------------------- queries


def _between(clinic: Clinic, start: datetime, end: datetime, practitioner: User | int | None, room: Room | int | None) -> list[Appointment]:
    qs = Appointment.objects.filter(clinic=clinic, starts_at__lt=end, ends_at__gt=start)
    if practitioner is not None:
        qs = qs.filter(practitioner_id=practitioner.pk if isinstance(practitioner, User) else practitioner)
    if room is not None:
        qs = qs.filter(room_id=room.pk if isinstance(room, Room) else room)
    return list(qs.select_related("patient", "practitioner", "room").order_by("starts_at", "id"))


def appointments_for_day(clinic: Clinic, day: date, practitioner: User | int | None = None, room: Room | int | None = None) -> list[Appointment]:
    """Every appointment (any status) on a clinic-local day, by start time."""
    start, end = day_bounds(day)
    return _between(clinic, start, end, practitioner, room)


def appointments_for_week(clinic: Clinic, day: date, practitioner: User | int | None = None, room: Room | int | None = None) -> list[Appointment]:
    """Every appointment (any status) in the Monday-to-Sunday week containing ``day``."""
    monday = week_start(day)
    return _between(clinic, day_bounds(monday)[0], day_bounds(monday + timedelta(days=6))[1], practitioner, room)


def upcoming_for_patient(clinic: Clinic, patient: Patient | int, *, now: datetime | None = None) -> list[Appointment]:
    """The patient's booked or arrived appointments that have not ended yet."""
    patient_id = patient.pk if isinstance(patient, Patient) else patient
    return list(
        Appointment.objects.filter(
            clinic=clinic, patient_id=patient_id, status__in=(Status.BOOKED, Status.ARRIVED, Status.IN_CHAIR), ends_at__gt=now or timezone.now()
        )
        .select_related("practitioner", "room")
        .order_by("starts_at", "id")
    )


def get_appointment(clinic: Clinic | None, appointment_id: int) -> Appointment:
    """The appointment if it belongs to this clinic, else 404: other clinics' ids do not exist."""
    if clinic is None:
        raise NotFound
    found = Appointment.objects.select_related("patient", "practitioner", "room").filter(pk=appointment_id, clinic=clinic).first()
    if found is None:
        raise NotFound
    return found


def read_appointment(actor: Actor, clinic: Clinic | None, appointment_id: int) -> Appointment:
    """``get_appointment``, audited as a read of the patient's record."""
    appointment = get_appointment(clinic, appointment_id)
    audit.record_read(actor, "appointment", appointment.pk, appointment.patient_id)
    return appointment


def list_appointments(actor: Actor, clinic: Clinic, *, view: str, date_from: date | None = None, date_to: date | None = None,
                      patient_id: int | None = None, practitioner_id: int | None = None, room_id: int | None = None,
                      status: str | None = None, kind: str | None = None, page: int = 1,
                      page_size: int = 25) -> Page[Appointment]:
    """By start time, then id; ``date_from``/``date_to`` are clinic-local days (inclusive). The page
    is audited as a calendar read (``view`` names it)."""
    records = Appointment.objects.filter(clinic=clinic)
    if date_from is not None:
        records = records.filter(starts_at__gte=day_bounds(date_from)[0])
    if date_to is not None:
        records = records.filter(starts_at__lt=day_bounds(date_to)[1])
    for name, value in (("patient_id", patient_id), ("practitioner_id", practitioner_id), ("room_id", room_id),
                        ("status", status), ("kind", kind)):
        if value is not None:
            records = records.filter(**{name: value})
    found = page_of_query(records.order_by("starts_at", "id"), page, page_size)
    record_calendar_read(actor, view, found.items)
    return found


def record_calendar_read(actor: Actor, view: str, appointments: list[Appointment]) -> None:
    """A calendar page shows patients' names: one audit entry naming every patient on it."""
    patient_ids = sorted({a.patient_id for a in appointments})
    if not patient_ids:
        return
    audit.append(actor, Action.READ, object_type="calendar", object_id=view, patient_id=None, changes={"patient_ids": patient_ids})


# ---------------------------------------------------------------------------------------- rooms


def list_rooms(clinic: Clinic, *, page: int = 1, page_size: int = 25) -> Page[Room]:
    """Active rooms first, then by name."""
    return page_of_query(Room.objects.filter(clinic=clinic).order_by("-active", "name", "id"), page, page_size)


class RoomNameTaken(Duplicate):
    kind = "duplicate-name"
    default_message = "This clinic already has a room with this name."


def create_room(clinic: Clinic, name: str, *, actor: Actor | None = None) -> Room:
    """A new room; audited when a person adds it (``actor``; seeding and provisioning pass none)."""
    name = name.strip()
    if Room.objects.filter(clinic=clinic, name__iexact=name).exists():
        raise RoomNameTaken()
    try:
        with transaction.atomic():
            room = Room.objects.create(clinic=clinic, name=name)
            if actor is not None:
                audit.append(actor, Action.CREATE, object_type="room", object_id=room.pk, patient_id=None,
                             changes=audit.snapshot_created({"name": name}))
            return room
    except IntegrityError as exc:
        raise RoomNameTaken() from exc


def set_room_active(room: Room, active: bool, *, actor: Actor | None = None) -> Room:
    """Deactivating a room keeps its appointments; it is no longer offered for new bookings."""
    with transaction.atomic():
        Room.objects.filter(pk=room.pk).update(active=active)
        if actor is not None and room.active != active:
            audit.append(actor, Action.UPDATE, object_type="room", object_id=room.pk, patient_id=None,
                         changes={"active": {"old": room.active, "new": active}})
    room.active = active
    return room


# --- appointment types and their durations (clinic set-up) --------------------------------------


def durations_for(clinic: Clinic) -> dict[str, int]:
    """Minutes per appointment type: the clinic's own, else the default."""
    stored = dict(AppointmentDuration.objects.filter(clinic=clinic).values_list("kind", "minutes"))
    return {kind.value: stored.get(kind.value, DEFAULT_DURATION_MINUTES[kind]) for kind in Kind}


def save_durations(actor: Actor, clinic: Clinic, minutes_by_kind: dict[str, int]) -> dict[str, int]:
    """Each type's length, in whole slots, between one slot and MAX_DURATION_MINUTES; audited."""
    errors = []
    for kind, minutes in minutes_by_kind.items():
        if kind not in Kind.values:
            errors.append(FieldError(kind, gettext("Unknown appointment type.")))
        elif not SLOT_MINUTES <= minutes <= MAX_DURATION_MINUTES or minutes % SLOT_MINUTES:
            errors.append(FieldError(kind, gettext("Use %(min)d to %(max)d minutes in steps of %(step)d.") % {
                "min": SLOT_MINUTES, "max": MAX_DURATION_MINUTES, "step": SLOT_MINUTES}))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        before = durations_for(clinic)
        for kind, minutes in minutes_by_kind.items():
            AppointmentDuration.objects.update_or_create(clinic=clinic, kind=kind, defaults={"minutes": minutes})
        after = durations_for(clinic)
        changes = audit.diff(before, after)
        if changes:
            audit.append(actor, "update", object_type="appointment_durations", object_id=clinic.pk, patient_id=None, changes=changes)
    return after
