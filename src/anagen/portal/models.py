"""The patient portal: accounts for invited patients, their one-time invitations, and what they
ask the clinic for (a change to an appointment, a copy of their data).

A patient's sign-in is an ordinary ``accounts.User`` with the role "patient" and the patient's
clinic; ``PatientAccount`` ties it to exactly one ``patients.Patient``. Portal pages load the
patient from this row, never from an id in the URL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient


class PatientAccount(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient_account")
    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="portal_account")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Portal account of patient {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active


class PortalInvitation(models.Model):
    """A one-time link. Only the SHA-256 of its token is stored: the raw token is in the link,
    shown to staff (and emailed) once."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="portal_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer invitation replaces this one, or when staff revoke portal access.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The first opening of the link exchanges its token for a claim kept in that browser's session
    # (only its SHA-256 here): the token in the URL then stops working anywhere else, so a copy of
    # the link left in a proxy log, a history or a Referer cannot be used (issue 19, finding 2).
    opened_at = models.DateTimeField(null=True, blank=True)
    claim_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "created_at"], name="portal_invite_patient")]

    def __str__(self) -> str:
        return f"Portal invitation {self.pk} for patient {self.patient_id}"

    def is_pending(self, now: object) -> bool:
        return self.used_at is None and self.cancelled_at is None and self.expires_at > now  # type: ignore[operator]


class ChangeRequest(models.Model):
    """A patient asking, from the portal, for an appointment to be moved or cancelled."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="portal_change_requests")
    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.PROTECT, related_name="change_requests")
    message = models.TextField()
    created_at = models.DateTimeField()
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["clinic", "handled_at"], name="portal_change_open")]

    def __str__(self) -> str:
        return f"Change request {self.pk} for appointment {self.appointment_id}"


class ExportRequest(models.Model):
    """A patient's request for a copy of their data (DPDP right of access)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="portal_export_requests")
    requested_at = models.DateTimeField()
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The ZIP from anagen.interop.services.build_export, in the "default" storage (no URL of its
    # own: downloaded only through the audited portal view). Blank when handed over in person.
    file_name = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["clinic", "fulfilled_at"], name="portal_export_open")]

    def __str__(self) -> str:
        return f"Export request {self.pk} for patient {self.patient_id}"


class SelfServiceKind(models.TextChoices):
    MOVED = "moved", _("Moved")
    CANCELLED = "cancelled", _("Cancelled")
    BOOKED = "booked", _("Booked")  # a recalled maintenance session, booked through the recall's link


class SelfServiceChange(models.Model):
    """A course session the patient moved, cancelled or booked themselves in the portal (issue 22,
    items 2 and 3):
    reception's Today panel lists them. The appointment's own audit entries (as the patient) say
    the same; this row is what the panel reads without searching the trail."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="portal_self_service_changes")
    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.PROTECT, related_name="self_service_changes")
    kind = models.CharField(max_length=10, choices=SelfServiceKind.choices)
    from_starts_at = models.DateTimeField()
    to_starts_at = models.DateTimeField(null=True, blank=True)  # None for a cancellation
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "created_at"], name="portal_selfservice_recent")]

    def __str__(self) -> str:
        return f"Self-service {self.kind} of appointment {self.appointment_id}"
