"""Safety's answers to session recording (``anagen.procedures.signals``): procedures sits below
safety and may not call it, so it sends signals and these receivers act on them."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from anagen.audit.services import Actor
from anagen.patients.models import Patient
from anagen.procedures.models import TreatmentSession
from anagen.procedures.signals import session_blockers, session_recorded
from anagen.safety.services import create_follow_up, session_blockers_for


@receiver(session_blockers, dispatch_uid="safety.unreviewed_events_block_sessions")
def unreviewed_events_block_the_session(sender: Any, *, patient: Patient, **kwargs: Any) -> list[str]:
    return session_blockers_for(patient)


@receiver(session_recorded, dispatch_uid="safety.open_follow_up")
def open_the_follow_up(sender: Any, *, session: TreatmentSession, actor: Actor, **kwargs: Any) -> None:
    create_follow_up(session, actor=actor)
