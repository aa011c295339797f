"""The clinic calendar: rooms, appointments, and the slot holds that make double booking impossible.

Exclusivity lives in the database, portably (SQLite and PostgreSQL alike): every active
appointment owns one ``PractitionerSlot``, one ``RoomSlot`` and one ``PatientSlot`` row per
15-minute unit it covers, and each table has a unique constraint on (resource, slot_start). The
holds are written in the same transaction as the appointment and deleted when it is cancelled,
marked a no-show or moved, so two overlapping bookings of one practitioner, one room or one
patient can never both commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient

SLOT_MINUTES = 15
SLOT = timedelta(minutes=SLOT_MINUTES)


class Room(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(_("room name"), max_length=100)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="room_unique_name_per_clinic"),
        ]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    MESOTHERAPY_SESSION = "mesotherapy_session", _("Mesotherapy session")
    PRF = "prf", _("PRF")
    EXOSOMES = "exosomes", _("Exosomes")
    PEPTIDE_THERAPY = "peptide_therapy", _("Peptide therapy")
    REVIEW = "review", _("Review")


# What reception offers as the duration when an appointment type is chosen (minutes).
DEFAULT_DURATION_MINUTES = {
    Kind.CONSULTATION: 45,
    Kind.MESOTHERAPY_SESSION: 60,
    Kind.PRF: 60,
    Kind.EXOSOMES: 45,
    Kind.PEPTIDE_THERAPY: 45,
    Kind.REVIEW: 30,
}


class AppointmentDuration(models.Model):
    """A clinic's own length for one appointment type (issue 20: set up from its pages); a type
    without a row takes DEFAULT_DURATION_MINUTES."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="appointment_durations")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "kind"], name="appointment_duration_once_per_kind")]


class Status(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", _("Arrived")
    # The session or consultation has begun: the nurse or trichologist took the patient in.
    IN_CHAIR = "in_chair", _("In the chair")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# Appointments in these states hold their practitioner and room slots.
HOLDING_STATUSES = frozenset({Status.BOOKED, Status.ARRIVED, Status.IN_CHAIR, Status.COMPLETED})
# These states need a reason (status_reason), enforced by the form, the service and a constraint.
REASON_STATUSES = frozenset({Status.CANCELLED, Status.NO_SHOW})


class Appointment(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField("appointment type", max_length=32, choices=Kind.choices)
    # Aware datetimes, stored in UTC; shown in the clinic's zone (settings.TIME_ZONE).
    starts_at = models.DateTimeField("starts at")
    ends_at = models.DateTimeField("ends at")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    status_reason = models.CharField("reason", max_length=200, blank=True)
    # The treatments app links courses later; until then a plain, indexed id.
    course_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    course_session_number = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField("notes for reception", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every write so a stale move form can be refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.CANCELLED, Status.NO_SHOW]) | ~Q(status_reason=""),
                name="appointment_reason_for_cancel_or_no_show",
            ),
        ]
        indexes = [
            # status and kind too: the clinic outcomes count a year's appointments by them from
            # the index alone, without reading each row.
            models.Index(fields=["clinic", "starts_at", "status", "kind"], name="appt_clinic_start"),
            models.Index(fields=["clinic", "patient", "starts_at"], name="appt_clinic_patient_start"),
            models.Index(fields=["practitioner", "starts_at"], name="appt_practitioner_start"),
            models.Index(fields=["room", "starts_at"], name="appt_room_start"),
            # A course's appointments (course page, progress, timeline, API): without it SQLite,
            # which keeps no statistics, walks the clinic's whole diary through appt_clinic_start.
            models.Index(fields=["clinic", "course_id", "starts_at"], name="appt_clinic_course_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for patient {self.patient_id} at {self.starts_at:%Y-%m-%d %H:%M}Z"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def holds_slots(self) -> bool:
        return self.status in HOLDING_STATUSES


class PractitionerSlot(models.Model):
    """One 15-minute unit of a practitioner's time taken by an active appointment."""

    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    slot_start = models.DateTimeField()
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="practitioner_slots")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "slot_start"], name="practitioner_slot_taken_once"),
        ]


class RoomSlot(models.Model):
    """One 15-minute unit of a room taken by an active appointment."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    slot_start = models.DateTimeField()
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="room_slots")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "slot_start"], name="room_slot_taken_once"),
        ]


class PatientSlot(models.Model):
    """One 15-minute unit of a patient's time taken by an active appointment: a patient cannot be
    in two rooms at once, whichever practitioners booked them (issue 19, finding 11)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    slot_start = models.DateTimeField()
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="patient_slots")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "slot_start"], name="patient_slot_taken_once"),
        ]
