"""Hair counting and shaft measurement on trichoscopy images of clipped hair.

Pure: an image array and its scale (micrometres per pixel) in, figures out; no file, no clock.
The method, its sources and its validation on synthetic phantoms: docs/hair-measurement.md.
"""

from anagen.core.hairs.measure import (
    MAX_MICROMETRES_PER_PIXEL,
    MIN_MICROMETRES_PER_PIXEL,
    VELLUS_MAX_DIAMETER_UM,
    Hair,
    HairFigures,
    HairMeasurement,
    QualityCode,
    QualityNote,
    check_scale,
    diameter_at,
    figures,
    measure_hairs,
)

__all__ = [
    "MAX_MICROMETRES_PER_PIXEL",
    "MIN_MICROMETRES_PER_PIXEL",
    "VELLUS_MAX_DIAMETER_UM",
    "Hair",
    "HairFigures",
    "HairMeasurement",
    "QualityCode",
    "QualityNote",
    "check_scale",
    "diameter_at",
    "figures",
    "measure_hairs",
]
