from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from anagen.audit.models import AuditEntry
from anagen.photos.models import Photo
from anagen.photos.services import make_pending_thumbnails

from .conftest import exif_with_gps_and_device, jpeg, png_claiming, stored_names, upload_file

pytestmark = pytest.mark.django_db


def upload_url(patient):
    return reverse("photos:upload", args=[patient.pk])


def post(client, patient, files, view="standard_order", **extra):
    data = {"visit_date": timezone.localdate().isoformat(), "view": view, "files": files, **extra}
    return client.post(upload_url(patient), data, **({"headers": {"Accept": "application/json"}} if extra.pop("json", False) else {}))


def refused(response, text):
    assert response.status_code == 400
    body = response.content.decode()
    assert text in body, body[:3000]
    assert not Photo.objects.exists()
    assert stored_names() == set()


def test_a_trichologist_uploads_the_six_standard_views_of_a_visit(client, trichologist, consented):
    client.force_login(trichologist)
    files = [upload_file(jpeg(colour=(180 + i, 130, 100)), f"IMG_{i}.jpg") for i in range(6)]
    response = post(client, consented, files)
    assert response.status_code == 302
    assert response["Location"] == reverse("photos:gallery", args=[consented.pk])
    photos = list(Photo.objects.order_by("id"))
    assert [p.view for p in photos] == ["vertex", "midline_part", "frontal", "temporal_left", "temporal_right", "occipital"]
    assert {p.visit_date for p in photos} == {timezone.localdate()}
    assert all(p.uploaded_by == trichologist and p.width == 120 and p.height == 90 for p in photos)
    # The originals now; the thumbnails on the worker's next pass (never inside the upload request).
    assert len(stored_names()) == 6 and not any(p.has_thumbnail for p in photos)
    assert make_pending_thumbnails() == 6
    assert len(stored_names()) == 12
    thumb = Image.open(storages["photos"].open(photos[0].thumbnail_name))
    assert thumb.format == "JPEG" and thumb.size == (120, 90)
    creates = AuditEntry.objects.filter(action="create", object_type="photo", patient_id=consented.pk)
    assert creates.count() == 6
    assert creates.first().changes["view"]["new"] == "vertex"


def test_stored_names_are_random_and_never_the_uploaded_name(client, trichologist, consented):
    client.force_login(trichologist)
    post(client, consented, [upload_file(jpeg(), "asha-patil-crown.jpg")], view="vertex")
    photo = Photo.objects.get()
    assert "asha" not in photo.file_name and len(photo.file_name.split("/")[-1]) == len("0" * 32 + ".jpg")
    assert photo.thumbnail_name.endswith("-thumb.jpg")
    assert photo.sha256 == __import__("hashlib").sha256(storages["photos"].open(photo.file_name).read()).hexdigest()


def test_a_large_photo_gets_a_320_pixel_thumbnail(client, trichologist, consented):
    client.force_login(trichologist)
    post(client, consented, [upload_file(jpeg(1600, 1200))], view="frontal")
    make_pending_thumbnails()
    photo = Photo.objects.get()
    assert Image.open(storages["photos"].open(photo.thumbnail_name)).size == (320, 240)


def test_it_refuses_a_text_file_named_jpg(client, trichologist, consented):
    client.force_login(trichologist)
    response = post(client, consented, [upload_file(b"just some notes, not a picture\n" * 20, "scalp.jpg")], view="vertex")
    refused(response, "scalp.jpg: is not a JPEG, PNG or WebP image.")


def test_it_refuses_a_gif_whatever_the_browser_says(client, trichologist, consented):
    client.force_login(trichologist)
    response = post(client, consented, [upload_file(jpeg(fmt="GIF"), "vertex.jpg", "image/jpeg")], view="vertex")
    refused(response, "vertex.jpg: is not a JPEG, PNG or WebP image.")


def test_it_refuses_a_truncated_jpeg(client, trichologist, consented):
    client.force_login(trichologist)
    data = jpeg(400, 300)
    response = post(client, consented, [upload_file(data[: len(data) // 3], "cut.jpg")], view="vertex")
    refused(response, "cut.jpg: could not be read as an image")


@override_settings(ANAGEN_PHOTO_MAX_BYTES=2000)
def test_it_refuses_a_file_over_the_size_limit(client, trichologist, consented):
    client.force_login(trichologist)
    big = jpeg(600, 400, colour=(10, 200, 30))
    assert len(big) > 2000
    response = post(client, consented, [upload_file(big, "big.jpg")], view="vertex")
    refused(response, "big.jpg: is larger than the limit of 0.0 MB")


def test_it_refuses_a_decompression_bomb_at_the_default_limit(client, trichologist, consented):
    bomb = png_claiming(10_000, 10_000)
    assert len(bomb) < 100_000
    client.force_login(trichologist)
    response = post(client, consented, [upload_file(bomb, "bomb.png", "image/png")], view="vertex")
    refused(response, "bomb.png: is 10000 × 10000 pixels, more than the limit of 50 megapixels.")


@override_settings(ANAGEN_PHOTO_MAX_PIXELS=1_000_000)
def test_it_refuses_a_header_over_a_lowered_pixel_limit(client, trichologist, consented):
    pillow_limit = Image.MAX_IMAGE_PIXELS
    client.force_login(trichologist)
    response = post(client, consented, [upload_file(png_claiming(1500, 1000), "wide.png", "image/png")], view="vertex")
    refused(response, "wide.png: is 1500 × 1000 pixels, more than the limit of 1 megapixels.")
    assert Image.MAX_IMAGE_PIXELS == pillow_limit  # the process-wide limit is left as it was


def test_gps_and_device_data_are_stripped_and_the_capture_time_kept(client, trichologist, consented):
    client.force_login(trichologist)
    original = jpeg(exif=exif_with_gps_and_device("2026:11:20 10:15:00"))
    assert b"Acme Phones" in original
    post(client, consented, [upload_file(original, "IMG_0001.jpg")], view="vertex")
    photo = Photo.objects.get()
    stored = storages["photos"].open(photo.file_name).read()
    for secret in (b"Acme Phones", b"Snapper 12", b"SnapOS", b"SN-99887766"):
        assert secret not in stored
    exif = Image.open(io.BytesIO(stored)).getexif()
    assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
    assert ExifTags.IFD.GPSInfo not in exif and not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert dict(exif.get_ifd(ExifTags.IFD.Exif)) == {ExifTags.Base.DateTimeOriginal: "2026:11:20 10:15:00"}
    assert photo.captured_at == dt.datetime(2026, 11, 20, 10, 15, tzinfo=ZoneInfo("Asia/Kolkata"))
    make_pending_thumbnails()
    thumb = storages["photos"].open(photo.thumbnail_name).read()
    assert b"Acme" not in thumb and not Image.open(io.BytesIO(thumb)).getexif()


def test_a_phone_photo_is_turned_upright_before_its_rotation_tag_is_dropped(client, trichologist, consented):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to display
    client.force_login(trichologist)
    post(client, consented, [upload_file(jpeg(200, 100, exif=exif))], view="vertex")
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (100, 200)
    assert ExifTags.Base.Orientation not in Image.open(storages["photos"].open(photo.file_name)).getexif()


def test_png_and_webp_are_kept_in_their_own_format(client, trichologist, consented):
    client.force_login(trichologist)
    files = [upload_file(jpeg(fmt="PNG"), "a.png", "image/png"), upload_file(jpeg(fmt="WEBP"), "b.webp", "image/webp")]
    response = post(client, consented, files, view="trichoscopy", site_zone="vertex", site_offset_cm="10")
    assert response.status_code == 302
    formats = [Image.open(storages["photos"].open(p.file_name)).format for p in Photo.objects.order_by("id")]
    assert formats == ["PNG", "WEBP"]
    assert [p.image_format for p in Photo.objects.order_by("id")] == ["PNG", "WEBP"]


def test_one_bad_file_among_several_saves_none_of_them(client, trichologist, consented):
    client.force_login(trichologist)
    files = [upload_file(jpeg(), "good-1.jpg"), upload_file(b"%PDF-1.4 not an image", "report.jpg"), upload_file(jpeg(), "good-2.jpg")]
    response = post(client, consented, files)
    refused(response, "report.jpg: is not a JPEG, PNG or WebP image.")
    assert not AuditEntry.objects.filter(action="create", object_type="photo").exists()


def test_it_refuses_an_upload_without_a_photography_consent(client, trichologist, patient):
    client.force_login(trichologist)
    page = client.get(upload_url(patient))
    assert "no valid consent to clinical photographs" in page.content.decode()
    response = post(client, patient, [upload_file(jpeg())], view="vertex")
    refused(response, "consent for clinical photographs")


def test_it_refuses_an_upload_after_the_consent_was_withdrawn(client, clinic, trichologist, patient, practitioner):
    from anagen.audit.services import Actor
    from anagen.consents.services import withdraw_consent

    from .conftest import consent_to_photographs

    record = consent_to_photographs(clinic, patient, practitioner)
    withdraw_consent(Actor.system("test", clinic.pk), record, "Changed her mind")
    client.force_login(trichologist)
    refused(post(client, patient, [upload_file(jpeg())], view="vertex"), "withdrew consent for clinical photographs")


def test_trichoscopy_needs_its_site_and_keeps_it(client, trichologist, consented):
    client.force_login(trichologist)
    refused(post(client, consented, [upload_file(jpeg())], view="trichoscopy", site_zone=""), "A trichoscopy image needs its site")
    response = post(client, consented, [upload_file(jpeg())], view="trichoscopy", site_zone="vertex", site_offset_cm="10.0",
                    site_note="midline, 10 cm behind the hairline")
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.site_zone, str(photo.site_offset_cm), photo.site_note) == ("vertex", "10.0", "midline, 10 cm behind the hairline")


def test_a_global_view_does_not_keep_a_site(client, trichologist, consented):
    client.force_login(trichologist)
    post(client, consented, [upload_file(jpeg())], view="frontal", site_zone="vertex", site_offset_cm="10.0")
    photo = Photo.objects.get()
    assert (photo.site_zone, photo.site_offset_cm) == ("", None)


def test_the_form_offers_the_recorded_target_site(client, clinic, trichologist, consented):
    from decimal import Decimal

    from anagen.consultations.models import MeasurementSet

    MeasurementSet.objects.create(clinic=clinic, patient=consented, measured_on=timezone.localdate(), site_zone="mid_scalp",
                                  site_offset_cm=Decimal("8.0"), site_note="part line")
    client.force_login(trichologist)
    form = client.get(upload_url(consented)).context["form"]
    assert (form.initial["site_zone"], form.initial["site_offset_cm"], form.initial["site_note"]) == ("mid_scalp", Decimal("8.0"), "part line")


def test_it_refuses_seven_files_in_standard_order_and_a_future_visit(client, trichologist, consented):
    client.force_login(trichologist)
    refused(post(client, consented, [upload_file(jpeg(), f"{i}.jpg") for i in range(7)]), "at most 6 photographs")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused(post(client, consented, [upload_file(jpeg())], view="vertex", visit_date=tomorrow), "cannot be in the future")


def test_it_refuses_a_post_without_files_with_a_message(client, trichologist, consented):
    client.force_login(trichologist)
    response = client.post(upload_url(consented), {"visit_date": timezone.localdate().isoformat(), "view": "vertex"})
    refused(response, "Choose at least one photograph.")


def test_the_per_file_uploader_gets_json(client, trichologist, consented):
    client.force_login(trichologist)
    ok = post(client, consented, [upload_file(jpeg())], view="occipital", json=True)
    assert ok.status_code == 201
    photo = Photo.objects.get()
    assert ok.json()["photos"] == [{
        "id": photo.pk, "view": "occipital", "view_label": "Occipital", "visit_date": timezone.localdate().isoformat(),
        "thumbnail_url": reverse("photos:thumbnail", args=[photo.pk]), "image_url": reverse("photos:image", args=[photo.pk]),
    }]
    bad = post(client, consented, [upload_file(b"nope", "x.jpg")], view="occipital", json=True)
    assert bad.status_code == 400
    assert bad.json() == {"errors": [{"field": "files", "message": "x.jpg: is not a JPEG, PNG or WebP image."}]}


def test_photos_are_never_deleted(client, trichologist, consented):
    client.force_login(trichologist)
    post(client, consented, [upload_file(jpeg())], view="vertex")
    with pytest.raises(RuntimeError, match="never deleted"):
        Photo.objects.get().delete()


@override_settings(ANAGEN_PHOTO_MAX_PIXELS=1_000_000)
def test_pillows_own_bomb_check_is_caught_with_a_clear_message(client, trichologist, consented):
    client.force_login(trichologist)
    response = post(client, consented, [upload_file(png_claiming(3000, 1000), "huge.png", "image/png")], view="vertex")
    refused(response, "huge.png: claims more pixels than the limit of 1 megapixels.")
