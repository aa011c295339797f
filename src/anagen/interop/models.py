"""Calendar feed tokens: a secret URL per feed, stored only as its SHA-256 hash, revocable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient


class FeedKind(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner's appointments"
    PATIENT = "patient", "Patient's appointments"


class FeedToken(models.Model):
    """Grants read access to exactly one calendar feed. The token itself is shown once and never stored."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=FeedKind.choices)
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="practitioner") & Q(practitioner__isnull=False) & Q(patient__isnull=True))
                | (Q(kind="patient") & Q(patient__isnull=False) & Q(practitioner__isnull=True)),
                name="feed_token_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
