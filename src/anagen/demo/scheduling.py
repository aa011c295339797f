"""Demo seed for the calendar: three rooms and a realistic week of appointments around today.

Runs in ``anagen.demo.seed.SEEDERS`` before the programme (whose courses book its rooms); booked
through the product's own services, so the slot holds and the audit trail are exactly as in real use.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from anagen.audit.services import Actor
from anagen.scheduling import services
from anagen.scheduling.models import Kind

ROOM_NAMES = ["Procedure room 1", "Procedure room 2", "Consultation room"]

# (start, kind, minutes, room index): the trichologist's day in the consultation room, with a PRF
# in procedure room 2; the practitioner's sessions in procedure room 1.
DOCTOR_DAY = [
    (time(10, 0), Kind.CONSULTATION, 45, 2),
    (time(11, 0), Kind.REVIEW, 30, 2),
    (time(11, 30), Kind.CONSULTATION, 45, 2),
    (time(12, 30), Kind.REVIEW, 30, 2),
    (time(14, 30), Kind.CONSULTATION, 45, 2),
    (time(16, 0), Kind.PRF, 60, 1),
    (time(17, 30), Kind.REVIEW, 30, 2),
]
NURSE_DAY = [
    (time(10, 0), Kind.MESOTHERAPY_SESSION, 60, 0),
    (time(11, 15), Kind.MESOTHERAPY_SESSION, 60, 0),
    (time(12, 30), Kind.PEPTIDE_THERAPY, 45, 0),
    (time(14, 30), Kind.MESOTHERAPY_SESSION, 60, 0),
    (time(15, 45), Kind.EXOSOMES, 45, 0),
    (time(17, 0), Kind.MESOTHERAPY_SESSION, 60, 0),
]
NOTES = ["", "", "", "Prefers a reminder call the evening before.", "Coming from Thane: may be 10 minutes late.", "Asked for a female staff member.", "Pays by UPI."]


def _book_a_free_patient(actor: Actor, clinic: Any, rng: Any, patients: list[Any], **booking: Any) -> Any:
    """A random patient who is not elsewhere at that time (a patient holds one appointment at once)."""
    for _attempt in range(5):
        try:
            return services.book_appointment(actor, clinic, patient=rng.choice(patients), **booking)
        except services.SlotTaken as exc:
            if exc.field != "patient":
                raise
    return None


def seed_calendar(ctx: Any) -> None:
    clinic = ctx.clinic
    actor = Actor.system("demo-seed", clinic.pk)
    rooms = [services.create_room(clinic, name) for name in ROOM_NAMES]
    services.create_room(ctx.branch, "Treatment room")
    if not ctx.patients:
        return
    rng = ctx.rng
    doctor, nurse = ctx.staff["doctor"], ctx.staff["nurse"]
    patients = list(ctx.patients)
    cancelled = no_show = 0
    for offset in range(-3, 5):
        day = ctx.today + timedelta(days=offset)
        if day.weekday() == 6:  # closed on Sundays
            continue
        for practitioner, plan in ((doctor, DOCTOR_DAY), (nurse, NURSE_DAY)):
            for start, kind, minutes, room_index in plan:
                if rng.random() < 0.3:
                    continue
                appointment = _book_a_free_patient(
                    actor, clinic, rng, patients, practitioner=practitioner, room=rooms[room_index],
                    kind=kind, starts_at=services.local_datetime(day, start), duration_minutes=minutes,
                    notes=rng.choice(NOTES),
                )
                if appointment is None:
                    continue
                if offset >= 0:
                    continue
                after = appointment.ends_at
                roll = rng.random()
                if roll < 0.08 or (cancelled == 0 and offset == -1):
                    services.cancel_appointment(actor, appointment, rng.choice(["Patient rescheduled by phone", "Travelling for work", "Unwell: will call to rebook"]))
                    cancelled += 1
                elif roll < 0.14 or (no_show == 0 and offset == -1):
                    services.mark_no_show(actor, appointment, "Did not come; two calls unanswered", now=after)
                    no_show += 1
                else:
                    services.mark_arrived(actor, appointment, now=after)
                    services.mark_completed(actor, appointment, now=after)
