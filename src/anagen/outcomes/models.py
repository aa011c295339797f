"""Generated progress reports, and the cached non-responder check per patient."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient


class Report(models.Model):
    """A generated progress report (PDF) kept in the ``reports`` storage alias.

    The file is never served from a URL of its own: staff download it through an audited view, and
    the patient portal (issue 10) lists the rows with ``shared_with_patient``. ``sha256`` lets
    anyone check a copy is the file the clinic generated.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="progress_reports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    shared_with_patient = models.BooleanField("shared with the patient", default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "patient", "created_at"], name="report_clinic_patient")]

    def __str__(self) -> str:
        return f"Progress report {self.pk} for patient {self.patient_id}"


class NonResponderCheck(models.Model):
    """The last forecast check of one patient, kept until its inputs change.

    ``key`` names the inputs (latest measurement id, course id, diagnosis key, treatments): the
    forecast takes about 0.2-0.3 s, so the dashboard recomputes a patient only when a new
    measurement, course or diagnosis arrives.
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    flagged = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    flagged_days = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "flagged"], name="nonresponder_clinic_flag")]
