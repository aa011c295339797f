"""The demo seed for safety, called by the sessions seeder once demo sessions exist."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from anagen.demo.safety import seed_safety
from anagen.safety import services
from anagen.safety.models import AdverseEvent, FollowUpTask

pytestmark = pytest.mark.django_db


def test_the_demo_gets_resolved_mild_events_a_reviewed_moderate_one_and_open_follow_ups_for_the_last_sessions(
    clinic, make_patient, make_session, lot, admin_user, trichologist, practitioner, receptionist, today
):
    days_ago = [60, 50, 45, 40, 30, 25, 20, 15, 10, 1, 0]
    sessions = [make_session(make_patient(clinic), today - dt.timedelta(days=d), [(lot, "1.00")]) for d in days_ago]
    ctx = SimpleNamespace(clinic=clinic, today=today, staff={
        "admin": admin_user, "doctor": trichologist, "nurse": practitioner, "reception": receptionist})
    seed_safety(ctx, sessions)
    assert FollowUpTask.objects.count() == len(sessions)
    assert set(FollowUpTask.objects.filter(status="open").values_list("session__performed_on", flat=True)) == {
        today - dt.timedelta(days=1), today}
    events = list(AdverseEvent.objects.order_by("onset_date"))
    assert [(e.event_type, e.severity) for e in events] == [("erythema", "mild"), ("bruising", "mild"), ("swelling", "moderate")]
    assert all(e.resolved_on is not None for e in events)
    assert [e.reviewed_by for e in events] == [None, None, trichologist]
    assert all(list(e.lots.all()) == [lot] for e in events)
    assert all(services.session_blockers_for(s.patient) == [] for s in sessions)
    seed_safety(ctx, sessions)
    assert AdverseEvent.objects.count() == 3
