"""Consultations: history, pattern, measurements, blood results, diagnosis and the screening.

A consultation is a draft until a trichologist signs it; a signed consultation is never changed
again (corrections are addenda kept beside it), and its screening result is stored as it was
computed at signing, so later rule changes cannot rewrite what the clinic decided.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from anagen.accounts.models import Clinic
from anagen.core.errors import ImmutableRecord
from anagen.core.labs import LabTest
from anagen.core.measurements import ScalpZone
from anagen.core.scales import Scale
from anagen.patients.models import Patient


def _labels(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]


DIAGNOSIS_CHOICES = [
    ("androgenetic_alopecia", "Androgenetic alopecia (pattern hair loss)"),
    ("telogen_effluvium", "Telogen effluvium"),
    ("diffuse_thinning", "Diffuse thinning (nutritional or hormonal)"),
    ("scalp_condition", "Scalp condition (dry, flaky or oily scalp)"),
    ("prevention", "Prevention (predisposed, no active loss)"),
    ("alopecia_areata", "Alopecia areata (refer to dermatology)"),
    ("scarring_alopecia", "Scarring alopecia (refer to dermatology)"),
    # Issue 17: what clinics also see (core screening.Diagnosis).
    ("tinea_capitis", "Tinea capitis (treat the infection first)"),
    ("frontal_fibrosing_alopecia", "Frontal fibrosing alopecia (scarring: refer to dermatology)"),
    ("lichen_planopilaris", "Lichen planopilaris (scarring: refer to dermatology)"),
    ("discoid_lupus", "Discoid lupus (scarring: refer to dermatology)"),
    ("trichotillomania", "Trichotillomania (refer)"),
    ("traction_alopecia", "Traction alopecia"),
    ("anagen_effluvium", "Anagen effluvium (defer and refer)"),
]

SCALE_CHOICES = [
    (Scale.NORWOOD_HAMILTON.value, "Norwood-Hamilton (men)"),
    (Scale.LUDWIG.value, "Ludwig (women)"),
    (Scale.SINCLAIR.value, "Sinclair (women, part width)"),
    (Scale.SAVIN.value, "Savin (women)"),
]
ZONE_CHOICES = _labels(ScalpZone)
LAB_TEST_CHOICES = [
    (LabTest.FERRITIN.value, "Ferritin"),
    (LabTest.VITAMIN_D.value, "25-OH vitamin D"),
    (LabTest.TSH.value, "TSH"),
    (LabTest.ZINC.value, "Zinc"),
    (LabTest.VITAMIN_B12.value, "Vitamin B12"),
    (LabTest.HAEMOGLOBIN.value, "Haemoglobin"),
]


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Consultation(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="consultations")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    consulted_on = models.DateField("consultation date")
    # The appointment this consultation took place at (issue 20): it becomes "done" when the
    # consultation is signed. A consultation started from a patient's page has none.
    appointment = models.OneToOneField(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="consultation"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    # Presenting complaint
    presenting_complaint = models.TextField("presenting complaint", blank=True)
    complaint_duration_months = models.PositiveSmallIntegerField("duration (months)", null=True, blank=True)
    # History
    history_illness = models.TextField("recent illness, fever or surgery", blank=True)
    history_stress = models.TextField("stress", blank=True)
    history_childbirth_months_ago = models.PositiveSmallIntegerField("childbirth (months ago)", null=True, blank=True)
    history_menopause = models.BooleanField("menopause", default=False)
    history_diet = models.TextField("diet", blank=True)
    family_history = models.TextField("family history of hair loss", blank=True)
    # Medicines, conditions, allergies (codes are anagen.core.screening finding codes)
    medicines = models.TextField("current medicines", blank=True)
    medication_codes = models.JSONField("medicines that matter for screening", default=list, blank=True)
    condition_codes = models.JSONField("conditions", default=list, blank=True)
    allergy_ingredients = models.JSONField("allergies to formulation ingredients", default=list, blank=True)
    allergies_other = models.TextField("other allergies", blank=True)
    # Asked and answered "none": distinct from never asked (the patient header shows "None known"
    # only for this, and "Not recorded" when no consultation has answered the question).
    no_known_allergies = models.BooleanField("no known allergies", default=False)
    pregnant = models.BooleanField(default=False)
    breastfeeding = models.BooleanField(default=False)
    planning_conception = models.BooleanField("planning conception", default=False)
    # Issue 17: what a 5-alpha-reductase inhibitor needs to know (anagen.core.formulation).
    able_to_become_pregnant = models.BooleanField("able to become pregnant", default=False)
    contraception_documented_on = models.DateField("contraception documented on", null=True, blank=True)
    negative_pregnancy_test_on = models.DateField("negative pregnancy test on", null=True, blank=True)
    # Telogen effluvium: the trigger's date (illness, childbirth, surgery, stress), which the
    # forecast and the response's untreated course use (Liyanage & Sinclair 2016).
    te_trigger_on = models.DateField("telogen effluvium trigger date", null=True, blank=True)
    # Scalp examination
    scalp_active_infection = models.BooleanField("active scalp infection", default=False)
    scalp_active_inflammation = models.BooleanField("active scalp inflammation", default=False)
    scarring_alopecia = models.BooleanField("signs of scarring alopecia", default=False)
    pattern_scale = models.CharField("pattern scale", max_length=20, choices=SCALE_CHOICES, blank=True)
    pattern_stage = models.CharField("stage", max_length=12, blank=True)
    # Diagnosis
    diagnosis_primary = models.CharField("primary diagnosis", max_length=30, choices=DIAGNOSIS_CHOICES, blank=True)
    diagnosis_secondary = models.CharField("secondary diagnosis", max_length=30, choices=DIAGNOSIS_CHOICES, blank=True)
    notes = models.TextField("clinical notes", blank=True)
    # The screening as computed at signing: {"verdict", "combination_recommended", "findings": [...]}
    screening = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-consulted_on", "-id"]
        indexes = [models.Index(fields=["clinic", "patient", "status"], name="consult_clinic_patient")]

    def __str__(self) -> str:
        return f"Consultation {self.pk} ({self.consulted_on})"

    @property
    def is_signed(self) -> bool:
        return self.status == Status.SIGNED

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("signing", False):
            stored = Consultation.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == Status.SIGNED:
                raise ImmutableRecord("a signed consultation cannot be changed; add an addendum")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_signed:
            raise ImmutableRecord("a signed consultation cannot be deleted")
        return super().delete(*args, **kwargs)


class CountedMeasurements(models.Manager["MeasurementSet"]):
    """Measurement visits that count: a voided visit (entered in error) is kept, never deleted,
    but no chart, response, forecast or outlook reads it (issue 17)."""

    def get_queryset(self) -> models.QuerySet[MeasurementSet]:
        return super().get_queryset().filter(voided_at__isnull=True)


class MeasurementSet(models.Model):
    """One visit's scalp measurements, at a recorded site so follow-ups return to it."""

    objects = CountedMeasurements()
    all_objects = models.Manager()

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurement_sets")
    consultation = models.OneToOneField(Consultation, null=True, blank=True, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField("measured on")
    pull_grasped = models.PositiveSmallIntegerField("pull test: hairs grasped", null=True, blank=True)
    pull_extracted = models.PositiveSmallIntegerField("pull test: hairs extracted", null=True, blank=True)
    wash_shed_count = models.PositiveIntegerField("wash test: hairs shed", null=True, blank=True)
    wash_short_count = models.PositiveIntegerField("wash test: hairs 3 cm or shorter", null=True, blank=True)
    comb_count = models.PositiveIntegerField("60-second comb count", null=True, blank=True)
    site_zone = models.CharField("trichoscopy site: zone", max_length=20, choices=ZONE_CHOICES, blank=True)
    site_offset_cm = models.DecimalField("site: cm behind the hairline", max_digits=4, decimal_places=1, null=True, blank=True)
    site_note = models.CharField("site description", max_length=200, blank=True, help_text='e.g. "midline, 10 cm behind the hairline"')
    density_per_cm2 = models.DecimalField("density (hairs/cm²)", max_digits=5, decimal_places=1, null=True, blank=True)
    thin_hairs_pct = models.DecimalField("hairs under 30 µm (%)", max_digits=4, decimal_places=1, null=True, blank=True)
    mean_shaft_diameter_um = models.DecimalField("mean shaft diameter (µm)", max_digits=5, decimal_places=1, null=True, blank=True)
    terminal_to_vellus_ratio = models.DecimalField("terminal:vellus ratio", max_digits=6, decimal_places=2, null=True, blank=True)
    anagen_pct = models.DecimalField("anagen (%)", max_digits=4, decimal_places=1, null=True, blank=True)
    telogen_pct = models.DecimalField("telogen (%)", max_digits=4, decimal_places=1, null=True, blank=True)
    yellow_dots_count = models.PositiveIntegerField("yellow dots", null=True, blank=True)
    global_photo_score = models.SmallIntegerField("global photographic assessment (-3 to +3)", null=True, blank=True)
    # Issue 17: a follow-up visit recorded in error is voided with a reason (audited), never deleted.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    void_reason = models.TextField("reason the visit was voided", blank=True)

    class Meta:
        ordering = ["measured_on", "id"]
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["patient", "measured_on"], name="measure_patient_date")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.consultation_id and self.consultation.is_signed and not kwargs.pop("signing", False):
            raise ImmutableRecord("measurements of a signed consultation cannot be changed")
        super().save(*args, **kwargs)


class LabResult(models.Model):
    """A blood result exactly as the lab reported it: value, unit and the lab's own range."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="lab_results")
    consultation = models.ForeignKey(Consultation, null=True, blank=True, on_delete=models.PROTECT, related_name="lab_results")
    test = models.CharField(max_length=20, choices=LAB_TEST_CHOICES)
    value = models.DecimalField(max_digits=9, decimal_places=3)
    unit = models.CharField(max_length=12)
    reference_low = models.DecimalField("lab range: low", max_digits=9, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField("lab range: high", max_digits=9, decimal_places=3, null=True, blank=True)
    collected_on = models.DateField("sample date", null=True, blank=True)
    # Issue 17: a clinician reviewed this result (an abnormal one defers telogen effluvium and
    # diffuse thinning until then); cleared when the value changes.
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["test"]
        constraints = [models.UniqueConstraint(fields=["consultation", "test"], name="lab_one_result_per_test_per_consultation")]


class ScreeningAcknowledgement(models.Model):
    """A trichologist's written acknowledgement of one caution finding."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="acknowledgements")
    code = models.CharField(max_length=40)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "code"], name="ack_once_per_code")]


class ScreeningDeferral(models.Model):
    """The review date set for a deferred patient; booking is blocked until then."""

    consultation = models.OneToOneField(Consultation, on_delete=models.PROTECT, related_name="deferral")
    review_on = models.DateField("review date")
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class Addendum(models.Model):
    """A correction or addition to a signed consultation, kept beside the original."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField("reason for the addendum", max_length=300)
    text = models.TextField("addendum")

    class Meta:
        ordering = ["created_at", "id"]
