"""The patient timeline: consultations, screening, formulations, courses and what is due next.

Gathers what six apps hold about one patient for the patient page, so it lives in the shell above
them all (docs/architecture.md); clinical items only for clinical roles (reception sees
demographics, consents status and appointments).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from anagen.consultations.services import booking_status
from anagen.core import display
from anagen.patients.models import Patient
from anagen.procedures.services import sessions_for
from anagen.safety.models import AdverseEvent
from anagen.scheduling.models import Kind
from anagen.scheduling.services import upcoming_for_patient
from anagen.treatments.models import Course
from anagen.treatments.services import appointments_by_course
from anagen.web.facts import Known, screening_consultations


def consultation_due_today(upcoming: list[Any], today: dt.date) -> Any:
    """The patient's consultation or review booked today and not yet done: a consultation started
    for the patient belongs to it (``today_consult``), so the appointment is done when it is signed
    and no page shows it as still to come (issue 20)."""
    return next((a for a in upcoming if a.kind in (Kind.CONSULTATION, Kind.REVIEW)
                 and timezone.localtime(a.starts_at).date() == today), None)


@dataclass
class Timeline:
    clinical: bool = False
    upcoming: list[Any] = field(default_factory=list)
    consultations: list[Any] = field(default_factory=list)
    formulations: list[Any] = field(default_factory=list)
    courses: list[dict[str, Any]] = field(default_factory=list)
    booking: Any = None
    consultation_today: Any = None
    next_due: str = ""
    sessions: list[Any] = field(default_factory=list)
    events_by_session: dict[int, list[Any]] = field(default_factory=dict)
    other_events: list[Any] = field(default_factory=list)

    def known(self, treatment_consent: Any = None) -> Known:
        """What the patient header may take from this timeline instead of reading it again."""
        return Known(treatment_consent=treatment_consent, upcoming=self.upcoming,
                     consultations=self.consultations if self.clinical else None,
                     courses=[(c["course"], c["appointments"]) for c in self.courses] if self.clinical else None)


def _moment(local: dt.datetime) -> str:
    """3 Dec 2026, 10:30 as anagen.core.display writes it, the month in the reader's language."""
    return f"{date_format(local.date(), 'j M Y')}, {display.clock(local)}"


def build_timeline(patient: Patient, *, clinical: bool, today: dt.date | None = None) -> Timeline:
    today = today or timezone.localdate()
    timeline = Timeline(upcoming=upcoming_for_patient(patient.clinic, patient), clinical=clinical)
    timeline.consultation_today = consultation_due_today(timeline.upcoming, today)
    if timeline.upcoming:
        first = timeline.upcoming[0]
        timeline.next_due = gettext("%(kind)s on %(when)s") % {"kind": first.get_kind_display(), "when": _moment(timezone.localtime(first.starts_at))}
    if not clinical:
        return timeline
    # The timeline names no author or signer: no join for them. Read as the header's facts read
    # them (with the screening's deferral and acknowledgements), so the page reads them once.
    timeline.consultations = list(screening_consultations(patient.clinic_id, [patient.pk]))
    timeline.formulations = list(patient.formulations.order_by("-created_at"))
    courses = list(Course.objects.filter(patient=patient).order_by("-start_date"))
    by_course = appointments_by_course(patient.clinic_id, [c.pk for c in courses])
    for course in courses:
        sessions = [a for a in by_course[course.pk] if a.course_session_number]
        timeline.courses.append({
            "course": course,
            "appointments": by_course[course.pk],
            "done": sum(1 for a in sessions if a.status == "completed"),
        })
    timeline.sessions = sessions_for(patient)
    for event in AdverseEvent.objects.filter(patient=patient).order_by("-onset_date"):
        if event.session_id:
            timeline.events_by_session.setdefault(event.session_id, []).append(event)
        else:
            timeline.other_events.append(event)
    for session in timeline.sessions:
        session.events = timeline.events_by_session.get(session.pk, [])
    _, timeline.booking = booking_status(patient, today, timeline.consultations)
    if not timeline.next_due:
        if not timeline.consultations:
            timeline.next_due = gettext("A consultation.")
        elif timeline.booking is not None and not timeline.booking.allowed:
            timeline.next_due = " ".join(timeline.booking.reasons)
        elif not courses:
            timeline.next_due = gettext("Plan and book a course.")
    return timeline
