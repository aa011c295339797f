"""The clinic's outcomes: response rates by diagnosis, formulation, combination and practitioner
with Wilson intervals, adverse events per 100 sessions, attendance; and the dashboard's likely
non-responders. Read from the outlook rows (``outlook``), which are brought up to date first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from anagen.accounts.models import Clinic, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput
from anagen.core.outcomes import (
    OutcomesSettings,
    RateEstimate,
    estimate_rate,
    is_responder,
    per_100,
)
from anagen.outcomes.models import CourseOutcome, PatientOutlook
from anagen.outcomes.outlook import refresh_pending
from anagen.outcomes.progress import DIAGNOSIS_LABELS
from anagen.patients.models import Patient
from anagen.procedures.models import TreatmentSession
from anagen.safety.models import EVENT_TYPE_CHOICES, SEVERITY_CHOICES, AdverseEvent
from anagen.scheduling.models import Appointment, Kind
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.scheduling.services import day_bounds
from anagen.treatments.models import CourseCombination

DEFAULT_SETTINGS = OutcomesSettings()


def likely_non_responders(clinic: Clinic, today: dt.date) -> list[tuple[Patient, PatientOutlook]]:
    """Patients of ``clinic`` whose two consecutive follow-ups fell below the forecast band, read
    from their outlooks (``outcomes.outlook``: rebuilt when a record changes; the caller has
    brought them up to date with ``refresh_pending``)."""
    flagged = PatientOutlook.objects.filter(clinic=clinic, flagged=True).select_related("patient")
    return sorted(((o.patient, o) for o in flagged), key=lambda pair: (pair[0].family_name, pair[0].given_name, pair[0].pk))


@dataclass
class NonResponders:
    flagged: list[tuple[Patient, PatientOutlook]]
    pending: int
    """Patients whose records changed moments ago and are not checked yet (the worker is on it)."""


def non_responder_panel(actor: Actor, clinic: Clinic, today: dt.date) -> NonResponders:
    """The dashboard list, after bringing the clinic's outlooks up to date (at most a batch: see
    ``outcomes.outlook``); naming patients is a read, audited as one list entry."""
    pending = refresh_pending(clinic).pending
    flagged = likely_non_responders(clinic, today)
    if flagged:
        audit.append(actor, Action.READ, object_type="non_responder_list", object_id="dashboard", patient_id=None,
                     changes={"patient_ids": sorted(p.pk for p, _ in flagged)})
    return NonResponders(flagged, pending)


@dataclass
class RateRow:
    label: str
    estimate: RateEstimate


@dataclass
class ClinicOutcomes:
    start: dt.date
    end: dt.date
    settings: OutcomesSettings
    assessed: int
    not_assessed: int
    by_diagnosis: list[RateRow]
    by_formulation: list[RateRow]
    by_combination: list[RateRow]
    by_practitioner: list[RateRow]
    adverse_events: list[dict[str, Any]]
    sessions: int
    no_show: RateRow
    completion: RateRow
    pending: int = 0
    """Patients whose records changed moments ago and are not in the tables yet."""


def _rate_rows(groups: dict[str, list[bool]], settings: OutcomesSettings) -> list[RateRow]:
    return [RateRow(label, estimate_rate(sum(values), len(values), settings)) for label, values in sorted(groups.items())]


def clinic_outcomes(clinic: Clinic, start: dt.date, end: dt.date, today: dt.date,
                    settings: OutcomesSettings = DEFAULT_SETTINGS) -> ClinicOutcomes:
    """The clinic's outcome tables for courses started, sessions performed and appointments held
    between ``start`` and ``end`` (inclusive, clinic-local dates). Aggregates only: no names.

    Each course's response, formulation, combinations, main practitioner and completion come from
    its ``CourseOutcome`` row (rebuilt when the patient's record changes: ``outcomes.outlook``), so
    the page costs the same few queries for ten courses or ten thousand."""
    if end < start:
        raise InvalidInput.single("end", "must be on or after the start date")
    pending = refresh_pending(clinic).pending
    rows = list(CourseOutcome.objects.filter(clinic=clinic, start_date__gte=start, start_date__lte=end).values_list(
        "diagnosis", "formulation_as_proposed", "combinations", "practitioner_id", "response_class",
        "last_planned_on", "all_sessions_completed"))
    names = {u.pk: str(u) for u in User.objects.filter(pk__in={r[3] for r in rows if r[3] is not None})}
    therapies = dict(CourseCombination._meta.get_field("therapy").choices or [])
    by_diagnosis: dict[str, list[bool]] = defaultdict(list)
    by_formulation: dict[str, list[bool]] = defaultdict(list)
    by_combination: dict[str, list[bool]] = defaultdict(list)
    by_practitioner: dict[str, list[bool]] = defaultdict(list)
    assessed = not_assessed = completed_courses = eligible = 0
    for diagnosis, as_proposed, combinations, practitioner_id, response_class, last_planned_on, all_completed in rows:
        if last_planned_on is not None and last_planned_on < today:
            eligible += 1
            completed_courses += bool(all_completed)
        if not response_class:
            not_assessed += 1
            continue
        assessed += 1
        responder = is_responder(response_class)
        by_diagnosis[DIAGNOSIS_LABELS.get(diagnosis, "No diagnosis")].append(responder)
        template = DIAGNOSIS_LABELS.get(diagnosis, diagnosis or "no diagnosis")
        by_formulation[f"{template} template, {'as proposed' if as_proposed else 'personalised'}"].append(responder)
        for therapy in sorted({therapies.get(code, code) for code in combinations} or {"No combination therapy"}):
            by_combination[therapy].append(responder)
        by_practitioner[names.get(practitioner_id, "No session completed")].append(responder)

    # Sessions: recorded sessions plus completed mesotherapy appointments without a record.
    first_moment, _ = day_bounds(start)
    _, after_end = day_bounds(end)
    in_range = {"clinic": clinic, "starts_at__gte": first_moment, "starts_at__lt": after_end}
    sessions = TreatmentSession.objects.filter(clinic=clinic, performed_on__gte=start, performed_on__lte=end).count()
    sessions += Appointment.objects.filter(**in_range, kind=Kind.MESOTHERAPY_SESSION, status=AppointmentStatus.COMPLETED,
                                           treatment_session__isnull=True).count()
    types, severities = dict(EVENT_TYPE_CHOICES), dict(SEVERITY_CHOICES)
    counts = Counter(AdverseEvent.objects.filter(clinic=clinic, onset_date__gte=start, onset_date__lte=end)
                     .values_list("event_type", "severity"))
    events = [{"event_type": types.get(t, t), "severity": severities.get(s, s), "count": n, "per_100": per_100(n, sessions)}
              for (t, s), n in sorted(counts.items())]
    held = dict(Appointment.objects.filter(**in_range, status__in=[AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW])
                .values_list("status").annotate(n=Count("id")).order_by())
    return ClinicOutcomes(
        start, end, settings, assessed, not_assessed,
        _rate_rows(by_diagnosis, settings), _rate_rows(by_formulation, settings),
        _rate_rows(by_combination, settings), _rate_rows(by_practitioner, settings),
        events, sessions,
        RateRow("No-shows among completed and missed appointments",
                estimate_rate(held.get(AppointmentStatus.NO_SHOW, 0), sum(held.values()), settings)),
        RateRow("Courses with every planned session completed", estimate_rate(completed_courses, eligible, settings)),
        pending,
    )


TABLES = {
    "diagnosis": ("Response by diagnosis", "by_diagnosis"),
    "formulation": ("Response by formulation template", "by_formulation"),
    "combination": ("Response by combination therapy", "by_combination"),
    "practitioner": ("Response by practitioner", "by_practitioner"),
    "adverse_events": ("Adverse events per 100 sessions", None),
    "attendance": ("No-shows and course completion", None),
}


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def table_rows(outcomes: ClinicOutcomes, table: str) -> tuple[list[str], list[list[str]]]:
    """One outcomes table as a header and rows of text: what the page shows and the CSV holds."""
    if table not in TABLES:
        raise InvalidInput.single("table", f"one of {', '.join(TABLES)}")
    rate_header = ["group", "responders", "patients", "rate %", "95% CI low %", "95% CI high %", "note"]
    _, attr = TABLES[table]
    if attr is not None:
        rows = [[r.label, str(r.estimate.successes), str(r.estimate.total), _pct(r.estimate.rate), _pct(r.estimate.low),
                 _pct(r.estimate.high), "" if r.estimate.enough else "too few patients to say"] for r in getattr(outcomes, attr)]
        return rate_header, rows
    if table == "adverse_events":
        header = ["type", "severity", "events", "sessions", "per 100 sessions"]
        return header, [[e["event_type"], e["severity"], str(e["count"]), str(outcomes.sessions), str(e["per_100"] or "")]
                        for e in outcomes.adverse_events]
    header = ["measure", "count", "of", "rate %", "95% CI low %", "95% CI high %", "note"]
    rows = []
    for r in (outcomes.no_show, outcomes.completion):
        rows.append([r.label, str(r.estimate.successes), str(r.estimate.total), _pct(r.estimate.rate), _pct(r.estimate.low),
                     _pct(r.estimate.high), "" if r.estimate.enough else "too few patients to say"])
    return header, rows


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=365), today
