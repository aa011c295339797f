"""Photographs the patient takes at home (issue 22, item 7): uploaded in the portal through the staff
upload's checks, stored as the patient's photographs marked taken by the patient, never measured,
shown to staff labelled. The patient's own photographs only; bad input refused naming the field
with nothing written; every read and write audited as the patient."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image
from tests.web.photos.conftest import (
    consent_to_photographs,
    exif_with_gps_and_device,
    jpeg,
    stored_names,
    upload_file,
)

from anagen.audit.models import AuditEntry
from anagen.photos.models import HairCount, Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def consented(clinic: Any, patient: Any, practitioner: Any) -> Any:
    consent_to_photographs(clinic, patient, practitioner)
    return patient


def _post(client: Any, *files: Any, view: str = "vertex", day: dt.date | None = None) -> Any:
    day = day or timezone.localdate() - dt.timedelta(days=1)
    return client.post(reverse("portal:photos"), {"view": view, "day": day.isoformat(), "files": list(files)})


def _page(response: Any) -> str:
    return unescape(response.content.decode())


def _home_photo(patient: Any, user: Any, view: str = "vertex", **extra: Any) -> Photo:
    """A photograph taken at home, stored directly (for the other patient, or a trichoscopy one)."""
    from django.core.files.base import ContentFile

    from anagen.photos.services import photo_storage

    data = jpeg(60, 40)
    name = photo_storage().save("tests/home.jpg", ContentFile(data))
    return Photo.objects.create(
        clinic=patient.clinic, patient=patient, visit_date=timezone.localdate(), view=view, file_name=name,
        thumbnail_name=name.replace(".jpg", "-thumb.jpg"), has_thumbnail=False, image_format="JPEG", width=60, height=40,
        size_bytes=len(data), sha256="0" * 64, uploaded_by=user, taken_by_patient=True, **extra)


# ------------------------------------------------------------------------------ the upload


def test_a_patient_uploads_a_photograph_taken_at_home_and_sees_it_with_its_thumbnail(client, consented, patient_user):
    client.force_login(patient_user)
    day = timezone.localdate() - dt.timedelta(days=2)
    response = _post(client, upload_file(jpeg(), "top.jpg"), view="frontal", day=day)
    assert response.status_code == 302
    photo = Photo.objects.get(patient=consented)
    assert photo.taken_by_patient and photo.uploaded_by_id == patient_user.pk
    assert (photo.view, photo.visit_date, photo.consultation_id, photo.treatment_session_id) == ("frontal", day, None, None)
    page = _page(client.get(reverse("portal:photos")))
    assert "1 photograph saved for" in page and f"{day.day} {day:%b %Y}" in page  # the one date format
    assert "Front hairline (frontal)" in page
    assert reverse("portal:photo_thumbnail", args=[photo.pk]) in page and reverse("portal:photo_image", args=[photo.pk]) in page
    thumbnail = client.get(reverse("portal:photo_thumbnail", args=[photo.pk]))
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert thumbnail["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (120, 90)
    assert client.get(reverse("portal:photo_image", args=[photo.pk])).status_code == 200


def test_every_read_and_write_is_audited_as_the_patient_and_the_access_log_says_so_in_words(client, consented, patient_user):
    client.force_login(patient_user)
    _post(client, upload_file(jpeg()))
    photo = Photo.objects.get(patient=consented)
    client.get(reverse("portal:photos"))
    client.get(reverse("portal:photo_thumbnail", args=[photo.pk]))
    created = AuditEntry.objects.get(object_type="photo", action="create")
    assert (created.user_id, created.patient_id, created.object_id) == (patient_user.pk, consented.pk, str(photo.pk))
    assert created.changes["taken_by_patient"]["new"] is True
    for code in ("home_photos", "photo_thumbnail"):
        assert AuditEntry.objects.filter(object_type=code, action="read", user_id=patient_user.pk, patient_id=consented.pk).exists()
    log = _page(client.get(reverse("portal:access_log")))
    assert "your photographs taken at home" in log and "home_photos" not in log


def test_several_photographs_of_one_view_go_up_together_and_location_data_is_removed(client, consented, patient_user):
    client.force_login(patient_user)
    response = _post(client, upload_file(jpeg(exif=exif_with_gps_and_device()), "a.jpg"), upload_file(jpeg(fmt="PNG"), "b.png", "image/png"),
                     view="occipital")
    assert response.status_code == 302
    photos = list(Photo.objects.filter(patient=consented).order_by("id"))
    assert [(p.view, p.image_format, p.taken_by_patient) for p in photos] == [("occipital", "JPEG", True), ("occipital", "PNG", True)]
    from anagen.photos.services import photo_storage

    with photo_storage().open(photos[0].file_name, "rb") as handle:
        exif = Image.open(handle).getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
    assert photos[0].captured_at is not None


@pytest.mark.parametrize(("files", "data", "settings_", "message"), [
    (lambda: [upload_file(b"just some notes", "notes.txt", "text/plain")], {}, {},
     "Photographs: notes.txt is not a JPEG, PNG or WebP photograph."),
    (lambda: [upload_file(jpeg(400, 300), "big.jpg")], {}, {"ANAGEN_PHOTO_MAX_BYTES": 600},
     "Photographs: big.jpg is larger than the limit of"),
    (lambda: [upload_file(jpeg(), f"{n}.jpg") for n in range(3)], {}, {"ANAGEN_PHOTO_MAX_FILES_PER_REQUEST": 2},
     "Photographs: send at most 2 photographs at a time."),
    (lambda: [upload_file(jpeg())], {"day": "future"}, {}, "Day taken: the day cannot be in the future."),
    (lambda: [upload_file(jpeg())], {"day": "3/3/3"}, {}, "Day taken: write a date such as 3 Dec 2026."),
    (lambda: [upload_file(jpeg())], {"view": "trichoscopy"}, {}, "View: choose which part of your head the photographs show."),
    (lambda: [], {}, {}, "Photographs: choose at least one photograph."),
])
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(client, consented, patient_user, files, data, settings_, message):
    client.force_login(patient_user)
    before = stored_names()
    form = {"view": "vertex", "day": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "files": files(), **data}
    if form["day"] == "future":
        form["day"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with override_settings(**settings_):
        response = client.post(reverse("portal:photos"), form)
    assert response.status_code == 400
    assert message in _page(response)
    assert not Photo.objects.exists() and stored_names() == before  # no row, no orphan file
    assert not AuditEntry.objects.filter(object_type="photo", action="create").exists()


def test_one_bad_file_among_good_ones_stores_none_of_them(client, consented, patient_user):
    client.force_login(patient_user)
    before = stored_names()
    response = _post(client, upload_file(jpeg(), "good.jpg"), upload_file(b"GIF89a....", "bad.gif", "image/gif"))
    assert response.status_code == 400 and "bad.gif is not a JPEG, PNG or WebP photograph" in _page(response)
    assert not Photo.objects.exists() and stored_names() == before


def test_without_a_consent_to_photographs_the_page_says_so_and_nothing_is_kept(client, patient, patient_user):
    client.force_login(patient_user)
    page = _page(client.get(reverse("portal:photos")))
    assert "does not hold your consent to photographs" in page and 'data-testid="home-photos-form"' not in page
    before = stored_names()
    response = _post(client, upload_file(jpeg()))
    assert response.status_code == 400 and "does not hold your consent to photographs" in _page(response)
    assert not Photo.objects.exists() and stored_names() == before


# ------------------------------------------------------------------------------ own data only


def test_a_patient_sees_and_opens_only_their_own_photographs_from_home(client, consented, patient_user, other_patient, enrol,
                                                                         trichologist):
    other_user = enrol(other_patient)
    theirs = _home_photo(other_patient, other_user)
    clinic_taken = Photo.objects.create(
        clinic=consented.clinic, patient=consented, visit_date=timezone.localdate(), view="vertex", file_name=theirs.file_name + "x",
        thumbnail_name=theirs.thumbnail_name + "x", image_format="JPEG", width=1, height=1, size_bytes=1, sha256="0" * 64,
        uploaded_by=trichologist)
    client.force_login(patient_user)
    page = _page(client.get(reverse("portal:photos")))
    assert reverse("portal:photo_thumbnail", args=[theirs.pk]) not in page
    assert reverse("portal:photo_thumbnail", args=[clinic_taken.pk]) not in page
    for photo in (theirs, clinic_taken):  # another patient's, or one the clinic took: not found
        assert client.get(reverse("portal:photo_thumbnail", args=[photo.pk])).status_code == 404
        assert client.get(reverse("portal:photo_image", args=[photo.pk])).status_code == 404


def test_the_portal_photograph_pages_need_the_patients_sign_in(client, consented, patient_user, receptionist, trichologist):
    photo = _home_photo(consented, patient_user)
    urls = [reverse("portal:photos"), reverse("portal:photo_image", args=[photo.pk]), reverse("portal:photo_thumbnail", args=[photo.pk])]
    for url in urls:
        assert client.get(url).status_code == 302
    for staff in (receptionist, trichologist):
        client.force_login(staff)
        for url in urls:
            assert client.get(url).status_code == 403


def test_the_portal_navigation_links_to_my_photographs(client, patient_user):
    client.force_login(patient_user)
    assert f'href="{reverse("portal:photos")}"' in client.get(reverse("portal:home")).content.decode()


# ------------------------------------------------------------------------------ what staff see


def test_the_trichologist_sees_them_in_the_gallery_labelled_as_taken_by_the_patient_at_home(client, consented, patient_user, trichologist):
    client.force_login(patient_user)
    day = timezone.localdate() - dt.timedelta(days=3)
    _post(client, upload_file(jpeg()), day=day)
    client.force_login(trichologist)
    page = _page(client.get(reverse("photos:gallery", args=[consented.pk])))
    assert "Taken by the patient at home on" in page and 'data-testid="taken-at-home"' in page
    photo = Photo.objects.get(patient=consented)
    assert client.get(reverse("photos:thumbnail", args=[photo.pk])).status_code == 200
    compare = _page(client.get(reverse("photos:compare", args=[consented.pk]) + "?view=vertex"))
    assert "taken by the patient at home, not a standard clinic photograph" in compare


def test_on_a_day_with_the_clinics_photograph_the_comparison_shows_the_clinics(client, consented, patient_user, trichologist):
    from anagen.audit.services import Actor
    from anagen.photos import services

    home = _home_photo(consented, patient_user)
    clinic_taken = services.upload_photos(Actor.system("test", consented.clinic_id), consented, [
        services.UploadedFile("c.jpg", len(jpeg()), io.BytesIO(jpeg()))], view_choice="vertex", visit_date=home.visit_date,
        today=timezone.localdate(), uploaded_by=trichologist)[0]
    comparison = services.compare(Actor.system("test", consented.clinic_id), consented, "vertex")
    assert comparison.after.photo.pk == clinic_taken.pk and not clinic_taken.taken_by_patient


def test_a_photograph_taken_at_home_is_never_measured(client, consented, patient_user, trichologist):
    from anagen.audit.services import Actor
    from anagen.core.errors import InvalidInput
    from anagen.photos import hair_services

    photo = _home_photo(consented, patient_user, view="trichoscopy", site_zone="vertex")
    assert hair_services.trichoscopy_photos(consented) == []  # not offered on "Measure from an image"
    client.force_login(trichologist)
    page = _page(client.get(reverse("photos:hairs_start", args=[consented.pk])))
    assert f'value="{photo.pk}"' not in page
    response = client.post(reverse("photos:hairs_start", args=[consented.pk]), {"photo": photo.pk, "micrometres_per_pixel": "5"})
    assert response.status_code == 400
    assert "A photograph the patient took at home is never measured" in _page(response)
    with pytest.raises(InvalidInput):
        hair_services.measure_photo(Actor.system("test", consented.clinic_id), photo, by=trichologist, dermatoscope_id=None,
                                    micrometres_per_pixel=5)
    assert not HairCount.objects.exists()


def test_the_service_refuses_a_trichoscopy_image_taken_at_home(consented, patient_user):
    from anagen.audit.services import Actor
    from anagen.core.errors import InvalidInput
    from anagen.photos import services

    with pytest.raises(InvalidInput) as refused:
        services.upload_photos(Actor.system("test", consented.clinic_id), consented, [services.UploadedFile("t.jpg", len(jpeg()), io.BytesIO(jpeg()))],
                               view_choice="trichoscopy", visit_date=timezone.localdate(), today=timezone.localdate(),
                               uploaded_by=patient_user, taken_by_patient=True, site=services.Site("vertex"))
    assert [e.field for e in refused.value.errors] == ["view"] and not Photo.objects.exists()


# ------------------------------------------------------------------------------ the patient's language


@pytest.mark.parametrize("language", ["hi", "mr"])
def test_a_patient_who_prefers_hindi_or_marathi_reads_no_english_interface_word_on_the_page(client, consented, patient_user, language):
    consented.preferred_language = language
    consented.save()
    client.force_login(patient_user)
    _post(client, upload_file(jpeg(), "photo.jpg"))
    bad = _post(client, upload_file(b"notes", "notes.txt", "text/plain"), day=timezone.localdate() + dt.timedelta(days=2))
    allowed = {"JPEG", "PNG", "WebP", "MB", "Dec", "notes", "txt"}
    for response in (client.get(reverse("portal:photos")), bad):
        page = response.content.decode()
        text = page[page.index("<h1"):page.index("</main>")]
        text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", text, flags=re.S)
        assert [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", unescape(text)) if w not in allowed] == []


# ------------------------------------------------------------------------------ what leaves Anagen


def test_the_fhir_bundle_notes_a_photograph_taken_at_home_and_it_validates(consented, patient_user):
    from anagen.interop.fhir import patient_bundle_dict, validate_resource

    photo = _home_photo(consented, patient_user)
    media = [e["resource"] for e in patient_bundle_dict(consented)["entry"] if e["resource"]["resourceType"] == "Media"]
    assert [m["note"] for m in media] == [[{"text": "Taken by the patient at home"}]]
    validate_resource(media[0])
    assert photo.taken_by_patient
