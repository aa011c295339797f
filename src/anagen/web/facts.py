"""The safety and readiness facts about patients, gathered from every app for the point of care
(issue 20): the patient header, the Today screens (reception's readiness icons, the nurse's cards)
and the calendar.

One call reads the facts of many patients in a fixed number of queries, whatever their number
(tests/web/performance). Every decision comes from the rule that owns it: the booking gate from
anagen.core.eligibility (through the stored screening), adverse-event blockers from
anagen.core.safety (put into words by anagen.safety.services), consent validity from the consents
app. Nothing here decides on its own.

Lives in the shell: it gathers from consultations, consents, treatments, procedures, safety,
billing and outcomes, so it sits above all of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext

from anagen.billing.models import Invoice
from anagen.consents.models import Purpose
from anagen.consents.services import consent_states
from anagen.consultations.models import Consultation, MeasurementSet, ScreeningAcknowledgement
from anagen.consultations.models import Status as ConsultationStatus
from anagen.consultations.services import findings_from_json
from anagen.core.billing import balance_due
from anagen.core.eligibility import booking_decision
from anagen.outcomes.models import PatientOutlook
from anagen.procedures.models import TreatmentSession
from anagen.safety.models import AdverseEvent
from anagen.safety.services import event_blockers, event_state
from anagen.scheduling.models import Appointment, Kind, Status
from anagen.treatments.models import Course, CourseStatus, Formulation
from anagen.ui import labels
from anagen.ui.wording import worded

# Allergy states, as the header's chip shows them.
ALLERGIES_LISTED = "listed"  # red: what the patient is allergic to
ALLERGIES_NONE = "none"  # "None known": asked and answered none
ALLERGIES_UNKNOWN = "unknown"  # amber "Not recorded": never asked


@dataclass
class CourseProgress:
    course: Course
    done: int
    total: int
    next_session: Appointment | None
    next_number: int | None


@dataclass
class Facts:
    patient_id: int
    allergy_state: str = ALLERGIES_UNKNOWN
    allergies: list[str] = field(default_factory=list)
    screening_verdict: str = ""
    screening_on: dt.date | None = None
    screening_allowed: bool = False
    screening_reasons: tuple[str, ...] = ()
    has_signed_consultation: bool = False
    consent_valid: bool = False
    consent_label: str = ""
    formulation: Formulation | None = None
    balance_due_paise: int = 0
    course: CourseProgress | None = None
    last_session: TreatmentSession | None = None
    event_blockers: list[str] = field(default_factory=list)
    flagged: bool = False
    response_class: str = ""
    outlook_message: str = ""

    @property
    def allergy_text(self) -> str:
        if self.allergy_state == ALLERGIES_LISTED:
            return ", ".join(self.allergies)
        return gettext("None known") if self.allergy_state == ALLERGIES_NONE else gettext("Not recorded")

    def session_blockers(self) -> list[str]:
        """What stops a mesotherapy session today, in the order the nurse would meet it."""
        reasons = []
        if not self.consent_valid:
            reasons.append(self.consent_label or gettext("No signed treatment consent."))
        if not self.has_signed_consultation:
            reasons.append(gettext("Not screened: no signed consultation."))
        elif not self.screening_allowed:
            reasons.extend(self.screening_reasons)
        if self.formulation is None:
            reasons.append(gettext("No formulation prescribed."))
        reasons.extend(self.event_blockers)
        return reasons


def _consent_label(status: Any) -> str:
    """The consent's state in the reader's language (facts are gathered per request)."""
    state = getattr(status, "state", "none")
    if state == "granted":
        return gettext("Treatment consent signed")
    if state == "withdrawn":
        return gettext("Treatment consent withdrawn")
    if state == "reconsent_required":
        return gettext("Treatment consent: new version to sign")
    return gettext("No signed treatment consent")


@dataclass
class Known:
    """What the page has already read about its one patient, so that the header does not read it
    again (the patient page: three to six queries fewer). Each is exactly what ``facts_for`` would
    read: the treatment consent's status (``consents.services.consent_status``), every
    consultation newest first with its deferral and acknowledgements loaded
    (``screening_consultations``), and the appointments still to come
    (``scheduling.services.upcoming_for_patient``, which the header shows), and every course with
    its appointments (``treatments.services.appointments_by_course``)."""

    treatment_consent: Any = None
    consultations: list[Consultation] | None = None
    upcoming: list[Appointment] | None = None
    courses: list[tuple[Course, list[Appointment]]] | None = None  # every course, each with all its appointments in time order


def screening_consultations(clinic: Any, patient_ids: Iterable[int]) -> Any:
    """Consultations newest first, with what the screening decision reads (the deferral and the
    acknowledged codes) loaded with them."""
    return (
        Consultation.objects.filter(clinic=clinic, patient_id__in=list(patient_ids))
        .select_related("deferral")
        .prefetch_related(Prefetch("acknowledgements", queryset=ScreeningAcknowledgement.objects.only("pk", "code", "consultation_id")))
        .order_by("patient_id", "-consulted_on", "-id")
    )


def facts_for(clinic: Any, patient_ids: Iterable[int], today: dt.date, *, clinical: bool = True, for_header: bool = False,
              known: Known | None = None) -> dict[int, Facts]:
    """The facts of these patients of ``clinic``; ``clinical=False`` (reception) leaves out what
    only clinical roles read (allergies, screening verdicts, response) but keeps what blocks a
    booking (consent, screening allowed or not, formulation, balance). ``for_header`` leaves out
    what the patient header does not show (formulation, last session, event blockers): three
    queries fewer on every patient page. ``known`` (one patient only) is what the page has read
    already."""
    ids = sorted(set(patient_ids))
    facts = {pk: Facts(pk) for pk in ids}
    if not ids:
        return facts
    known = known if known is not None and len(ids) == 1 else Known()

    states = ({ids[0]: known.treatment_consent} if known.treatment_consent is not None
              else consent_states(clinic.pk, ids, Purpose.TREATMENT))
    for pk, status in states.items():
        facts[pk].consent_valid = status.is_valid
        facts[pk].consent_label = _consent_label(status)

    # Consultations newest first: the latest signed one screens; the latest that answered the
    # allergy question (signed or draft) says what the patient is allergic to.
    consultations = known.consultations if known.consultations is not None else screening_consultations(clinic, ids)
    screened: set[int] = set()
    allergies_seen: set[int] = set()
    for c in consultations:
        f = facts[c.patient_id]
        if c.patient_id not in allergies_seen and (c.allergy_ingredients or c.allergies_other.strip() or c.no_known_allergies):
            allergies_seen.add(c.patient_id)
            if c.allergy_ingredients or c.allergies_other.strip():
                f.allergy_state = ALLERGIES_LISTED
                f.allergies = labels.labels(c.allergy_ingredients, "ingredient") + ([c.allergies_other.strip()] if c.allergies_other.strip() else [])
            else:
                f.allergy_state = ALLERGIES_NONE
        if c.status == ConsultationStatus.SIGNED and c.patient_id not in screened:
            screened.add(c.patient_id)
            deferral = getattr(c, "deferral", None) if hasattr(c, "deferral") else None
            decision = worded(booking_decision(
                findings_from_json(c.screening), acknowledged_codes=[a.code for a in c.acknowledgements.all()],
                review_on=deferral.review_on if deferral else None, today=today,
            ))
            f.has_signed_consultation = True
            f.screening_verdict = c.screening.get("verdict", "")
            f.screening_on = c.consulted_on
            f.screening_allowed = decision.allowed
            f.screening_reasons = decision.reasons

    for formulation in [] if for_header else Formulation.objects.filter(clinic=clinic, patient_id__in=ids).order_by("patient_id", "-created_at", "-id"):
        if facts[formulation.patient_id].formulation is None:
            facts[formulation.patient_id].formulation = formulation

    unpaid = Invoice.objects.filter(clinic=clinic, patient_id__in=ids).filter(Q(paid_paise__lt=F("total_paise") + F("refunded_paise")))
    for invoice in unpaid.only("patient_id", "total_paise", "paid_paise", "refunded_paise"):
        facts[invoice.patient_id].balance_due_paise += balance_due(invoice.total_paise, invoice.paid_paise, invoice.refunded_paise)

    latest_course: dict[int, Course] = {}
    by_course: dict[int, list[Appointment]] = defaultdict(list)
    if known.courses is not None:
        active = [c for c, _ in known.courses if c.status == CourseStatus.ACTIVE]
        if active:
            course = max(active, key=lambda c: (c.start_date, c.pk))
            latest_course[course.patient_id] = course
            by_course[course.pk] = [a for c, rows in known.courses if c.pk == course.pk for a in rows if a.kind == Kind.MESOTHERAPY_SESSION]
    else:
        courses = Course.objects.filter(clinic=clinic, patient_id__in=ids, status=CourseStatus.ACTIVE).order_by("patient_id", "-start_date", "-id")
        for course in courses:
            latest_course.setdefault(course.patient_id, course)
        if latest_course:
            chosen = {c.pk for c in latest_course.values()}
            for a in (Appointment.objects.filter(clinic=clinic, course_id__in=chosen, kind=Kind.MESOTHERAPY_SESSION)
                      .only("pk", "course_id", "course_session_number", "status", "starts_at", "ends_at").order_by("course_id", "starts_at", "id")):
                by_course[a.course_id].append(a)
    if latest_course:
        for patient_id, course in latest_course.items():
            sessions = [a for a in by_course[course.pk] if a.course_session_number]
            done = sum(1 for a in sessions if a.status == Status.COMPLETED)
            ahead = [a for a in sessions if a.status in (Status.BOOKED, Status.ARRIVED, Status.IN_CHAIR)]
            upcoming = ahead[0] if ahead else None
            facts[patient_id].course = CourseProgress(course, done, course.total_sessions, upcoming,
                                                      upcoming.course_session_number if upcoming else (done + 1 if done < course.total_sessions else None))

    for session in [] if for_header else (TreatmentSession.objects.filter(clinic=clinic, patient_id__in=ids)
                    .only("pk", "patient_id", "performed_on", "pain_score", "immediate_reactions", "reaction_notes", "total_volume_ml")
                    .order_by("patient_id", "-performed_on", "-id")):
        if facts[session.patient_id].last_session is None:
            facts[session.patient_id].last_session = session

    events: dict[int, list[AdverseEvent]] = defaultdict(list)
    for event in [] if for_header else (AdverseEvent.objects.filter(clinic=clinic, patient_id__in=ids, resolved_on__isnull=True, reviewed_at__isnull=True)
                  .only("pk", "patient_id", "severity", "resolved_on", "reviewed_at").order_by("onset_date", "id")):
        events[event.patient_id].append(event)
    for patient_id, rows in events.items():
        facts[patient_id].event_blockers = event_blockers(event_state(e) for e in rows)

    if clinical:
        for outlook in PatientOutlook.objects.filter(clinic=clinic, patient_id__in=ids).only("patient_id", "flagged", "response_class", "message"):
            f = facts[outlook.patient_id]
            f.flagged, f.response_class, f.outlook_message = outlook.flagged, outlook.response_class, outlook.message
    else:
        for f in facts.values():
            f.allergy_state, f.allergies, f.screening_verdict = ALLERGIES_UNKNOWN, [], ""
    return facts


def density_trend(patient: Any) -> list[tuple[dt.date, Decimal]]:
    """The patient's density readings in date order, for the header's small trend line."""
    return [(d, v) for d, v in MeasurementSet.objects.filter(patient=patient, density_per_cm2__isnull=False)
            .order_by("measured_on", "id").values_list("measured_on", "density_per_cm2")]
