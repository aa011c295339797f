"""The progress report: its content (progress, charts, photographs, aftercare, next steps), the
PDF stored under the ``reports`` alias, and sharing it with the patient; every step audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import uuid
from collections import defaultdict
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from anagen.accounts.models import Clinic, User, content_language, document_language
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.core import display
from anagen.core.errors import NotFound
from anagen.outcomes.models import Report
from anagen.outcomes.pdf import ReportContent, build_pdf
from anagen.outcomes.progress import (
    Progress,
    chart_svgs,
    get_patient_for_outcomes,
    patient_progress,
)
from anagen.patients.models import Patient
from anagen.photos.models import Photo
from anagen.procedures.services import aftercare_sheet
from anagen.scheduling.models import Appointment
from anagen.scheduling.models import Status as AppointmentStatus
from anagen.ui import labels

logger = logging.getLogger(__name__)

# Marked with gettext_noop and translated where shown (the report is printed in the patient's language).
NEXT_STEP_TEXT = {
    "continue_maintenance": gettext_noop("Continue maintenance sessions"),
    "review_and_consider_combination": gettext_noop("Review the plan and consider a combination therapy"),
    "stop_and_review_diagnosis": gettext_noop("Stop mesotherapy and review the diagnosis"),
    "continue_intensive_phase": gettext_noop("Continue the intensive phase as planned"),
    "review_expected_shed": gettext_noop("Review at the next visit: more shedding in the first weeks of minoxidil is expected"),
}


def _photo_pairs(patient: Patient) -> tuple[list[dict[str, Any]], str]:
    """Baseline and latest photograph of each view. Defensive: if the photos table cannot be read
    (not migrated yet), the report says no photos were taken."""
    try:
        # The clinic's own photographs only: the patient's taken at home are not standard views.
        photos = list(Photo.objects.filter(patient=patient, taken_by_patient=False).order_by("visit_date", "id"))
    except Exception:  # noqa: BLE001 - a missing table must not stop the report
        logger.warning("photos unavailable for a progress report", exc_info=True)
        return [], "No photographs were taken."
    by_view: dict[str, list[Any]] = defaultdict(list)
    for photo in photos:
        by_view[str(getattr(photo, "view", ""))].append(photo)
    pairs = []
    for view, items in by_view.items():
        first, last = items[0], items[-1]
        pairs.append({"view": labels.label(view, "photo_view"), "baseline": _photo_bytes(first), "latest": _photo_bytes(last) if last is not first else None,
                      "baseline_date": getattr(first, "visit_date", None), "latest_date": getattr(last, "visit_date", None) if last is not first else None})
    return pairs, "" if pairs else "No photographs were taken."


def _photo_bytes(photo: Any) -> bytes | None:
    for name in ("file_name", "image", "file"):
        stored = getattr(photo, name, None)
        if stored:
            try:
                storage = storages["photos"]
                with storage.open(getattr(stored, "name", str(stored)), "rb") as handle:
                    return handle.read()
            except Exception:  # noqa: BLE001 - an unreadable file is reported as missing
                logger.warning("a photo file could not be read for a report", exc_info=True)
                return None
    return None


def next_steps(progress: Progress) -> list[str]:
    steps = []
    if progress.non_responder is not None:
        steps.append(progress.non_responder.message)
    if progress.response is not None:
        r = progress.response
        text = _(NEXT_STEP_TEXT[r.next_step.value]) if r.next_step.value in NEXT_STEP_TEXT else r.next_step.value
        course = progress.course
        if r.next_step.value == "continue_intensive_phase" and course is not None:
            done = min(len(progress.course_sessions_done), course.intensive_sessions)
            text += " " + _("(session %(done)s of %(total)s done)") % {"done": done, "total": course.intensive_sessions}
        if r.maintenance_interval_days:
            text += _(", about every %(days)s days") % {"days": r.maintenance_interval_days}
        steps.append(text + ".")
        if r.early_assessment:
            steps.append(_("This assessment is early and provisional; the next measurements will say more."))
    course = progress.course
    if course is not None:
        upcoming = Appointment.objects.filter(
            clinic_id=course.clinic_id, patient=progress.patient, status=AppointmentStatus.BOOKED,
            starts_at__date__gte=progress.today,
        ).order_by("starts_at").first()
        if upcoming is not None:
            steps.append(_("Next appointment: %(moment)s (%(kind)s).") % {
                "moment": display.moment(timezone.localtime(upcoming.starts_at)), "kind": upcoming.get_kind_display()})
    steps.append(_("Measurements are repeated at the same scalp site every 6-12 weeks so changes can be compared fairly."))
    return steps


def report_content(progress: Progress, clinic: Clinic, author: str) -> ReportContent:
    pairs, note = _photo_pairs(progress.patient)
    ingredients = list(progress.course.formulation.components.values_list("ingredient", flat=True)) if progress.course else []
    return ReportContent(clinic, progress, progress.today, author, chart_svgs(progress, for_pdf=True), pairs, note,
                         aftercare_sheet(clinic, content_language(translation.get_language() or ""), ingredients), next_steps(progress))


def generate_report(actor: Actor, clinic: Clinic | None, patient_id: int, author: User, today: dt.date,
                    language: str | None = None) -> Report:
    """Build the PDF, store it under the ``reports`` alias and record it, audited as an export.
    The report is written in the patient's preferred language unless ``language`` asks for another
    (staff printing for a relative).
    The file is written before the row; if the row or the audit entry fails the file is removed,
    so no report row ever points at a missing file."""
    patient = get_patient_for_outcomes(actor, clinic, patient_id)
    progress = patient_progress(patient, today)
    with translation.override(document_language(language, patient.preferred_language)):
        data = build_pdf(report_content(progress, patient.clinic, author.get_full_name() or author.username))
    digest = hashlib.sha256(data).hexdigest()
    storage = storages["reports"]
    name = storage.save(f"clinic-{patient.clinic_id}/patient-{patient.pk}/progress-{today:%Y%m%d}-{uuid.uuid4().hex[:12]}.pdf", ContentFile(data))
    try:
        with transaction.atomic():
            report = Report.objects.create(clinic=patient.clinic, patient=patient, created_by=author, file_name=name,
                                           size_bytes=len(data), sha256=digest)
            audit.append(actor, Action.EXPORT, object_type="progress_report", object_id=report.pk, patient_id=patient.pk,
                         changes={"file_name": {"old": None, "new": name}, "sha256": {"old": None, "new": digest}})
    except Exception:
        storage.delete(name)
        raise
    return report


def reports_for(patient: Patient) -> list[Report]:
    return list(Report.objects.filter(patient=patient).select_related("created_by"))


def get_report(actor: Actor, clinic: Clinic | None, report_id: int) -> Report:
    if clinic is None:
        raise NotFound
    report = Report.objects.select_related("patient").filter(pk=report_id, clinic=clinic).first()
    if report is None:
        raise NotFound
    return report


def open_report(actor: Actor, clinic: Clinic | None, report_id: int) -> tuple[Report, io.BufferedReader | Any]:
    """The stored file of a report, its download audited as an export."""
    report = get_report(actor, clinic, report_id)
    handle = storages["reports"].open(report.file_name, "rb")
    audit.append(actor, Action.EXPORT, object_type="progress_report_download", object_id=report.pk, patient_id=report.patient_id)
    return report, handle


def set_report_shared(actor: Actor, report: Report, shared: bool) -> Report:
    with transaction.atomic():
        old = report.shared_with_patient
        Report.objects.filter(pk=report.pk).update(shared_with_patient=shared)
        report.shared_with_patient = shared
        audit.append(actor, Action.UPDATE, object_type="progress_report", object_id=report.pk, patient_id=report.patient_id,
                     changes={"shared_with_patient": {"old": old, "new": shared}})
    return report
