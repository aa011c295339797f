"""Recall that books (issue 22, item 3): the maintenance sessions a patient still has to book, and
the one-time links their recall messages carry. The rules are in ``anagen.core.recall``.

One ``Recall`` per course and session number (a recomputed plan updates it in place, so it is
never owed twice); a link stores only its token's SHA-256.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient
from anagen.treatments.models import Course


class RecallStatus(models.TextChoices):
    PLANNED = "planned", "Planned"  # owed, its message not yet sent: a recomputed plan moves or withdraws it
    SENT = "sent", "Sent"  # its message went out (once): never sent again
    BOOKED = "booked", "Booked"  # an appointment now holds its session
    WITHDRAWN = "withdrawn", "Withdrawn"  # the plan no longer owes it (booked by staff, course stopped, re-planned)


class Recall(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="recalls")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="recalls")
    session_number = models.PositiveSmallIntegerField()
    due_date = models.DateField()  # the date the planner set for the session
    send_on = models.DateField()  # due_date minus the clinic's recall_days_before
    status = models.CharField(max_length=10, choices=RecallStatus.choices, default=RecallStatus.PLANNED)
    sent_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "session_number"], name="recall_once_per_session"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="recall_sent_has_time"),
        ]
        indexes = [models.Index(fields=["clinic", "status", "send_on"], name="recall_due")]

    def __str__(self) -> str:
        return f"Recall of session {self.session_number} of course {self.course_id} ({self.status})"


class RecallLink(models.Model):
    """The one-tap booking link of one recall message. Only the token's SHA-256 is kept."""

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="links")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recall link {self.pk} of recall {self.recall_id}"
