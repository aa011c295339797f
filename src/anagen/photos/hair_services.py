"""Hair counts on trichoscopy photographs: measure, correct the marks, file the figures.

Use cases (each in one transaction, each read and write audited):

- :func:`measure_photo`: count and measure the hairs of a trichoscopy photograph at the scale of
  a calibrated dermatoscope (anagen.core.hairs), keeping the automatic marks as measured;
- :func:`toggle_mark`: the clinician clicks the picture: a click on a mark removes it, a click
  elsewhere adds a mark (its shaft diameter measured at the click); the figures follow;
- :func:`file_figures`: "Use these figures": density, mean shaft diameter and the share under
  30 µm go into a visit's trichoscopy values; the automatic and corrected counts stay on the
  hair count with who measured, corrected and filed them;
- dermatoscopes: the clinic's cameras and their micrometres per pixel.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anagen.accounts.models import Clinic, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, read_page
from anagen.audit.services import Actor
from anagen.consultations.models import MeasurementSet
from anagen.core.errors import FieldError, InvalidInput, NotFound
from anagen.core.hairs import HairMeasurement, check_scale, diameter_at, figures, measure_hairs
from anagen.core.photos import PhotoView
from anagen.patients.models import Patient
from anagen.photos.models import Dermatoscope, HairCount, Photo
from anagen.photos.services import open_file
from anagen.ui.imagefiles import decode_image

# A click this close to a shaft (or an added mark) is a click on that mark, in pixels of the
# picture; the page draws marks at least this wide.
CLICK_REACH_PX = 14.0


# --- dermatoscopes -----------------------------------------------------------------------------


def dermatoscopes(clinic: Clinic, *, active_only: bool = False) -> list[Dermatoscope]:
    rows = Dermatoscope.objects.filter(clinic=clinic)
    return list(rows.filter(active=True) if active_only else rows)


def save_dermatoscope(actor: Actor, clinic: Clinic, name: str, micrometres_per_pixel: Decimal,
                      active: bool = True, dermatoscope_id: int | None = None) -> Dermatoscope:
    name = name.strip()
    errors = []
    if not name:
        errors.append(("name", _("Name the camera or dermatoscope.")))
    try:
        check_scale(float(micrometres_per_pixel) if micrometres_per_pixel is not None else None)
    except InvalidInput as exc:
        errors.append(("micrometres_per_pixel", exc.errors[0].message))
    clash = Dermatoscope.objects.filter(clinic=clinic, name=name).exclude(pk=dermatoscope_id).exists()
    if clash:
        errors.append(("name", _("This clinic already has a camera of that name.")))
    if errors:
        raise InvalidInput(FieldError(f, m) for f, m in errors)
    with transaction.atomic():
        if dermatoscope_id is None:
            device = Dermatoscope.objects.create(clinic=clinic, name=name, micrometres_per_pixel=micrometres_per_pixel, active=active)
            audit.append(actor, Action.CREATE, object_type="dermatoscope", object_id=device.pk, patient_id=None,
                         changes=audit.snapshot_created({"name": name, "micrometres_per_pixel": micrometres_per_pixel, "active": active}))
        else:
            device = Dermatoscope.objects.select_for_update().filter(clinic=clinic, pk=dermatoscope_id).first()
            if device is None:
                raise NotFound
            before = {"name": device.name, "micrometres_per_pixel": device.micrometres_per_pixel, "active": device.active}
            device.name, device.micrometres_per_pixel, device.active = name, micrometres_per_pixel, active
            device.save()
            audit.append(actor, Action.UPDATE, object_type="dermatoscope", object_id=device.pk, patient_id=None,
                         changes=audit.diff(before, {"name": name, "micrometres_per_pixel": micrometres_per_pixel, "active": active}))
    return device


# --- measuring ---------------------------------------------------------------------------------


def _picture(photo: Photo) -> np.ndarray:
    with open_file(photo, thumbnail=False) as handle:
        return decode_image(handle.read(), "photo")


def _automatic(m: HairMeasurement) -> dict[str, Any]:
    return {
        "width_px": m.width_px, "height_px": m.height_px, "area_cm2": m.area_cm2, "blur_um": m.blur_um,
        "glare_share": m.glare_share,
        "notes": [{"code": str(n.code), "message": n.message} for n in m.notes],
        "hairs": [
            {"x_px": round(h.x_px, 1), "y_px": round(h.y_px, 1), "length_um": round(h.length_um, 1),
             "diameter_um": round(h.diameter_um, 1), "path_px": [list(p) for p in h.path_px]}
            for h in m.hairs
        ],
    }


def measure_photo(actor: Actor, photo: Photo, *, by: User, dermatoscope_id: int | None,
                  micrometres_per_pixel: Decimal | None) -> HairCount:
    """Count and measure the hairs of a trichoscopy photograph. The scale comes from one of the
    clinic's dermatoscopes, or is given. Raises InvalidInput naming ``photo``, ``dermatoscope``
    or ``micrometres_per_pixel``."""
    if photo.taken_by_patient:
        raise InvalidInput.single("photo", _("A photograph the patient took at home is never measured: choose one the clinic took."))
    if photo.view != PhotoView.TRICHOSCOPY:
        raise InvalidInput.single("photo", _("Hairs are measured on trichoscopy images only."))
    device = None
    if dermatoscope_id is not None:
        device = Dermatoscope.objects.filter(clinic_id=photo.clinic_id, pk=dermatoscope_id, active=True).first()
        if device is None:
            raise InvalidInput.single("dermatoscope", _("Choose one of the clinic's dermatoscopes."))
        scale = device.micrometres_per_pixel
    elif micrometres_per_pixel is not None:
        scale = micrometres_per_pixel
    else:
        raise InvalidInput.single("dermatoscope", _("Choose the dermatoscope the image was taken with, or give its scale."))
    mpp = check_scale(float(scale))
    measurement = measure_hairs(_picture(photo), mpp)
    auto = figures([h.diameter_um for h in measurement.hairs], measurement.area_cm2)
    with transaction.atomic():
        count = HairCount.objects.create(
            clinic_id=photo.clinic_id, patient_id=photo.patient_id, photo=photo, dermatoscope=device,
            micrometres_per_pixel=Decimal(str(scale)), automatic=_automatic(measurement), area_cm2=measurement.area_cm2,
            auto_count=auto.hair_count, auto_density_per_cm2=auto.density_per_cm2,
            auto_median_diameter_um=auto.median_diameter_um, auto_vellus_share=auto.vellus_share,
            final_count=auto.hair_count, final_density_per_cm2=auto.density_per_cm2,
            final_median_diameter_um=auto.median_diameter_um, final_vellus_share=auto.vellus_share,
            measured_by=by,
        )
        audit.append(actor, Action.CREATE, object_type="hair_count", object_id=count.pk, patient_id=photo.patient_id,
                     changes=audit.snapshot_created({
                         "photo": photo.pk, "micrometres_per_pixel": count.micrometres_per_pixel,
                         "auto_count": auto.hair_count, "auto_density_per_cm2": round(auto.density_per_cm2, 1),
                     }))
    return count


def list_hair_counts(actor: Actor, clinic: Clinic | None, patient_id: int, *, page: int = 1, page_size: int = 25) -> Page[HairCount]:
    """A patient's hair counts, newest first; each one listed audited as read."""
    if clinic is None or not Patient.objects.filter(clinic=clinic, pk=patient_id).exists():
        raise NotFound
    records = HairCount.objects.filter(clinic=clinic, patient_id=patient_id).order_by("-measured_at", "-id")
    return read_page(actor, "hair_count", records, page, page_size)


def get_hair_count(actor: Actor, clinic: Clinic | None, count_id: int) -> HairCount:
    """A hair count of the actor's clinic (else 404), its read audited."""
    if clinic is None:
        raise NotFound
    count = HairCount.objects.select_related("photo", "patient", "measured_by", "corrected_by", "filed_by", "filed_to").filter(
        clinic=clinic, pk=count_id).first()
    if count is None:
        raise NotFound
    audit.record_read(actor, "hair_count", count.pk, count.patient_id)
    return count


@dataclass(frozen=True)
class Mark:
    """A mark on the picture: an automatic one (``index`` into the automatic hairs) or one the
    clinician added (``index`` into ``added``)."""

    kind: str  # "auto" | "added"
    index: int
    x_px: float
    y_px: float
    diameter_um: float | None
    path_px: tuple[tuple[float, float], ...]

    @property
    def vellus(self) -> bool:
        return self.diameter_um is not None and self.diameter_um < 30.0

    @property
    def svg_points(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.path_px)


def marks(count: HairCount) -> list[Mark]:
    removed = set(count.removed)
    out = [Mark("auto", i, h["x_px"], h["y_px"], h["diameter_um"], tuple(tuple(p) for p in h.get("path_px", ())))
           for i, h in enumerate(count.automatic["hairs"]) if i not in removed]
    out += [Mark("added", i, a["x_px"], a["y_px"], a["diameter_um"], ()) for i, a in enumerate(count.added)]
    return out


def _distance_to_mark(mark: Mark, x: float, y: float) -> float:
    points = mark.path_px or ((mark.x_px, mark.y_px),)
    best = math.hypot(points[0][0] - x, points[0][1] - y)
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / length2))
        best = min(best, math.hypot(x0 + t * dx - x, y0 + t * dy - y))
    return best


def _refigure(count: HairCount) -> None:
    final = figures([m.diameter_um for m in marks(count)], count.area_cm2)
    count.final_count = final.hair_count
    count.final_density_per_cm2 = final.density_per_cm2
    count.final_median_diameter_um = final.median_diameter_um
    count.final_vellus_share = final.vellus_share


def toggle_mark(actor: Actor, count: HairCount, x_px: float, y_px: float, *, by: User) -> HairCount:
    """A click at (x, y) on the picture: removes the mark under it, or adds one there."""
    width, height = count.automatic["width_px"], count.automatic["height_px"]
    errors = []
    if not (isinstance(x_px, int | float) and math.isfinite(x_px) and 0 <= x_px < width):
        errors.append(("x_px", _("The click must lie on the picture.")))
    if not (isinstance(y_px, int | float) and math.isfinite(y_px) and 0 <= y_px < height):
        errors.append(("y_px", _("The click must lie on the picture.")))
    if errors:
        raise InvalidInput(FieldError(f, m) for f, m in errors)
    if count.filed_to_id is not None:
        raise InvalidInput.single("marks", _("These figures are filed in the visit already; measure the image again to change them."))
    current = marks(count)
    nearest = min(current, key=lambda m: _distance_to_mark(m, x_px, y_px), default=None)
    with transaction.atomic():
        count = HairCount.objects.select_for_update().get(pk=count.pk)
        if nearest is not None and _distance_to_mark(nearest, x_px, y_px) <= CLICK_REACH_PX:
            if nearest.kind == "auto":
                count.removed = sorted({*count.removed, nearest.index})
            else:
                count.added = [a for i, a in enumerate(count.added) if i != nearest.index]
            change = {"removed_mark": {"old": None, "new": f"{round(nearest.x_px)},{round(nearest.y_px)}"}}
        else:
            diameter = diameter_at(_picture(count.photo), float(count.micrometres_per_pixel), x_px, y_px, count.automatic["blur_um"])
            count.added = [*count.added, {"x_px": round(x_px, 1), "y_px": round(y_px, 1),
                                          "diameter_um": None if diameter is None else round(diameter, 1)}]
            change = {"added_mark": {"old": None, "new": f"{round(x_px)},{round(y_px)}"}}
        before = count.final_count
        _refigure(count)
        count.corrected_by = by
        count.corrected_at = timezone.now()
        count.save()
        audit.append(actor, Action.UPDATE, object_type="hair_count", object_id=count.pk, patient_id=count.patient_id,
                     changes={**change, "final_count": {"old": str(before), "new": str(count.final_count)}})
    return count


# --- filing ------------------------------------------------------------------------------------


def visits_to_file_into(count: HairCount) -> list[MeasurementSet]:
    """The patient's visits whose trichoscopy values may still be written: follow-up visits and
    consultations not yet signed."""
    rows = MeasurementSet.objects.filter(clinic_id=count.clinic_id, patient_id=count.patient_id).select_related("consultation")
    return [r for r in rows.order_by("-measured_on", "-id") if r.consultation is None or not r.consultation.is_signed]


def _one_place(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def file_figures(actor: Actor, count: HairCount, *, into: int | None, by: User, today: dt.date) -> MeasurementSet:
    """File the hair count's figures as a visit's trichoscopy values: into the visit ``into`` (one
    of :func:`visits_to_file_into`), or into a new follow-up visit on the photograph's date.
    Density, the mean shaft diameter and the share under 30 µm are written; the median diameter
    and both counts stay on the hair count. The site is the photograph's."""
    if count.filed_to_id is not None:
        raise InvalidInput.single("visit", _("These figures are filed already."))
    final = figures([m.diameter_um for m in marks(count)], count.area_cm2)
    values = {
        "density_per_cm2": _one_place(final.density_per_cm2),
        "mean_shaft_diameter_um": _one_place(final.mean_diameter_um),
        "thin_hairs_pct": _one_place(None if final.vellus_share is None else 100 * final.vellus_share),
    }
    if values["density_per_cm2"] is not None and values["density_per_cm2"] > 500:
        raise InvalidInput.single("visit", _("A density over 500 hairs/cm² is implausible: check the marks and the scale."))
    photo = count.photo
    with transaction.atomic():
        count = HairCount.objects.select_for_update().get(pk=count.pk)
        if count.filed_to_id is not None:
            raise InvalidInput.single("visit", _("These figures are filed already."))
        if into is None:
            row = MeasurementSet(clinic_id=count.clinic_id, patient_id=count.patient_id, measured_on=photo.visit_date)
            before: dict[str, Any] = {}
            action = Action.CREATE
        else:
            row = next((r for r in visits_to_file_into(count) if r.pk == into), None)
            if row is None:
                raise InvalidInput.single("visit", _("Choose one of this patient's visits that is not signed."))
            before = {k: getattr(row, k) for k in (*values, "site_zone", "site_offset_cm", "site_note")}
            action = Action.UPDATE
        for field, value in values.items():
            setattr(row, field, value)
        if not row.site_zone:
            row.site_zone, row.site_offset_cm, row.site_note = photo.site_zone, photo.site_offset_cm, photo.site_note
        row.save()
        after = {k: getattr(row, k) for k in (*values, "site_zone", "site_offset_cm", "site_note")}
        audit.append(actor, action, object_type="measurement_set", object_id=row.pk, patient_id=count.patient_id,
                     changes={**audit.diff(before, after), "from_hair_count": {"old": None, "new": str(count.pk)}})
        count.filed_to, count.filed_by, count.filed_at = row, by, timezone.now()
        count.save(update_fields=["filed_to", "filed_by", "filed_at"])
        audit.append(actor, Action.UPDATE, object_type="hair_count", object_id=count.pk, patient_id=count.patient_id,
                     changes={"filed_to": {"old": None, "new": str(row.pk)}, "auto_count": {"old": None, "new": str(count.auto_count)},
                              "final_count": {"old": None, "new": str(count.final_count)},
                              "corrected_by": {"old": None, "new": count.corrected_by.username if count.corrected_by else None}})
    return row


def baseline_for(count: HairCount) -> HairCount | None:
    """The earliest hair count of the same patient at the same site on an earlier visit: the
    baseline to show beside this one, for the same framing."""
    photo = count.photo
    return (
        HairCount.objects.select_related("photo")
        .filter(clinic_id=count.clinic_id, patient_id=count.patient_id, photo__site_zone=photo.site_zone,
                photo__site_offset_cm=photo.site_offset_cm, photo__visit_date__lt=photo.visit_date)
        .order_by("photo__visit_date", "measured_at").first()
    )


def trichoscopy_photos(patient: Patient) -> list[Photo]:
    return list(Photo.objects.filter(patient=patient, view=PhotoView.TRICHOSCOPY, taken_by_patient=False).order_by("-visit_date", "-id"))


def counts_for(patient: Patient) -> list[HairCount]:
    return list(HairCount.objects.filter(patient=patient).select_related("photo", "filed_to").order_by("-measured_at"))
