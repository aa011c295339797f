"""Standard scalp photographs, grouped by patient and visit date.

The picture files live in the ``photos`` storage (never a static or media URL) under random names;
a row records what is needed to serve, verify and compare them. Photographs are never deleted
from the staff interface.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.consultations.models import ZONE_CHOICES
from anagen.core.photos import PhotoView
from anagen.patients.models import Patient

# The views' names in the reader's language: the English of anagen.core.photos.VIEW_LABELS, lazy.
VIEW_LABELS = {
    PhotoView.VERTEX: _("Vertex"),
    PhotoView.MIDLINE_PART: _("Midline part"),
    PhotoView.FRONTAL: _("Frontal"),
    PhotoView.TEMPORAL_LEFT: _("Left temporal"),
    PhotoView.TEMPORAL_RIGHT: _("Right temporal"),
    PhotoView.OCCIPITAL: _("Occipital"),
    PhotoView.TRICHOSCOPY: _("Trichoscopy (at the target site)"),
}
VIEW_CHOICES = [(view.value, VIEW_LABELS[view]) for view in PhotoView]


class ImageFormat(models.TextChoices):
    JPEG = "JPEG", "JPEG"
    PNG = "PNG", "PNG"
    WEBP = "WEBP", "WebP"


CONTENT_TYPES = {ImageFormat.JPEG: "image/jpeg", ImageFormat.PNG: "image/png", ImageFormat.WEBP: "image/webp"}
EXTENSIONS = {ImageFormat.JPEG: "jpg", ImageFormat.PNG: "png", ImageFormat.WEBP: "webp"}


class Photo(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="photos")
    visit_date = models.DateField("visit date")
    consultation = models.ForeignKey(
        "consultations.Consultation", null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    treatment_session = models.ForeignKey(
        "procedures.TreatmentSession", null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    view = models.CharField(max_length=20, choices=VIEW_CHOICES)
    # Trichoscopy only: where the dermatoscope was placed (as MeasurementSet.site_*).
    site_zone = models.CharField("trichoscopy site: zone", max_length=20, choices=ZONE_CHOICES, blank=True)
    site_offset_cm = models.DecimalField("site: cm behind the hairline", max_digits=4, decimal_places=1, null=True, blank=True)
    site_note = models.CharField("site description", max_length=200, blank=True)

    file_name = models.CharField(max_length=100, unique=True)
    thumbnail_name = models.CharField(max_length=100, unique=True)
    # Thumbnails are made after the upload, by the worker (anagen.photos.services.make_thumbnail).
    has_thumbnail = models.BooleanField(default=True)
    image_format = models.CharField(max_length=4, choices=ImageFormat.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField("stored size (bytes)")
    sha256 = models.CharField("SHA-256 of the stored file", max_length=64)
    captured_at = models.DateTimeField("taken at (from the camera)", null=True, blank=True)
    # Taken by the patient at home and uploaded in the portal (issue 22, item 7): ``visit_date`` is
    # the day taken, ``uploaded_by`` the patient's portal user. Shown to staff labelled, never
    # measured (no hair count, no comparison pair or report photograph is made from one).
    taken_by_patient = models.BooleanField("taken by the patient at home", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit_date", "id"]
        indexes = [models.Index(fields=["clinic", "patient", "visit_date"], name="photo_patient_visit")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(view="trichoscopy") | (models.Q(site_zone="") & models.Q(site_offset_cm__isnull=True)),
                name="photo_site_only_for_trichoscopy",
            ),
            models.CheckConstraint(condition=~models.Q(view="trichoscopy") | ~models.Q(site_zone=""), name="photo_trichoscopy_has_site"),
        ]

    def __str__(self) -> str:
        return f"Photo {self.pk} ({self.view}, {self.visit_date})"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[ImageFormat(self.image_format)]

    @property
    def view_label(self) -> str:
        return str(VIEW_LABELS[PhotoView(self.view)])

    @property
    def site_label(self) -> str:
        if self.view != PhotoView.TRICHOSCOPY:
            return ""
        parts = [self.get_site_zone_display()]
        if self.site_offset_cm is not None:
            parts.append(_gettext("%(cm)s cm behind the hairline") % {"cm": self.site_offset_cm})
        if self.site_note:
            parts.append(self.site_note)
        return ", ".join(p for p in parts if p)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("photographs stay in the clinical record; they are never deleted")


class Dermatoscope(models.Model):
    """A clinic's camera or dermatoscope and its scale: how many micrometres one pixel of its
    trichoscopy pictures covers (from its calibration slide or a ruler photographed with it)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("camera or dermatoscope", max_length=100)
    micrometres_per_pixel = models.DecimalField("micrometres per pixel", max_digits=6, decimal_places=3)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="dermatoscope_name_per_clinic"),
            models.CheckConstraint(condition=models.Q(micrometres_per_pixel__gt=0), name="dermatoscope_scale_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.micrometres_per_pixel} µm/px)"


class HairCount(models.Model):
    """Hairs counted and measured on one trichoscopy photograph: the automatic marks as measured,
    the clinician's changes (marks removed, marks added), and where the figures were filed.

    ``automatic`` holds the measurement as it came out (each hair's position, path, length and
    diameter; area, blur, glare, quality notes); it is never changed afterwards. The ``auto_*``
    figures are those of the automatic marks, the ``final_*`` ones those after the changes."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="hair_counts")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="hair_counts")
    dermatoscope = models.ForeignKey(Dermatoscope, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    micrometres_per_pixel = models.DecimalField("micrometres per pixel", max_digits=6, decimal_places=3)
    automatic = models.JSONField()
    removed = models.JSONField(default=list)  # indexes into automatic["hairs"]
    added = models.JSONField(default=list)  # [{"x_px", "y_px", "diameter_um" (or null)}]
    area_cm2 = models.FloatField()
    auto_count = models.PositiveIntegerField("automatic count")
    auto_density_per_cm2 = models.FloatField()
    auto_median_diameter_um = models.FloatField(null=True)
    auto_vellus_share = models.FloatField(null=True)
    final_count = models.PositiveIntegerField("count after correction")
    final_density_per_cm2 = models.FloatField()
    final_median_diameter_um = models.FloatField(null=True)
    final_vellus_share = models.FloatField(null=True)
    measured_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    measured_at = models.DateTimeField(auto_now_add=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(null=True, blank=True)
    filed_to = models.ForeignKey(
        "consultations.MeasurementSet", null=True, blank=True, on_delete=models.PROTECT, related_name="hair_counts"
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-measured_at", "-id"]
        indexes = [models.Index(fields=["clinic", "patient"], name="haircount_patient")]

    def __str__(self) -> str:
        return f"Hair count {self.pk} on photo {self.photo_id}"

    @property
    def corrected(self) -> bool:
        return bool(self.removed or self.added)
