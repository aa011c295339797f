"""Reminders: the clinic's protocol, message templates, per-channel opt-ins and the outbox.

A reminder goes only to a patient with a valid "reminders" consent (the consents ledger) AND a
recorded opt-in for that channel. The outbox holds one row per (appointment, reminder, channel,
start time): its unique ``dedupe_key`` makes scheduling idempotent, and workers claim rows one at
a time (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: a conditional UPDATE), so no reminder is sent
twice when two workers run.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.core.reminders import Channel as CoreChannel
from anagen.core.reminders import ReminderKind
from anagen.patients.models import Patient


class Channel(models.TextChoices):
    EMAIL = CoreChannel.EMAIL.value, "Email"
    SMS = CoreChannel.SMS.value, "SMS"
    WHATSAPP = CoreChannel.WHATSAPP.value, "WhatsApp"


class Kind(models.TextChoices):
    BEFORE = ReminderKind.BEFORE.value, "Appointment reminder"
    SIDE_EFFECT_CHECK = ReminderKind.SIDE_EFFECT_CHECK.value, "Check after a session"
    MAINTENANCE_DUE = ReminderKind.MAINTENANCE_DUE.value, "Maintenance session due"
    AFTERCARE = ReminderKind.AFTERCARE.value, "Aftercare advice"
    RECALL = ReminderKind.RECALL.value, "Maintenance recall (booking link)"
    SLOT_OFFER = ReminderKind.SLOT_OFFER.value, "Earlier time offered (waiting list)"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    HINDI = "hi", "हिन्दी (Hindi)"
    MARATHI = "mr", "मराठी (Marathi)"


class ReminderSettings(models.Model):
    """A clinic's reminder protocol (clinic protocol, not evidence; see anagen.core.reminders)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="reminder_settings")
    before_hours = models.CharField("hours before the appointment", max_length=50, default="48, 3",
                                    help_text="Comma-separated, e.g. 48, 3.")
    side_effect_check_hours = models.PositiveSmallIntegerField("check message, hours after a session", default=24)
    maintenance_notice_days = models.PositiveSmallIntegerField("maintenance notice, days before", default=7)
    recall_days_before = models.PositiveSmallIntegerField(
        "recall of an unbooked maintenance session, days before", default=14,
        help_text="The message with a one-time booking link goes this many days before the planned date (1-60).")
    max_attempts = models.PositiveSmallIntegerField("attempts before a message is reported failed", default=5)
    backoff_base_seconds = models.PositiveIntegerField("first retry after (seconds)", default=60)
    backoff_max_seconds = models.PositiveIntegerField("longest wait between retries (seconds)", default=3600)
    updated_at = models.DateTimeField(auto_now=True)


class MessageTemplate(models.Model):
    """A clinic's own wording for one reminder kind, channel and language.

    WhatsApp messages go out only through a template the provider approved: the row must carry
    the approved template name and be marked approved, else WhatsApp reminders are not sent.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="reminder_templates")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    subject = models.CharField("email subject", max_length=150, blank=True)
    body = models.TextField("message text")
    whatsapp_template_name = models.CharField("approved WhatsApp template name", max_length=100, blank=True)
    whatsapp_approved = models.BooleanField("approved by WhatsApp", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "kind", "channel", "language"], name="reminder_template_once"),
        ]


class OptInSource(models.TextChoices):
    RECEPTION = "reception", "Recorded by staff"
    STOP_REPLY = "stop_reply", "STOP reply"
    OPT_OUT_LINK = "opt_out_link", "Opt-out link"


class ReminderOptIn(models.Model):
    """A patient's choice for one channel. Opted in while ``opted_out_at`` is empty."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reminder_opt_ins")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    opted_in_at = models.DateTimeField()
    opted_out_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=OptInSource.choices, default=OptInSource.RECEPTION)
    # The sentence the patient agreed to, as shown to them (names the clinic and the channel).
    wording = models.TextField(blank=True)

    class Meta:
        ordering = ["channel"]
        constraints = [models.UniqueConstraint(fields=["patient", "channel"], name="reminder_opt_in_once_per_channel")]

    @property
    def active(self) -> bool:
        return self.opted_out_at is None


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class OutboxMessage(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A recall message (kind "recall") has no appointment yet: it offers to book one.
    recall = models.ForeignKey("recall.Recall", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    # The appointment start the message was planned for: a moved appointment makes it stale.
    appointment_starts_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField()
    expires_at = models.DateTimeField()
    dedupe_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["clinic", "status"], name="outbox_clinic_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel} for appointment {self.appointment_id} ({self.status})"


class OptOutToken(models.Model):
    """A one-time opt-out link sent in a message. Only the token's SHA-256 is stored."""

    token_sha256 = models.CharField(max_length=64, unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    message = models.ForeignKey(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


# --- the clinic's WhatsApp Business and SMS (DLT) accounts -----------------------------------


class MessagingAccount(models.Model):
    """Which WhatsApp number and SMS sender a clinic sends from. Secrets are not here: the access
    token, app secret and gateway key come from the environment (docs/whatsapp-and-sms.md)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="messaging_account")
    whatsapp_phone_number_id = models.CharField(_("WhatsApp phone number ID"), max_length=32, blank=True,
                                                help_text=_("From WhatsApp Manager, API setup: the ID of the clinic's business number."))
    whatsapp_business_account_id = models.CharField(_("WhatsApp Business account ID"), max_length=32, blank=True)
    sms_sender_id = models.CharField(_("SMS sender ID (DLT header)"), max_length=6, blank=True,
                                     help_text=_("The six-letter header registered on the DLT platform, e.g. ANAGEN."))
    dlt_entity_id = models.CharField(_("DLT principal entity ID"), max_length=19, blank=True,
                                     help_text=_("The clinic's 19-digit entity ID from the DLT platform."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["whatsapp_phone_number_id"], condition=~Q(whatsapp_phone_number_id=""),
                                    name="messaging_whatsapp_number_once"),
        ]


class ApprovedTemplate(models.Model):
    """A template the provider approved for one message kind, channel and language.

    WhatsApp: the template's name and language code as approved in WhatsApp Manager, and which
    values fill its body placeholders {{1}}, {{2}}, ... in order. SMS: the DLT content template
    id of the wording registered on the DLT platform.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="approved_templates")
    channel = models.CharField(_("channel"), max_length=10, choices=[(Channel.WHATSAPP, "WhatsApp"), (Channel.SMS, "SMS")])
    kind = models.CharField(_("message"), max_length=24, choices=Kind.choices)
    language = models.CharField(_("patient's language"), max_length=5, choices=Language.choices)
    template_name = models.CharField(_("approved template name"), max_length=512, blank=True)
    language_code = models.CharField(_("template language code"), max_length=15, blank=True,
                                     help_text=_("As approved in WhatsApp Manager, e.g. en, en_US, hi."))
    parameters = models.CharField(_("values for the placeholders, in order"), max_length=200, blank=True,
                                  help_text=_("Comma-separated from: clinic, date, time, clinic_phone, opt_out_url."))
    dlt_template_id = models.CharField(_("DLT template ID"), max_length=19, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "channel", "kind", "language"], name="approved_template_once"),
        ]


class WhatsAppContact(models.Model):
    """When a number last wrote to the clinic on WhatsApp: the 24-hour window runs from it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    wa_id = models.CharField(max_length=20)
    last_inbound_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "wa_id"], name="whatsapp_contact_once")]


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class DeliveryEvent(models.Model):
    """A status the provider reported for a message it accepted (webhook)."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_events")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    occurred_at = models.DateTimeField()
    error_code = models.CharField(max_length=20, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["message", "status"], name="delivery_event_once_per_status")]
