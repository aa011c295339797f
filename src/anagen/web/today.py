""""Today": each role's first screen (issue 20, item 2).

Reception: the day's list in time order with status chips, one-tap "Arrived", a late flag,
readiness icons per row (consent, screening, formulation, balance due) so blockers show the day
before, "Book next" on finished visits, and a side panel (unpaid invoices, failed reminders,
portal requests, packages with sessions left). Nurse: one card per patient of her list, and the
follow-up calls due. Trichologist: today's consultations and reviews, unsigned drafts, events to
review, non-responders, eligible patients awaiting a formulation.

Readiness comes from ``anagen.web.facts`` (the owning apps' rules), so the Today list, the nurse's
cards and the session record agree on what blocks a session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, User
from anagen.audit.services import Actor
from anagen.billing import services as billing
from anagen.consultations.models import Consultation
from anagen.consultations.models import Status as ConsultationStatus
from anagen.core import display
from anagen.core.billing import format_paise
from anagen.portal import services as portal
from anagen.portal.models import ChangeRequest, SelfServiceChange
from anagen.reminders import services as reminders
from anagen.safety import services as safety
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Kind, Status
from anagen.treatments.models import Formulation
from anagen.waitlist import services as waitlist
from anagen.web.facts import Facts, facts_for

# Clinic convention, not a clinical rule: a booked patient not marked arrived this many minutes
# after the start is flagged late, so reception phones before the slot is lost.
LATE_AFTER_MINUTES = 10

# Which readiness icons an appointment type needs: what must be in place before the visit.
SESSION_KINDS = frozenset({Kind.MESOTHERAPY_SESSION, Kind.PRF, Kind.EXOSOMES, Kind.PEPTIDE_THERAPY})


@dataclass
class Readiness:
    """One icon of a row: what it checks, whether it is in place, and the words for it."""

    key: str
    ok: bool
    text: str


@dataclass
class Row:
    appointment: Appointment
    facts: Facts
    local_start: dt.datetime
    late: bool
    readiness: list[Readiness] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    book_next_url: str = ""
    next_booked: Appointment | None = None

    @property
    def status_key(self) -> str:
        return self.appointment.status

    @property
    def ready(self) -> bool:
        return all(r.ok for r in self.readiness)


def _readiness(appointment: Appointment, facts: Facts) -> list[Readiness]:
    """The row's icons, in the reader's language (built per request, so ``gettext`` now)."""
    items = []
    if appointment.kind in SESSION_KINDS:
        items.append(Readiness("consent", facts.consent_valid,
                               gettext("Treatment consent signed") if facts.consent_valid else facts.consent_label))
        if not facts.has_signed_consultation:
            items.append(Readiness("screening", False, gettext("Not screened: no signed consultation")))
        else:
            items.append(Readiness("screening", facts.screening_allowed,
                                   gettext("Screening allows treatment") if facts.screening_allowed else " ".join(facts.screening_reasons)))
        if appointment.kind == Kind.MESOTHERAPY_SESSION:
            items.append(Readiness("formulation", facts.formulation is not None,
                                   gettext("Formulation prescribed") if facts.formulation is not None else gettext("No formulation prescribed")))
    due = facts.balance_due_paise
    items.append(Readiness("balance", due == 0,
                           gettext("Nothing due") if due == 0 else gettext("%(amount)s due") % {"amount": format_paise(due)}))
    return items


def book_next_url(appointment: Appointment, facts: Facts, day: dt.date) -> str:
    """The booking form with the patient, type and practitioner filled in, on the course's next
    planned interval (or two weeks on) for a session, the same day next week otherwise."""
    course = facts.course
    interval = course.course.interval_days if course is not None else 14
    next_day = day + dt.timedelta(days=interval if appointment.kind in SESSION_KINDS else 7)
    query = {"patient": appointment.patient_id, "kind": appointment.kind, "practitioner": appointment.practitioner_id,
             "date": next_day.isoformat()}
    return reverse("scheduling:book") + "?" + urlencode(query)


def day_rows(clinic: Clinic, day: dt.date, *, now: dt.datetime, clinical: bool, practitioner: User | None = None) -> list[Row]:
    """The day's appointments in time order with their readiness (cancelled ones left out)."""
    appointments = [a for a in scheduling.appointments_for_day(clinic, day, practitioner=practitioner) if a.status != Status.CANCELLED]
    facts = facts_for(clinic, [a.patient_id for a in appointments], day, clinical=clinical)
    rows = []
    for a in appointments:
        f = facts[a.patient_id]
        local = timezone.localtime(a.starts_at)
        late = a.status == Status.BOOKED and now > a.starts_at + dt.timedelta(minutes=LATE_AFTER_MINUTES)
        row = Row(a, f, local, late, _readiness(a, f))
        if a.kind == Kind.MESOTHERAPY_SESSION:
            row.blockers = f.session_blockers()
        if a.status == Status.COMPLETED:
            upcoming = f.course.next_session if f.course is not None else None
            if upcoming is not None and upcoming.starts_at > a.ends_at:
                row.next_booked = upcoming
            else:
                row.book_next_url = book_next_url(a, f, day)
        rows.append(row)
    return rows


@dataclass
class SidePanel:
    unpaid: list[Any]
    failed: list[Any]
    requests: list[ChangeRequest]
    packages: list[Any]
    # Sessions patients moved or cancelled themselves in the portal, this past week (issue 22).
    self_service: list[SelfServiceChange] = field(default_factory=list)
    # The waiting list's week: who joined it, freed times offered, offers taken (issue 22).
    waiting_list: list[Any] = field(default_factory=list)


def side_panel(clinic: Clinic) -> SidePanel:
    requests = list(ChangeRequest.objects.filter(clinic=clinic, handled_at__isnull=True)
                    .select_related("patient", "appointment").order_by("created_at", "id")[:20])
    return SidePanel(billing.unpaid_invoices(clinic)[:10], reminders.failed_messages(clinic, limit=10), requests,
                     billing.open_packages(clinic)[:10], portal.recent_self_service(clinic), waitlist.recent_events(clinic))


def record_reads(actor: Actor, view: str, patient_ids: list[int]) -> None:
    """The Today lists name patients: one audit entry naming them all."""
    billing.record_list_read(actor, view, patient_ids)


@dataclass
class TrichologistDay:
    rows: list[Row]
    drafts: list[Consultation]
    events: list[Any]
    awaiting_formulation: list[Consultation]


def trichologist_day(clinic: Clinic, user: User, day: dt.date, now: dt.datetime) -> TrichologistDay:
    rows = day_rows(clinic, day, now=now, clinical=True, practitioner=user)
    drafts = list(Consultation.objects.filter(clinic=clinic, author=user, status=ConsultationStatus.DRAFT)
                  .select_related("patient").order_by("consulted_on", "id")[:20])
    events = list(safety.events_needing_review(clinic)[:20])
    # Signed, eligible consultations of the last 90 days with no formulation since: the
    # prescription waits for the trichologist.
    since = day - dt.timedelta(days=90)
    prescribed = Formulation.objects.filter(clinic=clinic).values("patient_id")
    signed = (Consultation.objects.filter(clinic=clinic, status=ConsultationStatus.SIGNED, consulted_on__gte=since)
              .exclude(patient_id__in=prescribed)
              .filter(Q(screening__verdict="eligible") | Q(screening__verdict="eligible_with_cautions"))
              .select_related("patient").order_by("-consulted_on", "-id")[:20])
    return TrichologistDay(rows, drafts, events, list(signed))


def when(appointment: Appointment) -> str:
    local = timezone.localtime(appointment.starts_at)
    # The month named in the reader's language (Django's catalogues); "3 Dec, 10:30" in English.
    return f"{date_format(local.date(), 'j M')}, {display.clock(local)}"
