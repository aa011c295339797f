"""Signals of the programme apps answered by the shell, which may import them all (issue 20)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext

from anagen.consultations.signals import consultation_signed
from anagen.outcomes.models import PatientOutlook
from anagen.procedures.signals import session_flags
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Status
from anagen.ui import labels


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


@receiver(session_flags)
def trichologists_stop_flag(sender: Any, patient: Any, **kwargs: Any) -> list[str]:
    """A response measured "worse" is the trichologist's stop flag (anagen.core.response: stop
    mesotherapy and review the diagnosis): the nurse confirms it with the trichologist first."""
    outlook = PatientOutlook.objects.filter(pk=patient.pk).only("response_class", "flagged").first()
    if outlook is None:
        return []
    if outlook.response_class == "worse":
        return [f"{labels.label('worse', 'response')}: {labels.label('stop_and_review_diagnosis', 'next_step')}."]
    if outlook.flagged:
        return [gettext("Likely non-responder: the trichologist reviews the plan.")]
    return []
