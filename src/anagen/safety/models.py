"""After a session: the 24-48 hour follow-up, adverse events, and what links them to lots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from anagen.accounts.models import Clinic
from anagen.core.safety import AdverseEventType, Severity
from anagen.patients.models import Patient
from anagen.ui.labels import EVENT_SEVERITIES

# The English names of the event types and severities, as the FHIR export and the clinic's outcome
# tables use them; pages and forms read the ``_LABELS`` below, in the reader's language.
EVENT_TYPE_CHOICES = [
    (AdverseEventType.ERYTHEMA.value, gettext_noop("Erythema (redness)")),
    (AdverseEventType.BRUISING.value, gettext_noop("Bruising / haematoma")),
    (AdverseEventType.PAIN.value, gettext_noop("Pain")),
    (AdverseEventType.SWELLING.value, gettext_noop("Swelling")),
    (AdverseEventType.HEADACHE.value, gettext_noop("Headache")),
    (AdverseEventType.INFECTION.value, gettext_noop("Infection")),
    (AdverseEventType.ALLERGIC_REACTION.value, gettext_noop("Allergic reaction")),
    (AdverseEventType.FAINTING.value, gettext_noop("Fainting")),
    (AdverseEventType.PATCHY_HAIR_LOSS.value, gettext_noop("Patchy hair loss")),
    (AdverseEventType.OTHER.value, gettext_noop("Other")),
]
SEVERITY_CHOICES = [(s.value, s.value.capitalize()) for s in Severity]
EVENT_TYPE_LABELS = [(code, gettext_lazy(name)) for code, name in EVENT_TYPE_CHOICES]
SEVERITY_LABELS = [(s.value, EVENT_SEVERITIES[s]) for s in Severity]


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    DONE = "done", pgettext_lazy("follow-up status", "Done")


class FollowUpMethod(models.TextChoices):
    CALL = "call", gettext_lazy("Phone call by the clinic")
    PATIENT_REPORT = "patient_report", gettext_lazy("Patient's own report")
    VISIT = "visit", gettext_lazy("Seen at the clinic")


class FollowUpTask(models.Model):
    """Created with every signed session: a call or report due 24-48 hours later."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="follow_ups")
    session = models.OneToOneField("procedures.TreatmentSession", on_delete=models.PROTECT, related_name="follow_up")
    due_from = models.DateTimeField()
    due_until = models.DateTimeField()
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    method = models.CharField(max_length=20, choices=FollowUpMethod.choices, blank=True)
    side_effects_reported = models.BooleanField(null=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_from", "id"]
        indexes = [
            models.Index(fields=["clinic", "status", "due_from"], name="followup_clinic_status_due"),
            models.Index(fields=["clinic", "status", "due_until"], name="followup_clinic_status_until"),  # overdue
            # The dashboard's "side effects reported, no adverse event recorded": the few calls
            # that reported something, not every call the clinic ever made.
            models.Index(fields=["clinic", "status", "session"], condition=models.Q(side_effects_reported=True), name="followup_clinic_reported"),
        ]


class AdverseEvent(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="adverse_events")
    session = models.ForeignKey("procedures.TreatmentSession", null=True, blank=True, on_delete=models.PROTECT, related_name="adverse_events")
    lots = models.ManyToManyField("catalog.Lot", blank=True, related_name="adverse_events")
    event_type = models.CharField("type", max_length=20, choices=EVENT_TYPE_LABELS)
    severity = models.CharField(max_length=10, choices=SEVERITY_LABELS)
    onset_date = models.DateField("onset")
    resolved_on = models.DateField("resolved on", null=True, blank=True)
    description = models.TextField(blank=True)
    action_taken = models.TextField("action taken", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField("trichologist's review", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-onset_date", "-id"]
        indexes = [
            models.Index(fields=["clinic", "event_type", "onset_date"], name="event_clinic_type_onset"),
            models.Index(fields=["patient", "resolved_on"], name="event_patient_resolved"),
        ]


class SessionDrawReview(models.Model):
    """A trichologist's review of a session signed with a reason for a product other than the
    prescribed one or for volumes that did not reconcile (anagen.core.safety.check_session_draw).
    Appended once; the signed session itself is never changed."""

    session = models.OneToOneField("procedures.TreatmentSession", on_delete=models.PROTECT, related_name="draw_review")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    note = models.TextField("trichologist's review")
