"""Online booking by new patients: the clinic's switch, and the requests waiting for their code.

A request holds what the patient typed until the one-time code proves the mobile number; then one
transaction turns it into a provisional patient and a booked consultation, and the typed details
are erased from the request (it keeps the ids, for the record of what happened). Only an HMAC of
the code is stored, never the code.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic, Language
from anagen.patients.models import Patient, Sex
from anagen.scheduling.models import Appointment


class CodeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class OnlineBookingSettings(models.Model):
    """Whether a clinic takes first consultations booked online, and how the code reaches the
    patient. Off until a clinic admin turns it on (docs/online-booking.md)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="online_booking")
    enabled = models.BooleanField(_("take first consultations booked online"), default=False)
    code_channel = models.CharField(_("send the confirmation code by"), max_length=10, choices=CodeChannel.choices,
                                    default=CodeChannel.SMS)
    whatsapp_template = models.CharField(
        _("WhatsApp authentication template name"), max_length=512, blank=True,
        help_text=_("An approved template of the Authentication category whose one placeholder is the code."))
    whatsapp_language_code = models.CharField(_("template language code"), max_length=15, blank=True, default="en")
    dlt_template_id = models.CharField(
        _("DLT template ID of the code SMS"), max_length=19, blank=True,
        help_text=_("The 19-digit ID of the registered wording, e.g. 'Your booking code for {#var#} is {#var#}.'"))
    updated_at = models.DateTimeField(auto_now=True)


class BookingRequest(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    # HMACs (settings.SECRET_KEY): the code, and the number so its sends can be counted after the
    # typed number is erased.
    code_hash = models.CharField(max_length=64)
    phone_hash = models.CharField(max_length=64, db_index=True)
    sent_at = models.DateTimeField()
    sent_by = models.CharField(max_length=10, blank=True)
    failed_tries = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["phone_hash", "sent_at"], name="booking_request_number_sends")]

    @property
    def done(self) -> bool:
        return self.appointment_id is not None
