"""Clinics (branches of one deployment) and the staff who work in them."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """The languages Anagen speaks (settings.LANGUAGES lists the same codes). Each is named in its
    own script, so a reader finds their language on a page they cannot yet read."""

    ENGLISH = "en-in", "English"
    HINDI = "hi", "हिन्दी"
    MARATHI = "mr", "मराठी"


def content_language(language: str) -> str:
    """The code of a patient's language among the texts a clinic publishes per language (consent
    texts, aftercare sheets, reminder wordings: "en", "hi", "mr"); the interface's English is
    "en-in". Anything else falls back to English."""
    if language in (Language.HINDI, Language.MARATHI):
        return str(language)
    return "en"


def document_language(requested: str | None, preferred: str) -> str:
    """The interface language a document for a patient is printed in (invoice, receipt, progress
    report): the one staff chose for this print (a relative reads another language), else the
    patient's preferred one. Accepts the content codes too ("en" is English)."""
    for code in (requested, preferred):
        if code == "en":
            return Language.ENGLISH
        if code in Language.values:
            return str(code)
    return Language.ENGLISH


class Clinic(models.Model):
    name = models.CharField("clinic name", max_length=200, unique=True)
    city = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +912212345678")
    email = models.EmailField(blank=True)
    # GSTIN and the state code matter for invoices (issue 12); kept here as clinic identity.
    gstin = models.CharField("GSTIN", max_length=15, blank=True)
    time_zone = models.CharField(max_length=64, default="Asia/Kolkata")
    # The language of staff pages for staff who have not chosen their own (User.language).
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    mrn_prefix = models.CharField(
        "record number prefix", max_length=8, default="AN",
        help_text="Medical record numbers look like AN-000123.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", _("Clinic admin")
    TRICHOLOGIST = "trichologist", _("Trichologist")
    PRACTITIONER = "practitioner", _("Practitioner")
    RECEPTION = "reception", _("Reception")
    # A patient signing in to the portal (anagen.portal): never a member of staff.
    PATIENT = "patient", _("Patient")


CLINICAL_ROLES = frozenset({Role.CLINIC_ADMIN, Role.TRICHOLOGIST, Role.PRACTITIONER})
ALL_STAFF_ROLES = frozenset({Role.CLINIC_ADMIN, Role.TRICHOLOGIST, Role.PRACTITIONER, Role.RECEPTION})
# Who may do what, named once for the web's decorators (accounts.permissions) and the API (api.auth).
ADMIN_ROLES = frozenset({Role.CLINIC_ADMIN})
TRICHOLOGIST_ROLES = frozenset({Role.TRICHOLOGIST})
PERFORMING_ROLES = frozenset({Role.PRACTITIONER, Role.TRICHOLOGIST})
"""Who performs and signs sessions."""
OUTCOMES_ROLES = frozenset({Role.CLINIC_ADMIN, Role.TRICHOLOGIST})
"""Who reads the clinic's outcome tables."""
INVITING_ROLES = frozenset({Role.CLINIC_ADMIN, Role.TRICHOLOGIST, Role.RECEPTION})
"""Who invites patients to the portal and revokes their access."""


class User(AbstractUser):
    """A member of staff. Every user but a deployment superuser belongs to exactly one clinic."""

    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    # Seeded demo accounts share the password "demo"; they may sign in only on a demo server
    # (ANAGEN_ENV=demo, which binds to loopback): see accounts.backends.StaffBackend.
    is_demo_account = models.BooleanField(default=False)
    # The staff member's own language for staff pages; blank: the clinic's (Clinic.language).
    # A patient's portal follows Patient.preferred_language instead.
    language = models.CharField(max_length=8, choices=Language.choices, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def staff_language(self) -> str:
        """The language of this member of staff's pages: their own choice, else their clinic's."""
        if self.language:
            return self.language
        return self.clinic.language if self.clinic_id is not None else Language.ENGLISH

    @property
    def is_clinic_staff(self) -> bool:
        return self.clinic_id is not None and self.role in ALL_STAFF_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_clinic_staff and self.role in roles

    @property
    def sees_clinical_content(self) -> bool:
        """Reception handles demographics and scheduling only: never clinical notes."""
        return self.has_role(*CLINICAL_ROLES)


def _default_open_weekdays() -> list[str]:
    return ["mon", "tue", "wed", "thu", "fri", "sat"]


class ClinicProtocol(models.Model):
    """A clinic's own protocol choices (not evidence): course defaults and limits.

    Defaults follow the source article (6-8 intensive sessions 1-2 weeks apart, maintenance every
    1-3 months; domain.md §1) and Moftah 2013 / clinic practice for the volume (domain.md §7).
    """

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="protocol")
    intensive_sessions = models.PositiveSmallIntegerField("intensive sessions", default=6)
    interval_days = models.PositiveSmallIntegerField("days between intensive sessions", default=14)
    maintenance_sessions = models.PositiveSmallIntegerField("maintenance sessions planned", default=2)
    maintenance_interval_days = models.PositiveSmallIntegerField("days between maintenance sessions", default=60)
    session_minutes = models.PositiveSmallIntegerField("session length (minutes)", default=45)
    max_session_volume_ml = models.DecimalField("maximum volume per session (mL)", max_digits=4, decimal_places=2, default=4)
    open_weekdays = models.JSONField("open weekdays", default=_default_open_weekdays)
    # Opening hours on open days (issue 20): free times are offered within them.
    opens_at = models.TimeField("opens at", default=datetime.time(9, 0))
    closes_at = models.TimeField("closes at", default=datetime.time(19, 0))
    # Patients move or cancel course sessions in the portal only this long before (issue 22;
    # anagen.core.protocol.Protocol.self_service_notice_hours says why 24 h by default).
    self_service_notice_hours = models.PositiveSmallIntegerField("notice for changes in the portal (hours)", default=24)


class ClinicClosure(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["clinic", "date"], name="closure_once_per_day")]
