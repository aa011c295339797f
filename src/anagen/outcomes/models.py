"""Generated progress reports, and the per-patient and per-course summaries the clinic pages read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from anagen.accounts.models import Clinic
from anagen.core.patient_reported import MAX_DIARY_COUNT, SATISFACTION_MAX, SATISFACTION_MIN
from anagen.patients.models import Patient
from anagen.scheduling.models import Appointment
from anagen.treatments.models import Course


class Report(models.Model):
    """A generated progress report (PDF) kept in the ``reports`` storage alias.

    The file is never served from a URL of its own: staff download it through an audited view, and
    the patient portal (issue 10) lists the rows with ``shared_with_patient``. ``sha256`` lets
    anyone check a copy is the file the clinic generated.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="progress_reports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    shared_with_patient = models.BooleanField("shared with the patient", default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "patient", "created_at"], name="report_clinic_patient")]

    def __str__(self) -> str:
        return f"Progress report {self.pk} for patient {self.patient_id}"


class PatientOutlook(models.Model):
    """What the patient page and the clinic dashboard show of one patient's progress: the latest
    response, the non-responder flag and a few counts, rebuilt by ``outcomes.outlook`` whenever
    the patient's record is written.

    ``source_seq`` is the patient's ``audit.PatientWriteMark`` the row was built from: a larger
    mark means a write came after, whichever app wrote. Building a row takes about 10 ms (the
    forecast's non-responder rule without its posterior), so the clinic-wide pages read rows
    instead of classifying every patient on each request.
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    source_seq = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)
    measurement_visits = models.PositiveIntegerField(default=0)
    treatment_sessions = models.PositiveIntegerField(default=0)
    response_class = models.CharField(max_length=10, blank=True)
    response_baseline_on = models.DateField(null=True, blank=True)
    response_follow_up_on = models.DateField(null=True, blank=True)
    response_note = models.TextField(blank=True)
    flagged = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    flagged_days = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "flagged"], name="outlook_clinic_flag")]

    def __str__(self) -> str:
        return f"Outlook of patient {self.patient_id} at entry {self.source_seq}"


class CourseOutcome(models.Model):
    """One course's row in the clinic outcome tables, rebuilt with its patient's outlook.

    Codes and ids, not labels: the tables name diagnoses, therapies and practitioners as they
    are called when the page is read.
    """

    course = models.OneToOneField(Course, on_delete=models.CASCADE, primary_key=True, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    start_date = models.DateField()
    diagnosis = models.CharField(max_length=40, blank=True)
    formulation_as_proposed = models.BooleanField(default=False)
    combinations = models.JSONField(default=list, blank=True)
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    response_class = models.CharField(max_length=10, blank=True, help_text="blank: not assessed yet")
    last_planned_on = models.DateField(null=True, blank=True)
    all_sessions_completed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["clinic", "start_date"], name="courseoutcome_clinic_start")]

    def __str__(self) -> str:
        return f"Outcome of course {self.course_id}"


class ClinicOutlookState(models.Model):
    """How far a clinic's outlooks are up to date: every patient whose write mark is at or below
    ``refreshed_through_seq`` has been rebuilt. ``rules_key`` names the rules the rows were built
    with (the code's version and the clinic's protocol); when it changes, every row is rebuilt."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="+")
    refreshed_through_seq = models.PositiveBigIntegerField(default=0)
    rules_key = models.CharField(max_length=64, blank=True)


# ------------------------------------------------------------------------------ reported by the patient
# Issue 22, item 7: what the patient records in the portal between visits. Shown beside the
# clinic's measurements, labelled as reported by the patient; never read by the response, the
# forecast or the outlooks, which read ``consultations.MeasurementSet`` only.


class SheddingDiaryEntry(models.Model):
    """One day of the patient's shedding diary (``anagen.core.patient_reported``): the hairs the
    patient counted as shed that day, and optionally their 60-second comb count. One entry per day:
    the patient may replace it, and the audit trail keeps what it said before."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="shedding_diary")
    day = models.DateField()
    hairs_shed = models.PositiveSmallIntegerField()
    comb_count = models.PositiveSmallIntegerField("60-second comb count", null=True, blank=True)
    recorded_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "day"], name="shedding_diary_one_entry_per_day"),
            models.CheckConstraint(
                condition=Q(hairs_shed__gte=0, hairs_shed__lte=MAX_DIARY_COUNT)
                & (Q(comb_count__isnull=True) | Q(comb_count__gte=0, comb_count__lte=MAX_DIARY_COUNT)),
                name="shedding_diary_counts_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Shedding diary of patient {self.patient_id} on {self.day}"


class ReportedOutcome(models.Model):
    """The patient's answer to the questionnaire of one visit: the change in their hair since
    starting (-3 much worse .. +3 much better) and their satisfaction (1..5). ``appointment`` is the
    latest completed visit when the patient answered (None before any visit: one such answer)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reported_outcomes")
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    visit_on = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField()
    change = models.SmallIntegerField("change since starting")
    satisfaction = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "appointment"], name="reported_outcome_once_per_visit"),
            models.UniqueConstraint(fields=["patient"], condition=Q(appointment__isnull=True), name="reported_outcome_once_before_visits"),
            models.CheckConstraint(
                condition=Q(change__gte=-3, change__lte=3, satisfaction__gte=SATISFACTION_MIN, satisfaction__lte=SATISFACTION_MAX),
                name="reported_outcome_scores_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Reported outcome of patient {self.patient_id} at visit {self.appointment_id}"
