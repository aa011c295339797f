"""``anagen hairs``: count and measure the hairs of a trichoscopy image (docs/cli.md).

Input: ``{"image": "<path>", "micrometres_per_pixel": 5.0}``. Output: ``hair_count``,
``area_cm2``, ``density_per_cm2``, ``median_diameter_um``, ``vellus_share``, ``hairs`` (each
``x_px``, ``y_px``, ``length_um``, ``diameter_um``) and ``quality``.
"""

from __future__ import annotations

from typing import Any

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.hairs import HairMeasurement, check_scale, measure_hairs
from anagen.ui.imagefiles import read_image_file

FIELDS = ("image", "micrometres_per_pixel")


def run(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise InvalidInput.single("$", "must be a JSON object")
    errors: list[FieldError] = []
    for name in FIELDS:
        if name not in document:
            errors.append(FieldError(name, "missing field"))
    for name in document:
        if name not in FIELDS:
            errors.append(FieldError(str(name), "unknown field"))
    scale = None
    if "micrometres_per_pixel" in document:
        try:
            scale = check_scale(document["micrometres_per_pixel"])
        except InvalidInput as exc:
            errors.extend(exc.errors)
    image = None
    if "image" in document:
        path = document["image"]
        if not isinstance(path, str) or not path.strip():
            errors.append(FieldError("image", "must be the path of a picture file"))
        else:
            try:
                image = read_image_file(path)
            except InvalidInput as exc:
                errors.extend(exc.errors)
    if errors or image is None or scale is None:
        raise InvalidInput(errors or [FieldError("image", "missing field")])
    return as_json(measure_hairs(image, scale))


def as_json(m: HairMeasurement) -> dict[str, Any]:
    median = m.median_diameter_um
    vellus = m.vellus_share
    return {
        "hair_count": m.hair_count,
        "area_cm2": round(m.area_cm2, 5),
        "density_per_cm2": round(m.density_per_cm2, 1),
        "median_diameter_um": None if median is None else round(median, 1),
        "vellus_share": None if vellus is None else round(vellus, 3),
        "hairs": [
            {"x_px": round(h.x_px, 1), "y_px": round(h.y_px, 1), "length_um": round(h.length_um, 1),
             "diameter_um": round(h.diameter_um, 1)}
            for h in m.hairs
        ],
        "quality": {
            "ok": not m.notes,
            "blur_um": round(m.blur_um, 1),
            "glare_share": round(m.glare_share, 4),
            "notes": [{"code": str(n.code), "message": n.message} for n in m.notes],
        },
    }
