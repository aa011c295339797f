"""Erasure requests (DPDP Act 2023, right to erasure) and what was done about each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PERFORMED = "performed", _("Performed (clinical record kept under retention)")
    PURGED = "purged", _("Purged after the retention period")


class ErasureRequest(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="erasure_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED)
    performed_at = models.DateTimeField(null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The clinic-local date until which the clinical record must be kept (computed at erasure).
    retain_until = models.DateField("clinical record kept until", null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    # Exactly what was done: fields anonymised, consents withdrawn, records kept and why.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient"], name="erasure_once_per_patient"),
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} for patient {self.patient_id} ({self.status})"
