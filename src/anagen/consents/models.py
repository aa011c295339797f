"""Consent: versioned texts per purpose, signed records, and the append-only history of each record.

Nothing here is ever updated or deleted. A changed text is a new version; a withdrawal is an
event on the record; consenting again is a new record signed against the current text. The
model and queryset refuse updates and deletes, and database triggers (migration 0002) refuse
``UPDATE`` from anyone who bypasses the ORM.

This is the first ledger of purpose-specific, withdrawable consent (DPDP Act 2023): issue 10's
DPDP ledger grows from it (more purposes, notices, consent managers) without rewriting history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.core.errors import ImmutableRecord
from anagen.patients.models import Patient


class Purpose(models.TextChoices):
    TREATMENT = "treatment", _("Mesotherapy treatment")
    PHOTOGRAPHS = "photographs", _("Clinical photographs")
    MARKETING_PHOTOGRAPHS = "marketing_photographs", _("Use of photographs in marketing")
    REMINDERS = "reminders", _("Reminders by SMS/WhatsApp")
    ABDM_SHARING = "abdm_sharing", _("Sharing records through ABDM")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    HINDI = "hi", "हिन्दी (Hindi)"
    MARATHI = "mr", "मराठी (Marathi)"


class Method(models.TextChoices):
    DRAWN = "drawn", _("Drawn signature")
    TYPED = "typed", _("Typed name")


class EventKind(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord(f"{self.model._meta.verbose_name_plural} cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(f"{self.model._meta.verbose_name_plural} cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise ImmutableRecord(f"{self.model._meta.verbose_name_plural} cannot be updated")


class AppendOnlyModel(models.Model):
    """Rows are created once and never saved again or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord(f"a {self._meta.verbose_name} cannot be changed once saved")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(f"a {self._meta.verbose_name} cannot be deleted")


class ConsentText(AppendOnlyModel):
    """One version of a clinic's consent text for one purpose in one language."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="consent_texts")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    # When set, consents signed on earlier versions (same purpose and language) stop being valid
    # from this version's publication: the change is material and the patient must read it.
    requires_reconsent = models.BooleanField("requires re-consent", default=False)
    published_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "consent text"
        ordering = ["purpose", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "purpose", "language", "version"], name="consent_text_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version} ({self.language})"


class ConsentRecord(AppendOnlyModel):
    """A patient's signature on one exact text version, witnessed by a member of staff."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="consent_records")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_records")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="records")
    # Copied from the text so status queries need no join; the service keeps them equal.
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    signed_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=Method.choices)
    signature_png = models.BinaryField(null=True, blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True)
    typed_name = models.CharField("typed name", max_length=200, blank=True)
    acknowledged = models.BooleanField(default=False)
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "consent record"
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "purpose", "signed_at"], name="consent_patient_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} consent of patient {self.patient_id} ({self.signed_at:%Y-%m-%d})"


class ConsentEvent(AppendOnlyModel):
    """What happened to a record: granted when signed, withdrawn later. Never edited or removed."""

    record = models.ForeignKey(ConsentRecord, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who recorded it, as the audit trail names them: also set for command-line (system) actors.
    by_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "consent event"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
