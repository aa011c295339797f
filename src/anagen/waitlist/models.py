"""The waiting list for an earlier time, and the freed times offered from it (issue 22, item 2;
the rules are ``anagen.core.waitlist``).

It sits above the portal and the reminders (docs/architecture.md): an offer is a portal page
and a message through the reminders' outbox, and the cancellation that frees a time may come from
staff (the calendar) or from a patient (the portal).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from anagen.accounts.models import Clinic
from anagen.patients.models import Patient


class EntryEnd(models.TextChoices):
    LEFT = "left", "Left by the patient"
    MOVED = "moved", "Session moved"
    CANCELLED = "cancelled", "Session cancelled"
    OFFER_TAKEN = "offer_taken", "Earlier time taken"


class WaitingListEntry(models.Model):
    """A patient waiting for an earlier time for one booked course session. Open while
    ``ended_at`` is empty and the session is still booked at ``joined_starts_at`` and ahead."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waiting_list_entries")
    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.PROTECT, related_name="waiting_list_entries")
    joined_starts_at = models.DateTimeField()  # the session's time when the patient joined
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=EntryEnd.choices, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["clinic", "ended_at"], name="waitlist_entry_open")]
        constraints = [models.UniqueConstraint(fields=["appointment"], condition=Q(ended_at__isnull=True),
                                               name="waitlist_one_open_entry_per_appointment")]

    def __str__(self) -> str:
        return f"Waiting-list entry {self.pk} for appointment {self.appointment_id}"


class FreedTime(models.Model):
    """A time a cancellation freed and offered to waiting patients; ``taken_at`` once one accepted."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    cancelled_appointment = models.OneToOneField("scheduling.Appointment", on_delete=models.PROTECT, related_name="freed_time")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()  # the notice cut-off of ``starts_at``
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(WaitingListEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "created_at"], name="waitlist_freed_recent")]

    def __str__(self) -> str:
        return f"Freed time {self.pk} ({self.starts_at:%Y-%m-%d %H:%M})"


class SlotOffer(models.Model):
    """A freed time offered to one waiting patient about one entry."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    freed = models.ForeignKey(FreedTime, on_delete=models.PROTECT, related_name="offers")
    entry = models.ForeignKey(WaitingListEntry, on_delete=models.PROTECT, related_name="offers")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="slot_offers")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["freed", "entry"], name="waitlist_one_offer_per_entry")]

    def __str__(self) -> str:
        return f"Offer {self.pk} of freed time {self.freed_id} to entry {self.entry_id}"
