"""Uploading, serving and comparing standard photographs.

An upload is decided by decoding the pixels with Pillow (never by the name or the browser's
content type), checked against the byte and pixel limits on the header before decoding, and
re-encoded from the pixels alone, so EXIF location and device data never reach the store: only
the capture time (DateTimeOriginal) is kept, in the row and in the stored copy. Files get random
names in the ``photos`` storage. Every file of a request is checked before anything is written,
and all rows and audit entries of a request are one transaction (files written for a refused or
failed request are removed).

What one request may cost is bounded before any pixel is decoded (issue 19, finding 6): at most
``ANAGEN_PHOTO_MAX_FILES_PER_REQUEST`` files, each within the byte and pixel limits, together
within ``ANAGEN_PHOTO_MAX_PIXELS_PER_REQUEST``, all read from their headers first. Thumbnails are
made afterwards by ``anagen worker`` (``make_pending_thumbnails``), or on the first request for
one the worker has not reached yet, one image per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from anagen.accounts.models import Clinic, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, read_page
from anagen.audit.services import Actor
from anagen.consents import services as consents
from anagen.consultations.models import Consultation, MeasurementSet
from anagen.core.errors import FieldError, InvalidInput, NotFound
from anagen.core.photos import (
    FILE_PROBLEMS,
    MeasurementRef,
    PhotoRuleError,
    PhotoView,
    Problem,
    assign_views,
    check_request_limits,
    check_upload_limits,
    count_sessions_between,
    default_comparison_dates,
    nearest_measurement,
    parse_exif_datetime,
    thumbnail_size,
)
from anagen.patients.models import Patient
from anagen.photos.models import EXTENSIONS, ImageFormat, Photo
from anagen.procedures.models import TreatmentSession
from anagen.scheduling.models import Appointment, Kind
from anagen.scheduling.models import Status as AppointmentStatus

THUMBNAIL_SIDE = 320
ACCEPTED_FORMATS = {"JPEG": ImageFormat.JPEG, "MPO": ImageFormat.JPEG, "PNG": ImageFormat.PNG, "WEBP": ImageFormat.WEBP}
# JPEG also opens multi-picture (MPO) phone files; GIF, BMP, TIFF and the rest are never tried.
OPEN_FORMATS = ["JPEG", "PNG", "WEBP"]
DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal
OFFSET_TIME_ORIGINAL = ExifTags.Base.OffsetTimeOriginal


def photo_storage() -> Storage:
    return storages["photos"]


# --- Upload -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """One file of a request: the name the browser gave (for messages only) and its content."""

    name: str
    size: int
    content: IO[bytes]


@dataclass(frozen=True)
class Site:
    zone: str = ""
    offset_cm: Decimal | None = None
    note: str = ""


@dataclass
class _Prepared:
    view: PhotoView
    image_format: ImageFormat
    data: bytes
    width: int
    height: int
    captured_at: dt.datetime | None
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Opened:
    """A file whose header was read and checked; its pixels are not decoded yet."""

    upload: UploadedFile
    image: Image.Image
    image_format: ImageFormat

    @property
    def pixels(self) -> int:
        return self.image.width * self.image.height


def max_megabytes() -> str:
    """The size limit of one photograph (ANAGEN_PHOTO_MAX_BYTES) in megabytes, as the upload forms'
    help and the portal's refusal say it: "20" for 20 MB."""
    return f"{round(settings.ANAGEN_PHOTO_MAX_BYTES / (1024 * 1024), 1):g}"


@dataclass(frozen=True)
class PhotoProblem:
    """One refusal of an upload: the form field, the core's problem code and its figures, and the
    file's name for a problem of one file."""

    field: str
    problem: Problem
    params: dict[str, Any] = field(default_factory=dict)
    file: str = ""


def _problem_words(problem: Problem, v: dict[str, Any]) -> str:
    """The problem in the reader's language (the active one), its figures in Latin digits."""
    if problem == Problem.NO_FILES:
        return _("Choose at least one photograph.")
    if problem == Problem.TOO_MANY_IN_ORDER:
        return _("In standard order takes at most %(max)s photographs (one per view); %(count)s were chosen.") % v
    if problem == Problem.NO_VIEW:
        return _("Choose the view these photographs show.")
    if problem == Problem.TOO_LARGE:
        return _("is larger than the limit of %(limit)s MB (%(size)s MB).") % {
            "limit": f"{v['limit_mb']:.1f}", "size": f"{v['size_mb']:.1f}"}
    if problem == Problem.NO_PICTURE:
        return _("has no picture in it.")
    if problem == Problem.TOO_MANY_PIXELS:
        return _("is %(width)s × %(height)s pixels, more than the limit of %(limit)s megapixels.") % {
            "width": v["width"], "height": v["height"], "limit": f"{v['limit_megapixels']:g}"}
    if problem == Problem.TOO_MANY_FILES:
        return _("Send at most %(max)s photographs at a time (%(count)s were sent).") % v
    if problem == Problem.REQUEST_TOO_LARGE:
        return _("These photographs hold %(megapixels)s megapixels together, more than the %(limit)s megapixels "
                 "one upload may carry: send them in smaller groups.") % {
            "megapixels": f"{v['megapixels']:.0f}", "limit": f"{v['limit_megapixels']:g}"}
    if problem == Problem.NOT_AN_IMAGE:
        return _("is not a JPEG, PNG or WebP image.")
    if problem == Problem.CLAIMS_TOO_MANY_PIXELS:
        return _("claims more pixels than the limit of %(limit)s megapixels.") % {"limit": f"{v['limit_megapixels']:g}"}
    if problem == Problem.UNREADABLE:
        return _("could not be read as an image (it may be damaged or incomplete).")
    if problem == Problem.IN_FUTURE:
        return _("The visit date cannot be in the future.")
    if problem == Problem.TRICHOSCOPY_AT_HOME:
        return _("Trichoscopy images are taken at the clinic only.")
    if problem == Problem.NO_SITE_ZONE:
        return _("A trichoscopy image needs its site: choose the zone.")
    return _("The site is 0 to %(max_cm)s cm behind the hairline.") % v  # SITE_OUT_OF_RANGE


def problem_message(problem: PhotoProblem) -> str:
    """The staff upload's wording of a refusal, in the reader's language; a file's problem after
    the file's name ("scalp.jpg: is not a JPEG, PNG or WebP image.")."""
    words = _problem_words(problem.problem, problem.params)
    if problem.problem in FILE_PROBLEMS:
        return _("%(file)s: %(problem)s") % {"file": problem.file or _("the file"), "problem": words}
    return words


class PhotoRefused(InvalidInput):
    """An upload refused: every problem found, each as a field error worded in the reader's language
    (``problem_message``), with the codes kept in ``problems`` for a caller that words them its own
    way (the portal, to the patient)."""

    def __init__(self, problems: Sequence[PhotoProblem]):
        self.problems = tuple(problems)
        super().__init__([FieldError(p.field, problem_message(p)) for p in self.problems])


def _problem(exc: PhotoRuleError, upload: UploadedFile | None = None) -> PhotoProblem:
    return PhotoProblem(exc.field, exc.problem, exc.params, upload.name if upload is not None else "")


@contextmanager
def _pixel_limit(max_pixels: int) -> Iterator[None]:
    """Pillow's own bomb limit at ours while a request's images are opened and decoded."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _too_many(max_pixels: int) -> PhotoRuleError:
    return PhotoRuleError("files", Problem.CLAIMS_TOO_MANY_PIXELS, limit_megapixels=max_pixels / 1_000_000)


def _open_header(upload: UploadedFile, max_pixels: int) -> _Opened:
    """Read the file and its header only, and check the byte and pixel limits (no decoding)."""
    max_bytes = settings.ANAGEN_PHOTO_MAX_BYTES
    if upload.size > max_bytes:
        check_upload_limits(upload.size, 1, 1, max_bytes=max_bytes, max_pixels=max_pixels)
    upload.content.seek(0)
    raw = upload.content.read(max_bytes + 1)
    check_upload_limits(len(raw), 1, 1, max_bytes=max_bytes, max_pixels=max_pixels)
    # Pillow raises DecompressionBombError above twice MAX_IMAGE_PIXELS and warns above it. At
    # open the warning is left to the header check just below (which names the size); while
    # decoding it is an error, so Pillow and the header check refuse at the same limit.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=OPEN_FORMATS)
        except Image.DecompressionBombError as exc:
            raise _too_many(max_pixels) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise PhotoRuleError("files", Problem.NOT_AN_IMAGE) from exc
    image_format = ACCEPTED_FORMATS.get(image.format or "")
    if image_format is None:
        raise PhotoRuleError("files", Problem.NOT_AN_IMAGE)
    width, height = image.size
    check_upload_limits(len(raw), width, height, max_bytes=max_bytes, max_pixels=max_pixels)
    return _Opened(upload, image, image_format)


def _decode(opened: _Opened, max_pixels: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened.image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many(max_pixels) from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise PhotoRuleError("files", Problem.UNREADABLE) from exc


def _prepare(opened: _Opened, view: PhotoView, max_pixels: int) -> _Prepared:
    _decode(opened, max_pixels)
    image, image_format = opened.image, opened.image_format
    exif = image.getexif()
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    original = exif_ifd.get(DATETIME_ORIGINAL)
    captured_at = parse_exif_datetime(original, exif_ifd.get(OFFSET_TIME_ORIGINAL), settings.TIME_ZONE)
    # Turn the pixels upright (phones record rotation in EXIF, which is dropped), then rebuild the
    # image from raw pixels so no metadata (EXIF, XMP, ICC, text chunks) can travel along.
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info)
    mode = "RGBA" if has_alpha and image_format != ImageFormat.JPEG else "RGB"
    pixels = upright.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    kept = Image.Exif()
    if captured_at is not None:
        kept.get_ifd(ExifTags.IFD.Exif)[DATETIME_ORIGINAL] = str(original if isinstance(original, str) else original.decode("ascii"))
    out = io.BytesIO()
    if image_format == ImageFormat.JPEG:
        clean.save(out, "JPEG", quality=92, exif=kept.tobytes() if len(kept.get_ifd(ExifTags.IFD.Exif)) else b"")
    elif image_format == ImageFormat.PNG:
        # zlib level 1: a fifth of the default's time on a large image, for a somewhat larger file.
        clean.save(out, "PNG", compress_level=1, **({"exif": kept.tobytes()} if captured_at else {}))
    else:
        clean.save(out, "WEBP", quality=90, **({"exif": kept.tobytes()} if captured_at else {}))
    return _Prepared(view, image_format, out.getvalue(), clean.width, clean.height, captured_at)


def _thumbnail_bytes(data: bytes) -> bytes:
    """A JPEG whose longer side is THUMBNAIL_SIDE, from a stored (already cleaned) image. JPEGs are
    decoded at a reduced scale (``draft``), so a large photograph costs a fraction of its pixels."""
    with Image.open(io.BytesIO(data)) as image:
        target = thumbnail_size(*image.size, THUMBNAIL_SIDE)
        image.draft("RGB", target)
        small = image.convert("RGB").resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=82)
    return out.getvalue()


def make_thumbnail(photo: Photo) -> None:
    """Write the photo's thumbnail (at its planned name) and mark it made."""
    storage = photo_storage()
    with storage.open(photo.file_name, "rb") as handle:
        thumbnail = _thumbnail_bytes(handle.read())
    if storage.exists(photo.thumbnail_name):
        storage.delete(photo.thumbnail_name)  # a half-written file from an interrupted pass
    saved = storage.save(photo.thumbnail_name, ContentFile(thumbnail))
    if saved != photo.thumbnail_name:  # the storage chose another name: keep the row pointing at it
        Photo.objects.filter(pk=photo.pk).update(thumbnail_name=saved)
        photo.thumbnail_name = saved
    Photo.objects.filter(pk=photo.pk).update(has_thumbnail=True)
    photo.has_thumbnail = True


def make_pending_thumbnails(limit: int = 50) -> int:
    """``anagen worker``: thumbnails of the photographs uploaded since its last pass."""
    made = 0
    for photo in Photo.objects.filter(has_thumbnail=False).order_by("id")[:limit]:
        make_thumbnail(photo)
        made += 1
    return made


def _check_site(view: PhotoView, site: Site) -> list[PhotoProblem]:
    errors = []
    if view == PhotoView.TRICHOSCOPY:
        if not site.zone:
            errors.append(PhotoProblem("site_zone", Problem.NO_SITE_ZONE))
        if site.offset_cm is not None and not Decimal("0") <= site.offset_cm <= Decimal("40"):
            errors.append(PhotoProblem("site_offset_cm", Problem.SITE_OUT_OF_RANGE, {"max_cm": 40}))
    return errors


def upload_photos(
    actor: Actor,
    patient: Patient,
    files: Sequence[UploadedFile],
    *,
    view_choice: str,
    visit_date: dt.date,
    today: dt.date,
    uploaded_by: User,
    site: Site | None = None,
    taken_by_patient: bool = False,
) -> list[Photo]:
    """Check every file, then store them all with their rows and audit entries, or none.

    ``taken_by_patient``: photographs the patient took at home and uploads in the portal (issue 22,
    item 7), by the same checks; ``visit_date`` is then the day taken, they are not linked to a
    consultation or session of that day, and no trichoscopy image is taken at home.

    Raises consents.ConsentMissing without a valid photography consent, and PhotoRefused (an
    InvalidInput naming the field and the file, in the reader's language, with the problems' codes)
    for anything else refused.
    """
    consents.require_valid_consent(patient, "photographs")
    site = site or Site()
    errors: list[PhotoProblem] = []
    if visit_date > today:
        errors.append(PhotoProblem("visit_date", Problem.IN_FUTURE))
    try:
        views = assign_views(view_choice, len(files))
    except PhotoRuleError as exc:
        raise PhotoRefused([*errors, _problem(exc)]) from exc
    if taken_by_patient and PhotoView.TRICHOSCOPY in views:
        raise PhotoRefused([*errors, PhotoProblem("view", Problem.TRICHOSCOPY_AT_HOME)])
    for view in set(views):
        errors.extend(_check_site(view, site))
    max_pixels = settings.ANAGEN_PHOTO_MAX_PIXELS
    with _pixel_limit(max_pixels):
        # The whole request is weighed on its headers before one pixel is decoded.
        try:
            check_request_limits([0] * len(files), max_files=settings.ANAGEN_PHOTO_MAX_FILES_PER_REQUEST,
                                 max_pixels=settings.ANAGEN_PHOTO_MAX_PIXELS_PER_REQUEST)
        except PhotoRuleError as exc:
            raise PhotoRefused([*errors, _problem(exc)]) from exc
        opened: list[_Opened] = []
        for upload in files:
            try:
                opened.append(_open_header(upload, max_pixels))
            except PhotoRuleError as exc:
                errors.append(_problem(exc, upload))
        if errors:
            raise PhotoRefused(errors)
        try:
            check_request_limits([o.pixels for o in opened], max_files=settings.ANAGEN_PHOTO_MAX_FILES_PER_REQUEST,
                                 max_pixels=settings.ANAGEN_PHOTO_MAX_PIXELS_PER_REQUEST)
        except PhotoRuleError as exc:
            raise PhotoRefused([_problem(exc)]) from exc
        prepared: list[_Prepared] = []
        for item, view in zip(opened, views, strict=True):
            try:
                prepared.append(_prepare(item, view, max_pixels))
            except PhotoRuleError as exc:
                errors.append(_problem(exc, item.upload))
    if errors:
        raise PhotoRefused(errors)

    storage = photo_storage()
    written: list[str] = []
    try:
        for item in prepared:
            token = secrets.token_hex(16)
            folder = token[:2]
            # The thumbnail's name is planned now; the worker (or the first request for it) makes it.
            item.names = [storage.save(f"{folder}/{token}.{EXTENSIONS[item.image_format]}", ContentFile(item.data)),
                          f"{folder}/{token}-thumb.jpg"]
            written.append(item.names[0])
        with transaction.atomic():
            consultation = session = None
            if not taken_by_patient:
                consultation = Consultation.objects.filter(patient=patient, consulted_on=visit_date).order_by("-id").first()
                session = TreatmentSession.objects.filter(patient=patient, performed_on=visit_date).order_by("-id").first()
            photos = []
            for item in prepared:
                is_trichoscopy = item.view == PhotoView.TRICHOSCOPY
                photo = Photo.objects.create(
                    clinic=patient.clinic, patient=patient, visit_date=visit_date, view=item.view.value,
                    consultation=consultation, treatment_session=session,
                    site_zone=site.zone if is_trichoscopy else "",
                    site_offset_cm=site.offset_cm if is_trichoscopy else None,
                    site_note=site.note if is_trichoscopy else "",
                    file_name=item.names[0], thumbnail_name=item.names[1], has_thumbnail=False, image_format=item.image_format,
                    width=item.width, height=item.height, size_bytes=len(item.data),
                    sha256=hashlib.sha256(item.data).hexdigest(), captured_at=item.captured_at, uploaded_by=uploaded_by,
                    taken_by_patient=taken_by_patient,
                )
                audit.append(
                    actor, Action.CREATE, object_type="photo", object_id=photo.pk, patient_id=patient.pk,
                    changes=audit.snapshot_created({
                        "visit_date": visit_date, "view": item.view.value, "site_zone": photo.site_zone,
                        "site_offset_cm": photo.site_offset_cm, "width": item.width, "height": item.height,
                        "size_bytes": photo.size_bytes, "sha256": photo.sha256, "captured_at": item.captured_at,
                        **({"taken_by_patient": True} if taken_by_patient else {}),
                    }),
                )
                photos.append(photo)
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return photos


def default_site(patient: Patient, on: dt.date) -> Site:
    """The recorded trichoscopy target site: the latest measurement set's site on or before ``on``."""
    latest = (
        MeasurementSet.objects.filter(patient=patient, measured_on__lte=on).exclude(site_zone="")
        .order_by("-measured_on", "-id").first()
    )
    if latest is None:
        return Site()
    return Site(latest.site_zone, latest.site_offset_cm, latest.site_note)


# --- Reading ----------------------------------------------------------------------------------


def list_photos(actor: Actor, clinic: Clinic, *, patient_id: int | None = None, view: str | None = None,
                visit_date: dt.date | None = None, page: int = 1, page_size: int = 25) -> Page[Photo]:
    """By visit date, then id; each photograph's metadata audited as read."""
    records = Photo.objects.filter(clinic=clinic)
    if patient_id is not None:
        records = records.filter(patient_id=patient_id)
    if view is not None:
        records = records.filter(view=view)
    if visit_date is not None:
        records = records.filter(visit_date=visit_date)
    return read_page(actor, "photo_metadata", records.order_by("visit_date", "id"), page, page_size)


def get_photo(actor: Actor, clinic: Clinic | None, photo_id: int, *, audit_as: str = "photo") -> Photo:
    """A photo of the actor's clinic (else 404), its view audited as a read with the patient id."""
    if clinic is None:
        raise NotFound
    try:
        photo = Photo.objects.select_related("patient").get(pk=photo_id, clinic=clinic)
    except Photo.DoesNotExist as exc:
        raise NotFound from exc
    audit.record_read(actor, audit_as, photo.pk, photo.patient_id)
    return photo


def taken_at_home(actor: Actor, patient: Patient) -> list[Photo]:
    """The photographs the patient took at home, latest day first; the list audited as read."""
    photos = list(Photo.objects.filter(clinic_id=patient.clinic_id, patient=patient, taken_by_patient=True)
                  .order_by("-visit_date", "-id"))
    audit.record_read(actor, "home_photos", patient.pk, patient.pk)
    return photos


def get_taken_at_home(actor: Actor, patient: Patient, photo_id: int, *, thumbnail: bool) -> Photo:
    """One of the patient's own photographs taken at home (else 404: another patient's, or one
    the clinic took), its view audited as a read."""
    try:
        photo = Photo.objects.get(pk=photo_id, clinic_id=patient.clinic_id, patient=patient, taken_by_patient=True)
    except Photo.DoesNotExist as exc:
        raise NotFound from exc
    audit.record_read(actor, "photo_thumbnail" if thumbnail else "photo", photo.pk, patient.pk)
    return photo


def open_file(photo: Photo, *, thumbnail: bool) -> IO[bytes]:
    if thumbnail and not photo.has_thumbnail:
        make_thumbnail(photo)  # the worker has not reached it yet: one image, made once
    return photo_storage().open(photo.thumbnail_name if thumbnail else photo.file_name, "rb")


@dataclass(frozen=True)
class Visit:
    visit_date: dt.date
    photos: list[Photo]

    @property
    def views(self) -> set[str]:
        return {p.view for p in self.photos}

    @property
    def at_home(self) -> bool:
        """Every photograph of the day was taken by the patient at home (no clinic visit's)."""
        return all(p.taken_by_patient for p in self.photos)


def visits(patient: Patient) -> list[Visit]:
    """The patient's photographs grouped by visit date, latest visit first, views in standard order."""
    order = {view.value: index for index, view in enumerate(PhotoView)}
    grouped: dict[dt.date, list[Photo]] = {}
    for photo in Photo.objects.filter(clinic_id=patient.clinic_id, patient=patient).select_related("uploaded_by"):
        grouped.setdefault(photo.visit_date, []).append(photo)
    return [
        Visit(day, sorted(items, key=lambda p: (order[p.view], p.pk)))
        for day, items in sorted(grouped.items(), reverse=True)
    ]


def record_gallery_read(actor: Actor, patient: Patient) -> None:
    audit.record_read(actor, "photo_gallery", patient.pk, patient.pk)


# --- Comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    visit_date: dt.date
    photo: Photo | None
    measurement: MeasurementSet | None


@dataclass(frozen=True)
class Comparison:
    view: PhotoView
    visit_dates: list[dt.date]
    before: Side | None
    after: Side | None
    sessions_between: int
    documented_sessions: int
    completed_appointments_without_record: int


def _session_dates(patient: Patient, start: dt.date, end: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """Dates of mesotherapy sessions: documented TreatmentSession records, plus completed
    mesotherapy appointments whose session was not documented (older records, the demo)."""
    documented = list(
        TreatmentSession.objects.filter(patient=patient, performed_on__gte=start, performed_on__lte=end).values_list("performed_on", flat=True)
    )
    zone = timezone.get_current_timezone()
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    undocumented = [
        timezone.localtime(at).date()
        for at in Appointment.objects.filter(
            patient=patient, kind=Kind.MESOTHERAPY_SESSION, status=AppointmentStatus.COMPLETED,
            starts_at__gte=lower, starts_at__lt=upper, treatment_session__isnull=True,
        ).values_list("starts_at", flat=True)
    ]
    return documented, undocumented


def _ref(m: MeasurementSet) -> MeasurementRef:
    return MeasurementRef(m.pk, m.measured_on, m.site_zone, m.site_offset_cm)


def compare(
    actor: Actor, patient: Patient, view_value: str, before: dt.date | None = None, after: dt.date | None = None,
) -> Comparison:
    """Two visits' photographs of one view, the sessions between them and the measurements
    nearest each date at the same site. Defaults: baseline (first visit with the view) and latest.
    Reading both photographs is audited."""
    try:
        view = PhotoView(view_value)
    except ValueError as exc:
        raise InvalidInput([FieldError("view", _("Choose one of the standard views."))]) from exc
    # The patient's own photographs are compared too (labelled on the page), but on a day with a
    # photograph of the clinic's, the clinic's wins: patient-taken ones sort first, so are replaced.
    photos = list(Photo.objects.filter(clinic_id=patient.clinic_id, patient=patient, view=view.value)
                  .order_by("visit_date", "-taken_by_patient", "uploaded_at", "id"))
    dates = sorted({p.visit_date for p in photos})
    first, last = default_comparison_dates(dates)
    before = before or first
    after = after or last
    if before is None or after is None:
        return Comparison(view, dates, None, None, 0, 0, 0)
    if after < before:
        before, after = after, before
    latest_of_day = {p.visit_date: p for p in photos}  # ordered by upload: the last retake wins
    sets = list(MeasurementSet.objects.filter(patient=patient, clinic_id=patient.clinic_id))
    by_id = {m.pk: m for m in sets}
    refs = [_ref(m) for m in sets]
    before_ref = nearest_measurement(refs, before)
    after_ref = nearest_measurement(refs, after, same_site_as=before_ref)
    if after_ref is not None and before_ref is not None and after_ref.id == before_ref.id and before != after:
        after_ref = None  # one measurement set cannot stand for both visits
    sides = []
    for day, ref in ((before, before_ref), (after, after_ref)):
        photo = latest_of_day.get(day)
        if photo is not None:
            audit.record_read(actor, "photo", photo.pk, patient.pk)
        sides.append(Side(day, photo, by_id[ref.id] if ref else None))
    documented, undocumented = _session_dates(patient, before, after)
    documented_count = count_sessions_between(documented, before, after)
    undocumented_count = count_sessions_between(undocumented, before, after)
    return Comparison(view, dates, sides[0], sides[1], documented_count + undocumented_count, documented_count, undocumented_count)


MEASUREMENT_FIELDS = [
    "density_per_cm2", "thin_hairs_pct", "mean_shaft_diameter_um", "terminal_to_vellus_ratio", "anagen_pct",
    "telogen_pct", "pull_extracted", "wash_shed_count", "comb_count", "global_photo_score",
]


def measurement_rows(before: MeasurementSet | None, after: MeasurementSet | None) -> list[dict[str, Any]]:
    """Label and the two values of each measurement either set recorded."""
    rows = []
    for name in MEASUREMENT_FIELDS:
        label = MeasurementSet._meta.get_field(name).verbose_name
        old = getattr(before, name) if before else None
        new = getattr(after, name) if after else None
        if old is None and new is None:
            continue
        rows.append({"name": name, "label": str(label)[:1].upper() + str(label)[1:], "before": old, "after": new})
    return rows
