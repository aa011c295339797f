"""The record of a mesotherapy session: checklist, re-screen, technique, injection map, lots,
pain and immediate reactions, signed by the practitioner. A signed session is never changed;
corrections are addenda."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from anagen.accounts.models import Clinic
from anagen.core.errors import ImmutableRecord
from anagen.patients.models import Patient


class Technique(models.TextChoices):
    NEEDLE = "needle", "Needle (manual)"
    MESOGUN = "mesogun", "Mesogun"


class InjectionStyle(models.TextChoices):
    NAPPAGE = "nappage", "Nappage (many superficial points)"
    POINT_BY_POINT = "point_by_point", "Point by point"


class TreatmentSession(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_sessions")
    appointment = models.OneToOneField("scheduling.Appointment", on_delete=models.PROTECT, related_name="treatment_session")
    course = models.ForeignKey("treatments.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    formulation = models.ForeignKey("treatments.Formulation", on_delete=models.PROTECT, related_name="sessions")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performed_on = models.DateField("session date")
    signed_at = models.DateTimeField()

    # Pre-procedure checklist
    identity_confirmed = models.BooleanField("identity confirmed (name and date of birth)")
    consent_record_id = models.BigIntegerField("treatment consent record")
    fever_today = models.BooleanField("fever or feeling unwell today")
    scalp_infection_today = models.BooleanField("scalp infection or open sores today")
    pregnant_today = models.BooleanField("pregnant or possibly pregnant")
    new_medicines = models.TextField("new medicines since the last visit", blank=True)
    new_medication_codes = models.JSONField(default=list, blank=True)
    # Issue 17: the extended re-screen (False / empty on sessions recorded before it).
    breastfeeding_today = models.BooleanField("breastfeeding", default=False)
    planning_conception_today = models.BooleanField("newly planning conception", default=False)
    scalp_inflammation_today = models.BooleanField("scalp inflammation today", default=False)
    new_condition_codes = models.JSONField("new diagnoses since the last visit", default=list, blank=True)
    new_allergy_codes = models.JSONField("new allergies since the last visit", default=list, blank=True)
    reaction_last_session = models.BooleanField("a reaction after the last session", default=False)
    new_bald_patch = models.BooleanField("a new bald patch", default=False)
    rescreen = models.JSONField("re-screen result", default=dict)
    scalp_cleansed = models.BooleanField("scalp cleansed (antiseptic)")
    numbing_spray = models.BooleanField("numbing spray used")

    # Technique
    technique = models.CharField(max_length=10, choices=Technique.choices)
    needle_gauge = models.PositiveSmallIntegerField("needle gauge (G)", null=True, blank=True)
    needle_length_mm = models.DecimalField("needle length (mm)", max_digits=4, decimal_places=1, null=True, blank=True)
    mesogun_settings = models.CharField("mesogun settings", max_length=200, blank=True)
    depth_mm = models.DecimalField("depth (mm)", max_digits=3, decimal_places=1)
    injection_style = models.CharField("injection style", max_length=20, choices=InjectionStyle.choices)

    # The injection map: [{"zone", "x", "y", "volume_ml"}], x and y fractions of the top-view diagram.
    injection_map = models.JSONField(default=list)
    total_volume_ml = models.DecimalField("total volume (mL)", max_digits=4, decimal_places=2)

    pain_score = models.PositiveSmallIntegerField("pain (0-10)")
    immediate_reactions = models.JSONField("immediate reactions", default=list, blank=True)
    reaction_notes = models.TextField("notes on reactions", blank=True)
    aftercare_language = models.CharField("aftercare sheet language", max_length=5, default="en")

    # At the chair (anagen.core.safety.check_session_draw): the volume drawn from the lots, and the
    # nurse's written reasons when the product or the volumes differ from the prescription. A
    # session with a reason is listed for a trichologist's review (safety.SessionDrawReview).
    drawn_volume_ml = models.DecimalField("volume drawn (mL)", max_digits=5, decimal_places=2, null=True, blank=True)
    product_substitution_reason = models.TextField("reason for a product other than the prescribed one", blank=True)
    volume_discrepancy_reason = models.TextField("reason the volumes differ", blank=True)
    # {"differences": [...], "problems": [...]} as the core found them at signing.
    draw_check = models.JSONField("draw check at signing", default=dict, blank=True)

    class Meta:
        ordering = ["-performed_on", "-id"]
        indexes = [
            models.Index(fields=["clinic", "patient", "performed_on"], name="session_clinic_patient"),
            models.Index(fields=["clinic", "performed_on"], name="session_clinic_performed"),  # sessions in a period
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} on {self.performed_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord("a signed session is never changed; add an addendum")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord("a signed session is never deleted")


class LotUsage(models.Model):
    """Which lot went into which session, how much: the link that answers a recall."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="lot_usages")
    lot = models.ForeignKey("catalog.Lot", on_delete=models.PROTECT, related_name="usages")
    volume_ml = models.DecimalField(max_digits=5, decimal_places=2)
    movement = models.OneToOneField("catalog.StockMovement", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "lot"], name="lot_once_per_session")]
        indexes = [models.Index(fields=["lot", "session"], name="usage_lot_session")]


class SessionAddendum(models.Model):
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField("reason for the addendum", max_length=300)
    text = models.TextField("addendum")

    class Meta:
        ordering = ["created_at", "id"]


class AftercareText(models.Model):
    """A clinic's own aftercare sheet in one language; defaults come from anagen.core.aftercare."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="aftercare_texts")
    language = models.CharField(max_length=5)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="'## Heading' lines, then one '- point' per line.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "language"], name="aftercare_once_per_language")]
