"""Standard scalp photographs: the views, the limits an upload must meet, the capture time kept
from EXIF, and the choices behind a before/after comparison.

Pure Python: no Django, no I/O, no clock. Dates and limits are arguments.

A refused upload is a problem code (``Problem``) with its field and its figures (``params``), so
that each caller words it in the reader's language (the staff upload and the patient's portal in
Hindi or Marathi); ``PhotoRuleError.message`` is the English wording, for logs and the tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any
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


class Problem(Enum):
    """Why a photograph, or an upload of several, is refused: the caller words it for the reader.
    The figures a wording needs are the error's ``params`` (named below)."""

    NO_FILES = "no_files"  # no photograph chosen
    TOO_MANY_IN_ORDER = "too_many_in_order"  # more files than standard views: max, count
    NO_VIEW = "no_view"  # a view that is not one of PhotoView
    TOO_LARGE = "too_large"  # a file over the byte limit: limit_mb, size_mb (megabytes, one decimal)
    NO_PICTURE = "no_picture"  # a header of zero width or height
    TOO_MANY_PIXELS = "too_many_pixels"  # a header over the pixel limit: width, height, limit_megapixels
    TOO_MANY_FILES = "too_many_files"  # more files than one request may carry: max, count
    REQUEST_TOO_LARGE = "request_too_large"  # the files' pixels together: megapixels, limit_megapixels
    # Found while reading the file (anagen.photos.services), worded by the same callers:
    NOT_AN_IMAGE = "not_an_image"  # not a JPEG, PNG or WebP image
    CLAIMS_TOO_MANY_PIXELS = "claims_too_many_pixels"  # Pillow's bomb check: limit_megapixels
    UNREADABLE = "unreadable"  # damaged or incomplete pixels
    IN_FUTURE = "in_future"  # a visit (or a day taken) after today
    TRICHOSCOPY_AT_HOME = "trichoscopy_at_home"  # a patient's own photograph cannot be trichoscopy
    NO_SITE_ZONE = "no_site_zone"  # a trichoscopy image without its zone
    SITE_OUT_OF_RANGE = "site_out_of_range"  # a site not 0 to 40 cm behind the hairline: max_cm


ENGLISH = {
    Problem.NO_FILES: "Choose at least one photograph.",
    Problem.TOO_MANY_IN_ORDER: "In standard order takes at most {max} photographs (one per view); {count} were chosen.",
    Problem.NO_VIEW: "Choose the view these photographs show.",
    Problem.TOO_LARGE: "is larger than the limit of {limit_mb:.1f} MB ({size_mb:.1f} MB).",
    Problem.NO_PICTURE: "has no picture in it.",
    Problem.TOO_MANY_PIXELS: "is {width} × {height} pixels, more than the limit of {limit_megapixels:g} megapixels.",
    Problem.TOO_MANY_FILES: "Send at most {max} photographs at a time ({count} were sent).",
    Problem.REQUEST_TOO_LARGE: "These photographs hold {megapixels:.0f} megapixels together, more than the "
                               "{limit_megapixels:g} megapixels one upload may carry: send them in smaller groups.",
    Problem.NOT_AN_IMAGE: "is not a JPEG, PNG or WebP image.",
    Problem.CLAIMS_TOO_MANY_PIXELS: "claims more pixels than the limit of {limit_megapixels:g} megapixels.",
    Problem.UNREADABLE: "could not be read as an image (it may be damaged or incomplete).",
    Problem.IN_FUTURE: "The visit date cannot be in the future.",
    Problem.TRICHOSCOPY_AT_HOME: "Trichoscopy images are taken at the clinic only.",
    Problem.NO_SITE_ZONE: "A trichoscopy image needs its site: choose the zone.",
    Problem.SITE_OUT_OF_RANGE: "The site is 0 to {max_cm} cm behind the hairline.",
}

# The problems of one file (worded after the file's name); the others concern the whole upload.
FILE_PROBLEMS = frozenset({Problem.TOO_LARGE, Problem.NO_PICTURE, Problem.TOO_MANY_PIXELS, Problem.NOT_AN_IMAGE,
                           Problem.CLAIMS_TOO_MANY_PIXELS, Problem.UNREADABLE})


class PhotoRuleError(ValueError):
    """An input a photo rule refuses: ``field`` names the form field, ``problem`` says why, with the
    figures of its wording in ``params``; ``message`` is that wording in English."""

    def __init__(self, field: str, problem: Problem, **params: Any):
        self.field = field
        self.problem = problem
        self.params = params
        self.message = ENGLISH[problem].format(**params)
        super().__init__(self.message)


def megabytes(size: int) -> float:
    """A byte count in megabytes (MiB, as the limit is set), to one decimal."""
    return round(size / (1024 * 1024), 1)


def assign_views(choice: str, count: int) -> list[PhotoView]:
    """The view of each of ``count`` files uploaded together.

    ``choice`` is a PhotoView value (every file is that view) or IN_STANDARD_ORDER (the files are
    the standard views in the order they are taken, domain.md §4: at most six files).
    Source: clinic protocol (configurable: no; the fixed order of STANDARD_VIEWS).
    """
    if count < 1:
        raise PhotoRuleError("files", Problem.NO_FILES)
    if choice == IN_STANDARD_ORDER:
        if count > len(STANDARD_VIEWS):
            raise PhotoRuleError("files", Problem.TOO_MANY_IN_ORDER, max=len(STANDARD_VIEWS), count=count)
        return list(STANDARD_VIEWS[:count])
    try:
        view = PhotoView(choice)
    except ValueError as exc:
        raise PhotoRuleError("view", Problem.NO_VIEW) from exc
    return [view] * count


def check_upload_limits(size_bytes: int, width: int, height: int, *, max_bytes: int, max_pixels: int) -> None:
    """Refuse a file over the byte or pixel limit (checked on the header, before decoding).

    Source: clinic protocol (configurable: settings ANAGEN_PHOTO_MAX_BYTES, 20 MB, and
    ANAGEN_PHOTO_MAX_PIXELS, 50 megapixels; a header claiming more pixels is a decompression bomb).
    """
    if size_bytes > max_bytes:
        raise PhotoRuleError("files", Problem.TOO_LARGE, limit_mb=megabytes(max_bytes), size_mb=megabytes(size_bytes))
    if width <= 0 or height <= 0:
        raise PhotoRuleError("files", Problem.NO_PICTURE)
    if width * height > max_pixels:
        raise PhotoRuleError("files", Problem.TOO_MANY_PIXELS, width=width, height=height,
                             limit_megapixels=max_pixels / 1_000_000)


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
        raise PhotoRuleError("files", Problem.TOO_MANY_FILES, max=max_files, count=len(pixel_counts))
    total = sum(pixel_counts)
    if total > max_pixels:
        raise PhotoRuleError("files", Problem.REQUEST_TOO_LARGE, megapixels=total / 1_000_000,
                             limit_megapixels=max_pixels / 1_000_000)


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
