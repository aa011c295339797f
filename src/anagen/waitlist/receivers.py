"""The calendar's signals answered by the waiting list (which sits above scheduling)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from anagen.scheduling.signals import appointment_cancelled, appointment_moved
from anagen.waitlist import services
from anagen.waitlist.models import EntryEnd


@receiver(appointment_cancelled)
def offer_the_freed_time(sender: Any, appointment: Any, actor: Any, **kwargs: Any) -> None:
    """A cancelled appointment (by staff or by a patient) ends its own waiting entry and offers
    its time to the waiting patients it suits, in the cancellation's transaction."""
    services.end_entries(appointment, EntryEnd.CANCELLED)
    services.offer_freed_time(appointment)


@receiver(appointment_moved)
def end_the_moved_session_entry(sender: Any, appointment: Any, actor: Any, **kwargs: Any) -> None:
    """A session moved (by anyone) is no longer the one the patient waited with."""
    services.end_entries(appointment, EntryEnd.MOVED)
