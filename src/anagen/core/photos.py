"""Standard scalp photographs: the views, the limits an upload must meet, the capture time kept
from EXIF, and the choices behind a before/after comparison.

Pure Python: no Django, no I/O, no clock. Dates and limits are arguments.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from anagen.core.measurements import same_site


class PhotoView(StrEnum):
    """The standard global views and the trichoscopy close-up.

    Source: domain.md §4 ("Standard global photos: vertex, midline part, frontal, temporal; clean
    dry hair, same lighting and head position"), with both temporal sides and the occipital
    (the donor/reference area, domain.md §7 zones) as clinic protocol (configurable: no, fixed
    list of six so every visit is comparable), plus trichoscopy at the recorded target site
    ("compare a patient only with themself at the same site", domain.md §4).
    """

    VERTEX = "vertex"
    MIDLINE_PART = "midline_part"
    FRONTAL = "frontal"
    TEMPORAL_LEFT = "temporal_left"
    TEMPORAL_RIGHT = "temporal_right"
    OCCIPITAL = "occipital"
    TRICHOSCOPY = "trichoscopy"


VIEW_LABELS: dict[PhotoView, str] = {
    PhotoView.VERTEX: "Vertex",
    PhotoView.MIDLINE_PART: "Midline part",
    PhotoView.FRONTAL: "Frontal",
    PhotoView.TEMPORAL_LEFT: "Left temporal",
    PhotoView.TEMPORAL_RIGHT: "Right temporal",
    PhotoView.OCCIPITAL: "Occipital",
    PhotoView.TRICHOSCOPY: "Trichoscopy (at the target site)",
}

# The six global views in the order they are taken at every visit (domain.md §4).
STANDARD_VIEWS: tuple[PhotoView, ...] = (
    PhotoView.VERTEX,
    PhotoView.MIDLINE_PART,
    PhotoView.FRONTAL,
    PhotoView.TEMPORAL_LEFT,
    PhotoView.TEMPORAL_RIGHT,
    PhotoView.OCCIPITAL,
)

# The upload form's choice meaning "the files are the six standard views, in STANDARD_VIEWS order".
IN_STANDARD_ORDER = "standard_order"


class PhotoRuleError(ValueError):
    """An input a photo rule refuses; ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def assign_views(choice: str, count: int) -> list[PhotoView]:
    """The view of each of ``count`` files uploaded together.

    ``choice`` is a PhotoView value (every file is that view) or IN_STANDARD_ORDER (the files are
    the standard views in the order they are taken, domain.md §4: at most six files).
    Source: clinic protocol (configurable: no; the fixed order of STANDARD_VIEWS).
    """
    if count < 1:
        raise PhotoRuleError("files", "Choose at least one photograph.")
    if choice == IN_STANDARD_ORDER:
        if count > len(STANDARD_VIEWS):
            raise PhotoRuleError(
                "files", f"In standard order takes at most {len(STANDARD_VIEWS)} photographs (one per view); {count} were chosen."
            )
        return list(STANDARD_VIEWS[:count])
    try:
        view = PhotoView(choice)
    except ValueError as exc:
        raise PhotoRuleError("view", "Choose the view these photographs show.") from exc
    return [view] * count


def check_upload_limits(size_bytes: int, width: int, height: int, *, max_bytes: int, max_pixels: int) -> None:
    """Refuse a file over the byte or pixel limit (checked on the header, before decoding).

    Source: clinic protocol (configurable: settings ANAGEN_PHOTO_MAX_BYTES, 20 MB, and
    ANAGEN_PHOTO_MAX_PIXELS, 50 megapixels; a header claiming more pixels is a decompression bomb).
    """
    if size_bytes > max_bytes:
        raise PhotoRuleError("files", f"is larger than the limit of {_megabytes(max_bytes)} ({_megabytes(size_bytes)}).")
    if width <= 0 or height <= 0:
        raise PhotoRuleError("files", "has no picture in it.")
    if width * height > max_pixels:
        raise PhotoRuleError(
            "files", f"is {width} × {height} pixels, more than the limit of {max_pixels / 1_000_000:g} megapixels."
        )


def check_request_limits(pixel_counts: list[int], *, max_files: int, max_pixels: int) -> None:
    """Refuse a request with too many files, or whose files together claim too many pixels
    (checked on the headers, before any is decoded): what one request may make the server decode.

    Source: clinic protocol and the server's capacity (issue 19, finding 6: twenty 49-megapixel
    PNGs in one request kept a worker busy past its timeout). Configurable: settings
    ANAGEN_PHOTO_MAX_FILES_PER_REQUEST (12: the standard views with retakes or trichoscopy
    images) and ANAGEN_PHOTO_MAX_PIXELS_PER_REQUEST (100 megapixels: eight 12-megapixel phone
    photographs).
    """
    if len(pixel_counts) > max_files:
        raise PhotoRuleError("files", f"Send at most {max_files} photographs at a time ({len(pixel_counts)} were sent).")
    total = sum(pixel_counts)
    if total > max_pixels:
        raise PhotoRuleError(
            "files", f"These photographs hold {total / 1_000_000:.0f} megapixels together, more than the "
                     f"{max_pixels / 1_000_000:g} megapixels one upload may carry: send them in smaller groups.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def thumbnail_size(width: int, height: int, max_side: int = 320) -> tuple[int, int]:
    """The size of a thumbnail whose longer side is ``max_side`` (never enlarged), aspect kept."""
    if width <= 0 or height <= 0:
        raise ValueError("an image has a positive size")
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


_EXIF_DATETIME = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"^\s*([+-])(\d{2}):(\d{2})\s*$")


def parse_exif_datetime(value: object, offset: object, zone: str) -> dt.datetime | None:
    """The capture moment from EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS"), timezone-aware.

    EXIF stores the camera's local wall time; OffsetTimeOriginal ("+05:30"), when present, gives
    its offset, else the clinic's zone is assumed (the photo was taken in the clinic).
    Unreadable or impossible values give None: the capture time is optional.
    Source: EXIF 2.32 (CIPA DC-008-2019) tags 0x9003 DateTimeOriginal and 0x9011 OffsetTimeOriginal.
    """
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    match = _EXIF_DATETIME.match(value)
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        naive = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if isinstance(offset, bytes):
        offset = offset.decode("ascii", "replace")
    offset_match = _EXIF_OFFSET.match(offset) if isinstance(offset, str) else None
    if offset_match:
        sign, hours, minutes = offset_match.groups()
        delta = dt.timedelta(hours=int(hours), minutes=int(minutes))
        if delta >= dt.timedelta(hours=24):
            return naive.replace(tzinfo=ZoneInfo(zone))
        return naive.replace(tzinfo=dt.timezone(-delta if sign == "-" else delta))
    return naive.replace(tzinfo=ZoneInfo(zone))


def default_comparison_dates(visit_dates: Sequence[dt.date]) -> tuple[dt.date | None, dt.date | None]:
    """Baseline (the first visit) and the latest visit, the default pair to compare.

    Source: domain.md §4 (a patient is compared with themself; trials compare baseline with
    the latest assessment).
    """
    if not visit_dates:
        return None, None
    ordered = sorted(set(visit_dates))
    return ordered[0], ordered[-1]


def count_sessions_between(session_dates: Sequence[dt.date], before: dt.date, after: dt.date) -> int:
    """Sessions performed from the earlier photo date up to, not including, the later one.

    Photographs are taken before the day's session, so a session on the earlier date counts
    (it came after its photographs) and one on the later date does not (its photographs show
    the hair before it). Source: clinic protocol (configurable: no; photographs before injecting).
    """
    start, end = min(before, after), max(before, after)
    return sum(1 for day in session_dates if start <= day < end)


@dataclass(frozen=True)
class MeasurementRef:
    """What the comparison needs to pick a measurement set: its id, date and site."""

    id: int
    measured_on: dt.date
    site_zone: str = ""
    site_offset_cm: Decimal | None = None


def nearest_measurement(
    candidates: Sequence[MeasurementRef],
    on: dt.date,
    *,
    same_site_as: MeasurementRef | None = None,
    max_days: int = 45,
) -> MeasurementRef | None:
    """The measurement set nearest ``on`` (ties: the earlier one), within ``max_days``.

    With ``same_site_as`` only sets at that recorded site (zone and cm behind the hairline)
    qualify, so a follow-up is compared at the baseline's site. Source: domain.md §4 ("Compare a
    patient only with themself at the same site"); the 45-day window is clinic protocol
    (configurable: argument ``max_days``).
    """
    pool = list(candidates)
    if same_site_as is not None and same_site_as.site_zone:
        pool = [
            c for c in pool
            if same_site(same_site_as.site_zone, same_site_as.site_offset_cm, c.site_zone, c.site_offset_cm)
        ]
    pool = [c for c in pool if abs((c.measured_on - on).days) <= max_days]
    if not pool:
        return None
    return min(pool, key=lambda c: (abs((c.measured_on - on).days), c.measured_on, c.id))
