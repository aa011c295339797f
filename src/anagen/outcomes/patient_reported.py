"""What the patient reports between visits (issue 22, item 7): the shedding diary and the short
questionnaire at each visit, written by the patient in the portal and read by staff on the
progress page.

The rules are the core's (``anagen.core.patient_reported``); this module words their problems in
the reader's language, stores, and audits every read and write. The portal sits above outcomes,
so its views call these use cases with the signed-in patient (``portal.permissions``).

Nothing here is a measurement: ``outcomes.progress`` (the response, the forecast and its
non-responder rule) and ``outcomes.outlook`` never read these models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.core.errors import FieldError, InvalidInput
from anagen.core.patient_reported import (
    MAX_DIARY_COUNT,
    Problem,
    SelfRatedChange,
    diary_entry_problems,
    reported_outcome_problems,
)
from anagen.outcomes.charts import Chart, Series, render_svg
from anagen.outcomes.models import ReportedOutcome, SheddingDiaryEntry
from anagen.patients.models import Patient
from anagen.scheduling.models import Appointment
from anagen.scheduling.models import Status as AppointmentStatus

# The answers as the patient reads them (the questionnaire's radio buttons and the staff table).
CHANGE_LABELS = {
    SelfRatedChange.MUCH_WORSE: pgettext_lazy("hair change", "Much worse"),
    SelfRatedChange.MODERATELY_WORSE: pgettext_lazy("hair change", "Moderately worse"),
    SelfRatedChange.SLIGHTLY_WORSE: pgettext_lazy("hair change", "Slightly worse"),
    SelfRatedChange.NO_CHANGE: pgettext_lazy("hair change", "No change"),
    SelfRatedChange.SLIGHTLY_BETTER: pgettext_lazy("hair change", "Slightly better"),
    SelfRatedChange.MODERATELY_BETTER: pgettext_lazy("hair change", "Moderately better"),
    SelfRatedChange.MUCH_BETTER: pgettext_lazy("hair change", "Much better"),
}
SATISFACTION_LABELS = {
    1: pgettext_lazy("satisfaction", "Very dissatisfied"),
    2: pgettext_lazy("satisfaction", "Dissatisfied"),
    3: pgettext_lazy("satisfaction", "Neither satisfied nor dissatisfied"),
    4: pgettext_lazy("satisfaction", "Satisfied"),
    5: pgettext_lazy("satisfaction", "Very satisfied"),
}

FIELD_NAMES = {
    "hairs_shed": gettext_lazy("Hairs shed"),
    "comb_count": gettext_lazy("60-second comb count"),
    "change": gettext_lazy("Change in your hair"),
    "satisfaction": gettext_lazy("Satisfaction"),
}


def registered_on(patient: Patient) -> dt.date:
    """The day the patient was registered at the clinic (in the clinic's zone)."""
    return timezone.localdate(patient.created_at)


def _message(name: str, problem: Problem, patient: Patient) -> str:
    if problem is Problem.IN_FUTURE:
        return _("Date: a day in the future cannot be recorded.")
    if problem is Problem.BEFORE_REGISTRATION:
        return _("Date: the day cannot be before you joined the clinic (%(day)s).") % {"day": date_format(registered_on(patient))}
    if name in ("hairs_shed", "comb_count"):
        return _("%(field)s: write a whole number from 0 to %(max)d.") % {"field": FIELD_NAMES[name], "max": MAX_DIARY_COUNT}
    return _("%(field)s: choose one of the answers.") % {"field": FIELD_NAMES[name]}


def _refuse(problems: list[tuple[str, Problem]], patient: Patient) -> None:
    if problems:
        raise InvalidInput([FieldError(name, _message(name, problem, patient)) for name, problem in problems])


# ------------------------------------------------------------------------------ the shedding diary


def own_diary(actor: Actor, patient: Patient) -> list[SheddingDiaryEntry]:
    """The patient's diary, newest day first; the read is audited as the patient."""
    entries = list(SheddingDiaryEntry.objects.filter(patient=patient, clinic_id=patient.clinic_id).order_by("-day"))
    audit.record_read(actor, "shedding_diary", patient.pk, patient.pk)
    return entries


def _already(entry: SheddingDiaryEntry) -> InvalidInput:
    return InvalidInput.single("day", _(
        "Date: you have already recorded %(day)s (%(count)d hairs shed). To change it, tick “Replace my entry for that day” and save again."
    ) % {"day": date_format(entry.day), "count": entry.hairs_shed})


def record_diary_entry(
    actor: Actor, patient: Patient, day: dt.date, hairs_shed: int, comb_count: int | None, *, replace: bool = False,
    today: dt.date | None = None,
) -> tuple[SheddingDiaryEntry, bool]:
    """Record one day of the diary; returns the entry and whether it replaced the day's earlier one.

    A day already in the diary is refused (naming the day and what it holds) unless ``replace`` is
    given: a patient who miscounted expects to correct the day, not to keep two answers for it.
    The replaced values stay in the audit trail. The write and its audit entry are one transaction:
    a refusal writes nothing."""
    today = today or timezone.localdate()
    _refuse(diary_entry_problems(day, hairs_shed, comb_count, registered_on=registered_on(patient), today=today), patient)
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = SheddingDiaryEntry.objects.select_for_update().filter(patient=patient, day=day).first()
            if existing is not None:
                if not replace:
                    raise _already(existing)
                before = {"hairs_shed": existing.hairs_shed, "comb_count": existing.comb_count}
                existing.hairs_shed, existing.comb_count, existing.changed_at = hairs_shed, comb_count, now
                existing.save(update_fields=["hairs_shed", "comb_count", "changed_at"])
                audit.append(actor, Action.UPDATE, object_type="shedding_diary_entry", object_id=existing.pk, patient_id=patient.pk,
                             changes=audit.diff(before, {"hairs_shed": hairs_shed, "comb_count": comb_count}))
                return existing, True
            entry = SheddingDiaryEntry.objects.create(clinic_id=patient.clinic_id, patient=patient, day=day, hairs_shed=hairs_shed,
                                                      comb_count=comb_count, recorded_at=now)
            audit.append(actor, Action.CREATE, object_type="shedding_diary_entry", object_id=entry.pk, patient_id=patient.pk,
                         changes=audit.snapshot_created({"day": day.isoformat(), "hairs_shed": hairs_shed, "comb_count": comb_count}))
            return entry, False
    except IntegrityError:
        # The same day saved at the same moment from another tab: the first one stands.
        existing = SheddingDiaryEntry.objects.filter(patient=patient, day=day).first()
        if existing is None:
            raise
        raise _already(existing) from None


# ------------------------------------------------------------------------------ the questionnaire


def latest_completed_visit(patient: Patient) -> Appointment | None:
    """The patient's most recent completed visit (any kind of appointment), which an answer is for."""
    return (Appointment.objects.filter(patient=patient, clinic_id=patient.clinic_id, status=AppointmentStatus.COMPLETED)
            .order_by("-starts_at", "-id").first())


@dataclass
class Questionnaire:
    """What the questionnaire page shows: the visit an answer would be for, whether it has one,
    and the patient's earlier answers."""

    visit: Appointment | None
    answer: ReportedOutcome | None
    answers: list[ReportedOutcome] = field(default_factory=list)

    @property
    def visit_on(self) -> dt.date | None:
        return timezone.localdate(self.visit.starts_at) if self.visit is not None else None

    @property
    def visit_key(self) -> str:
        """The visit the form was shown for, sent back with the answer."""
        return str(self.visit.pk) if self.visit is not None else "none"


def _questionnaire(patient: Patient) -> Questionnaire:
    visit = latest_completed_visit(patient)
    answers = list(ReportedOutcome.objects.filter(patient=patient, clinic_id=patient.clinic_id).order_by("-answered_at", "-id"))
    answer = next((a for a in answers if a.appointment_id == (visit.pk if visit else None)), None)
    return Questionnaire(visit, answer, answers)


def own_questionnaire(actor: Actor, patient: Patient) -> Questionnaire:
    """The questionnaire for the patient's latest visit and their answers; the read is audited."""
    found = _questionnaire(patient)
    audit.record_read(actor, "reported_outcomes", patient.pk, patient.pk)
    return found


def answer_questionnaire(actor: Actor, patient: Patient, change: int, satisfaction: int, *, visit_key: str) -> ReportedOutcome:
    """Record the patient's answer for their latest completed visit (one answer per visit; before
    any visit, one answer). ``visit_key`` is the visit the form was shown for: if another visit was
    completed since, the answer is refused rather than filed against a visit the patient did not see."""
    _refuse(reported_outcome_problems(change, satisfaction), patient)
    try:
        with transaction.atomic():
            Patient.objects.select_for_update().filter(pk=patient.pk).first()
            current = _questionnaire(patient)
            if current.visit_key != visit_key:
                raise InvalidInput.single("", _("Your latest visit has changed since this page opened: please answer again."))
            if current.answer is not None:
                raise _answered(current)
            visit = current.visit
            answer = ReportedOutcome.objects.create(
                clinic_id=patient.clinic_id, patient=patient, appointment=visit, visit_on=current.visit_on, answered_at=timezone.now(),
                change=change, satisfaction=satisfaction)
            audit.append(actor, Action.CREATE, object_type="reported_outcome", object_id=answer.pk, patient_id=patient.pk,
                         changes=audit.snapshot_created({"appointment": visit.pk if visit else None, "change": change,
                                                         "satisfaction": satisfaction}))
            return answer
    except IntegrityError:
        raise _answered(_questionnaire(patient)) from None


def _answered(current: Questionnaire) -> InvalidInput:
    if current.visit_on is not None:
        message = _("You have already answered for your visit of %(day)s. The next questionnaire opens after your next visit.") % {
            "day": date_format(current.visit_on)}
    else:
        message = _("You have already answered. The next questionnaire opens after your next visit.")
    return InvalidInput.single("", message)


# ------------------------------------------------------------------------------ staff: the progress page


@dataclass
class Reported:
    """What the patient reported, for the progress page: oldest first, with its charts."""

    diary: list[SheddingDiaryEntry]
    answers: list[ReportedOutcome]
    charts: list[tuple[Chart, str]] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, object]]:
        return answer_rows(self.answers)


def answer_rows(answers: list[ReportedOutcome]) -> list[dict[str, object]]:
    """Each answer with its words: the change and the satisfaction as the patient chose them."""
    return [{"answer": a, "change": CHANGE_LABELS[SelfRatedChange(a.change)], "satisfaction": SATISFACTION_LABELS[a.satisfaction]}
            for a in answers]


def reported_by_patient(patient: Patient, sessions: tuple[dt.date, ...] = ()) -> Reported:
    """The patient's diary and questionnaire answers beside the clinic's measurements, with charts
    of their own: never the measurement charts the response is judged on. Reads only: the progress
    page that shows them audits its one read of the patient's progress (``progress.view_progress``),
    as it does for the measurements beside them, rather than a second entry on every page view."""
    diary = list(SheddingDiaryEntry.objects.filter(patient=patient, clinic_id=patient.clinic_id).order_by("day"))
    answers = list(ReportedOutcome.objects.filter(patient=patient, clinic_id=patient.clinic_id).order_by("answered_at", "id"))
    result = Reported(diary, answers)
    charts = []
    if diary:
        charts.append(Chart(
            "chart-reported-shedding", _("Shedding diary (reported by the patient)"), _("hairs"),
            (Series(str(_("hairs shed in the day")), tuple((e.day, float(e.hairs_shed)) for e in diary), "circle", False),
             Series(str(_("60-second comb count")), tuple((e.day, float(e.comb_count)) for e in diary if e.comb_count is not None),
                    "square", True)),
            sessions, y_floor=0, integer_axis=True))
    if answers:
        charts.append(Chart(
            "chart-reported-change", _("Change since starting (reported by the patient, -3 to +3)"), _("score"),
            (Series(str(_("self-rated change")), tuple((_answer_day(a), float(a.change)) for a in answers), "diamond", False),),
            sessions, 0.0, str(_("no change")), y_floor=-3, y_ceiling=3, integer_axis=True))
    result.charts = [(chart, render_svg(chart)) for chart in charts]
    return result


def _answer_day(answer: ReportedOutcome) -> dt.date:
    return answer.visit_on or timezone.localdate(answer.answered_at)
