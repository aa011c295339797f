"""Demo data for follow-ups and adverse events, run by the sessions seeder once demo sessions exist:
``seed_safety(ctx, sessions)``. Everything goes through the services (audited like real use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from anagen.audit.services import Actor
from anagen.procedures.models import TreatmentSession
from anagen.safety import services
from anagen.safety.models import AdverseEvent, FollowUpMethod

# (event type, severity, days after the session it began, days it lasted, reviewed by the trichologist)
DEMO_EVENTS = [
    ("erythema", "mild", 0, 1, False, "Redness over the vertex for a day.", "Reassured; cold compress."),
    ("bruising", "mild", 0, 3, False, "Pinpoint bruising at the temples.", "Reassured; no action needed."),
    ("swelling", "moderate", 1, 4, True, "Forehead swelling the day after the session.", "Cold compress, oral antihistamine; reviewed before the next session."),
]


def seed_safety(ctx: Any, sessions: Iterable[TreatmentSession]) -> None:
    """Follow-ups for every session (recorded for past ones, open for the last two days'), a few
    mild events resolved and one moderate event resolved and reviewed. Does nothing twice."""
    sessions = sorted(sessions, key=lambda s: (s.performed_on, s.pk))
    if not sessions or AdverseEvent.objects.filter(clinic_id=sessions[0].clinic_id).exists():
        return
    clinic_id = sessions[0].clinic_id
    actor = Actor.system("demo-seed", clinic_id)
    today: dt.date = getattr(ctx, "today", dt.date.today())
    staff = ctx.staff
    caller, nurse, doctor = staff.get("reception") or staff["nurse"], staff["nurse"], staff["doctor"]
    past = [s for s in sessions if s.performed_on <= today - dt.timedelta(days=2)]
    with_events = {s.pk: spec for s, spec in zip(past[::3], DEMO_EVENTS, strict=False)}
    for session in sessions:
        task = services.create_follow_up(session, actor=actor)
        if session not in past:
            continue
        spec = with_events.get(session.pk)
        if spec is None:
            services.record_follow_up(actor, task, method=FollowUpMethod.CALL, side_effects_reported=False,
                                      outcome="No problems since the session.", recorded_by=caller)
            continue
        event_type, severity, after, lasted, reviewed, description, action = spec
        services.record_follow_up(actor, task, method=FollowUpMethod.CALL, side_effects_reported=True,
                                  outcome=description, recorded_by=nurse)
        onset = min(session.performed_on + dt.timedelta(days=after), today)
        event = services.report_event(
            actor, session.patient, session=session, event_type=event_type, severity=severity, onset_date=onset,
            description=description, action_taken=action, reported_by=nurse, today=today,
        )
        event = services.resolve_event(actor, event, min(onset + dt.timedelta(days=lasted), today), today=today)
        if reviewed:
            services.review_event(actor, event, "Resolved fully; safe to continue the course at the same dose.", doctor)
