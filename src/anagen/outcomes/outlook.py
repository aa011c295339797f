"""Per-patient outlooks and per-course outcomes, kept up to date from the audit trail's write marks.

The clinic dashboard (likely non-responders) and the clinic outcome tables look at every patient
of a clinic. Classifying each patient's response and applying the forecast's non-responder rule
on every request cost about 10 ms per patient: a minute for a clinic of a few thousand. So each
patient's results are kept in rows (``PatientOutlook``, ``CourseOutcome``) that are rebuilt when
the patient's record changes, and the pages read the rows.

How a row knows it is out of date: every write to a patient's record is audited, and
``audit.services.append`` keeps the patient's newest write ``seq`` in ``PatientWriteMark``. A row
stores the mark it was built from. A clinic remembers the mark up to which all its patients were
rebuilt (``ClinicOutlookState.refreshed_through_seq``); marks above it are the work to do, taken in
``seq`` order, at most ``REFRESH_BATCH`` per request (so no page waits long), and by the worker
(``anagen worker``) and ``anagen manage refresh_outlooks`` for the rest. A change of the rules
(``OUTLOOK_RULES_VERSION`` or the clinic's protocol) rebuilds every row of the clinic.

The rules themselves stay in the core: ``classify_response`` (anagen.core.response) and
``non_responder_check`` (anagen.core.haircycle), through ``outcomes.progress``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from anagen.accounts.models import Clinic
from anagen.accounts.protocols import protocol_for
from anagen.audit.models import PatientWriteMark
from anagen.consultations.models import MeasurementSet
from anagen.outcomes.models import ClinicOutlookState, CourseOutcome, PatientOutlook
from anagen.outcomes.progress import (
    course_response,
    formulation_as_proposed,
    non_responder_result,
    patient_progress,
)
from anagen.patients.models import Patient
from anagen.scheduling.models import Appointment, Kind
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.treatments.models import Course, CourseCombination

logger = logging.getLogger(__name__)

OUTLOOK_RULES_VERSION = 1
"""Bump when the way a row is built changes: every clinic's rows are then rebuilt."""
REFRESH_BATCH = 50
"""Patients rebuilt inside one page request at most (about 10 ms each); the worker does the rest."""


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return sorted((_plain(v) for v in value), key=repr) if isinstance(value, frozenset | set) else [_plain(v) for v in value]
    return value if isinstance(value, bool | int | float | str) or value is None else str(value)


def rules_key(clinic: Clinic) -> str:
    """A digest of the rules the rows follow: this module's version and the clinic's protocol."""
    protocol = protocol_for(clinic)
    fields = {f.name: _plain(getattr(protocol, f.name)) for f in dataclasses.fields(protocol)}
    text = json.dumps({"version": OUTLOOK_RULES_VERSION, "protocol": fields}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RefreshResult:
    rebuilt: int
    pending: int


def refresh_patient(patient: Patient, source_seq: int | None = None) -> PatientOutlook:
    """Rebuild one patient's outlook and course outcomes. Reads happen outside the write
    transaction (SQLite takes its one write lock at BEGIN), so the lock is held only for the
    upserts. ``source_seq`` is the write mark read *before* the record: a write that lands while
    this runs has a larger mark, so the patient is rebuilt again."""
    if source_seq is None:
        source_seq = PatientWriteMark.objects.filter(pk=patient.pk).values_list("seq", flat=True).first() or 0
    progress = patient_progress(patient, timezone.localdate(), with_forecast=False, with_charts=False)
    check = non_responder_result(progress)
    outlook = PatientOutlook(
        patient=patient, clinic_id=patient.clinic_id, source_seq=source_seq,
        measurement_visits=len(progress.measurements), treatment_sessions=len(progress.sessions),
        response_class=progress.response.response_class.value if progress.response else "",
        response_baseline_on=progress.baseline.measured_on if progress.response and progress.baseline else None,
        response_follow_up_on=progress.response_follow_up.measured_on if progress.response_follow_up else None,
        response_note=progress.response_note,
        flagged=bool(check and check.non_responder),
        message=check.non_responder.message if check and check.non_responder else "",
        flagged_days=list(check.non_responder.days) if check and check.non_responder else [],
    )
    outcomes = _course_outcomes(patient, progress.measurements)
    with transaction.atomic():
        outlook.save()
        CourseOutcome.objects.filter(patient=patient).exclude(course_id__in=[o.course_id for o in outcomes]).delete()
        for outcome in outcomes:
            outcome.save()
    return outlook


def _course_outcomes(patient: Patient, measurements: list[MeasurementSet]) -> list[CourseOutcome]:
    """One row per course of the patient (usually one), with 3 queries whatever their number."""
    courses = list(Course.objects.filter(patient=patient).select_related("consultation", "formulation", "clinic"))
    if not courses:
        return []
    ids = [c.pk for c in courses]
    combos: dict[int, list[str]] = {}
    for course_id, therapy in CourseCombination.objects.filter(course_id__in=ids).order_by("therapy").values_list("course_id", "therapy"):
        combos.setdefault(course_id, []).append(therapy)
    planned: dict[int, list[tuple[dt.datetime, str, int | None, int | None]]] = {}
    # Ordered by course first: the (clinic, course, start) index finds and orders them.
    for row in (Appointment.objects.filter(clinic=patient.clinic_id, course_id__in=ids, kind=Kind.MESOTHERAPY_SESSION)
                .order_by("course_id", "starts_at", "id").values_list("course_id", "starts_at", "status", "course_session_number", "practitioner_id")):
        planned.setdefault(row[0], []).append(row[1:])
    protocol = protocol_for(patient.clinic)
    rows = []
    for course in courses:
        appointments = planned.get(course.pk, [])
        numbered = [a for a in appointments if a[2] is not None]
        completed = [a for a in appointments if a[1] == AppointmentStatus.COMPLETED]
        done_numbers = {a[2] for a in numbered if a[1] == AppointmentStatus.COMPLETED}
        most = Counter(a[3] for a in completed).most_common(1)
        rows.append(CourseOutcome(
            course=course, clinic_id=course.clinic_id, patient=patient, start_date=course.start_date,
            diagnosis=course.consultation.diagnosis_primary or "",
            formulation_as_proposed=formulation_as_proposed(course),
            combinations=combos.get(course.pk, []),
            practitioner_id=most[0][0] if most else None,
            response_class=course_response(course, measurements, protocol) or "",
            last_planned_on=timezone.localtime(numbered[-1][0]).date() if numbered else None,
            all_sessions_completed=all(n in done_numbers for n in range(1, course.total_sessions + 1)),
        ))
    return rows


def _state(clinic: Clinic) -> ClinicOutlookState:
    state, _ = ClinicOutlookState.objects.get_or_create(clinic=clinic)
    key = rules_key(clinic)
    if state.rules_key != key:
        # New rules: every patient's rows are rebuilt, oldest marks first.
        ClinicOutlookState.objects.filter(pk=state.pk).update(refreshed_through_seq=0, rules_key=key)
        PatientOutlook.objects.filter(clinic=clinic).update(source_seq=0)
        state.refreshed_through_seq, state.rules_key = 0, key
    return state


def refresh_pending(clinic: Clinic, limit: int | None = None) -> RefreshResult:
    """Rebuild up to ``limit`` (``REFRESH_BATCH``) patients of ``clinic`` written since its rows were
    last brought up to date; returns how many were rebuilt and how many still wait."""
    limit = limit or REFRESH_BATCH
    state = _state(clinic)
    marks = list(PatientWriteMark.objects.filter(clinic_id=clinic.pk, seq__gt=state.refreshed_through_seq)
                 .order_by("seq").values_list("patient_id", "seq")[:limit])
    if not marks:
        return RefreshResult(0, 0)
    built = dict(PatientOutlook.objects.filter(pk__in=[p for p, _ in marks]).values_list("patient_id", "source_seq"))
    patients = Patient.objects.select_related("clinic").in_bulk([p for p, seq in marks if built.get(p, -1) < seq])
    rebuilt = 0
    for patient_id, seq in marks:
        patient = patients.get(patient_id)
        if patient is None:
            continue
        try:
            refresh_patient(patient, seq)
            rebuilt += 1
        except Exception:  # noqa: BLE001 - one bad record must not stop the clinic's tables
            logger.exception("outlook of patient %s could not be rebuilt", patient_id)
    through = marks[-1][1]
    ClinicOutlookState.objects.filter(pk=state.pk, refreshed_through_seq__lt=through).update(refreshed_through_seq=through)
    pending = PatientWriteMark.objects.filter(clinic_id=clinic.pk, seq__gt=through).count() if len(marks) == limit else 0
    return RefreshResult(rebuilt, pending)


def refresh_all(clinic: Clinic | None = None, batch: int = 500, *, passes: int | None = None) -> int:
    """Pending patients of one clinic, or of every clinic: all of them, or ``passes`` batches per
    clinic (the worker takes one batch per pass so reminders never wait behind a backlog)."""
    total = 0
    for each in [clinic] if clinic is not None else Clinic.objects.order_by("pk"):
        done = 0
        while passes is None or done < passes:
            result = refresh_pending(each, batch)
            total += result.rebuilt
            done += 1
            if not result.pending:
                break
    return total


def outlook_for(patient: Patient) -> PatientOutlook:
    """The patient's outlook, rebuilt first if the record was written since (one patient: about
    10 ms). One query when it is current. A change of rules is noticed by the clinic-wide refresh
    (the dashboard, the outcomes page, the worker's next pass), which resets every row."""
    mark = PatientWriteMark.objects.filter(pk=OuterRef("pk")).values("seq")
    outlook = PatientOutlook.objects.filter(pk=patient.pk).annotate(mark=Subquery(mark)).first()
    if outlook is None or outlook.source_seq < (outlook.mark or 0):  # type: ignore[attr-defined]
        outlook = refresh_patient(patient)
    return outlook
