"""Signals of the programme apps answered by the shell, which may import them all (issue 20)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from anagen.consultations.signals import consultation_signed
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Status


@receiver(consultation_signed)
def complete_the_consultations_appointment(sender: Any, consultation: Any, actor: Any, **kwargs: Any) -> None:
    """A consultation signed at its appointment completes that appointment (inside the signing's
    transaction: both or neither)."""
    if consultation.appointment_id is None:
        return
    appointment = Appointment.objects.get(pk=consultation.appointment_id)
    if appointment.status == Status.BOOKED:
        appointment = scheduling.mark_arrived(actor, appointment)
    if appointment.status in (Status.ARRIVED, Status.IN_CHAIR):
        scheduling.mark_completed(actor, appointment)
