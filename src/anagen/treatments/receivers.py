"""The calendar's signals answered by the treatments app (which sits above scheduling)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from anagen.scheduling.signals import appointment_moved
from anagen.treatments import services


@receiver(appointment_moved)
def course_starts_with_its_first_session(sender: Any, appointment: Any, actor: Any, **kwargs: Any) -> None:
    """Moving session 1 of a course moves the course's start: the course page, the patient's
    course list and the progress page say "from" the day session 1 now takes place."""
    if appointment.course_id is not None and appointment.course_session_number == 1:
        services.follow_first_session(actor, appointment)
