"""Photo fixtures: a patient with a photography consent, and images made in memory."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image


@pytest.fixture(autouse=True)
def empty_photo_storage():
    """Each test starts with no stored photos: the storage folder outlives the database rollback,
    and tests here check that a refused upload leaves nothing behind."""
    from django.core.files.storage import storages

    for name in stored_names():
        storages["photos"].delete(name)


@pytest.fixture
def actor(clinic):
    from anagen.audit.services import Actor

    return Actor.system("test", clinic.pk)


def consent_to_photographs(clinic, patient, witness):
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent

    actor = Actor.system("test", clinic.pk)
    from anagen.consents.models import ConsentText

    text = ConsentText.objects.filter(clinic=clinic, purpose="photographs").first() or publish_text(
        actor, clinic, "photographs", "en", "Consent to clinical photographs", "I agree to clinical photographs.")
    return sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=witness)


@pytest.fixture
def consented(clinic, patient, practitioner):
    consent_to_photographs(clinic, patient, practitioner)
    return patient


def jpeg(width=120, height=90, colour=(190, 140, 110), exif=None, fmt="JPEG") -> bytes:
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def exif_with_gps_and_device(taken="2026:11:20 10:15:00") -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Acme Phones"
    exif[ExifTags.Base.Model] = "Snapper 12"
    exif[ExifTags.Base.Software] = "SnapOS 4.2"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (19.0, 4.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (72.0, 52.0, 40.0)
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SN-99887766"
    return exif


def png_claiming(width: int, height: int) -> bytes:
    """A valid one-colour 1-bit PNG of the given size: tiny on disk, huge once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def upload_file(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_names():
    """Every file in the photos storage (recursively)."""
    from django.core.files.storage import storages

    storage = storages["photos"]
    names = []

    def walk(path):
        try:
            folders, files = storage.listdir(path)
        except FileNotFoundError:
            return
        names.extend(f"{path}/{f}" if path else f for f in files)
        for folder in folders:
            walk(f"{path}/{folder}" if path else folder)

    walk("")
    return set(names)
