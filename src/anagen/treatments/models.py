"""Personalised formulations and treatment courses.

A saved formulation is never edited: a change is a new formulation, so a course and its sessions
always point at exactly what was prescribed. A course's sessions are appointments in the clinic
calendar (``scheduling.Appointment.course_id``), planned by ``anagen.core.course``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from anagen.accounts.models import Clinic
from anagen.consultations.models import Consultation
from anagen.core.course import CombinationTherapy
from anagen.core.errors import ImmutableRecord
from anagen.patients.models import Patient


class Formulation(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="formulations")
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="formulations")
    diagnosis = models.CharField(max_length=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Off-label prescription drug components need a trichologist's sign-off and documented consent.
    drug_signoff_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drug_consent_documented = models.BooleanField(default=False)
    total_volume_ml = models.DecimalField(max_digits=5, decimal_places=2)
    notes = models.TextField(blank=True)
    # Warnings the core raised when it was saved (e.g. the conception warning for a 5-ARI).
    warnings = models.JSONField(default=list, blank=True)
    # Ready-made products the prescription names (checked against the patient's allergies through
    # their ingredient lists); a session must draw one of them or give a reason. Empty: compounded
    # from the components below.
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Formulation {self.pk} ({self.total_volume_ml} mL)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord("a saved formulation is never changed; save a new one")
        super().save(*args, **kwargs)


class FormulationComponent(models.Model):
    formulation = models.ForeignKey(Formulation, on_delete=models.PROTECT, related_name="components")
    position = models.PositiveSmallIntegerField()
    ingredient = models.CharField(max_length=40)
    volume_ml = models.DecimalField(max_digits=4, decimal_places=2)
    concentration = models.DecimalField(max_digits=8, decimal_places=3)
    concentration_unit = models.CharField(max_length=12)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["formulation", "ingredient"], name="formulation_ingredient_once")]


class CourseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class Course(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="courses")
    formulation = models.ForeignKey(Formulation, on_delete=models.PROTECT, related_name="courses")
    start_date = models.DateField()
    intensive_sessions = models.PositiveSmallIntegerField()
    interval_days = models.PositiveSmallIntegerField()
    maintenance_sessions = models.PositiveSmallIntegerField()
    maintenance_interval_days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=CourseStatus.choices, default=CourseStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["clinic", "patient", "status"], name="course_clinic_patient"),
            # A clinic's courses newest first (the API's list) read in order, not sorted per page.
            models.Index(fields=["clinic", "-start_date", "-id"], name="course_clinic_start"),
        ]

    def __str__(self) -> str:
        return f"Course {self.pk} from {self.start_date}"

    @property
    def total_sessions(self) -> int:
        return self.intensive_sessions + self.maintenance_sessions


class CourseCombination(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="combinations")
    therapy = models.CharField(max_length=20, choices=[(t.value, t.value.upper() if t is CombinationTherapy.PRF else t.value.capitalize()) for t in CombinationTherapy])
    start_date = models.DateField()
    interval_days = models.PositiveSmallIntegerField()
    sessions = models.PositiveSmallIntegerField()
