"""The patient registry: one row per person per clinic, with a per-clinic medical record number."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic, Language
from anagen.core.identifiers import format_abha_number, format_phone


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / intersex")


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField(_("record number"), max_length=20)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    # The name as the patient writes it in Devanagari (Hindi, Marathi), when recorded: shown under
    # the Latin name in the patient header and printed on documents.
    name_devanagari = models.CharField(_("name in Devanagari"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(max_length=10, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=20, help_text=_("Stored in E.164, e.g. +919820012345"))
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(_("emergency contact name"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=20, blank=True)
    abha_number = models.CharField(_("ABHA number"), max_length=14, blank=True)
    abha_address = models.CharField(_("ABHA address"), max_length=64, blank=True)
    # What the patient reads: the portal, and (issue 21) consents, aftercare, reminders, reports.
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    # Set when the patient registered themselves by booking online (anagen.booking): reception
    # checks the record against existing ones (the same person may already have a record under
    # another spelling) and clears it, or merges.
    needs_duplicate_check = models.BooleanField(_("booked online: check for duplicates"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every update so a stale form or API write can be refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_unique_mrn_per_clinic"),
            models.UniqueConstraint(
                fields=["clinic", "abha_number"],
                condition=~models.Q(abha_number=""),
                name="patient_unique_abha_per_clinic",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "phone"], name="patient_clinic_phone"),
            models.Index("clinic", Lower("family_name"), Lower("given_name"), name="patient_clinic_name"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def abha_number_display(self) -> str:
        return format_abha_number(self.abha_number)

    def age_on(self, day: date) -> int:
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years


class MrnCounter(models.Model):
    """The last record number issued per clinic; locked while the next one is issued."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


# The registry fields an update may change, in form order: the audit diff covers exactly these.
DEMOGRAPHIC_FIELDS = (
    "given_name",
    "family_name",
    "name_devanagari",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "abha_number",
    "abha_address",
)
