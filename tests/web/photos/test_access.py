from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.photos import services

from .conftest import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(clinic, trichologist, consented):
    from django.utils import timezone

    files = [services.UploadedFile("v.jpg", 0, __import__("io").BytesIO(jpeg(640, 480)))]
    files = [services.UploadedFile("v.jpg", len(files[0].content.getvalue()), files[0].content)]
    return services.upload_photos(Actor.system("test", clinic.pk), consented, files, view_choice="vertex",
                                  visit_date=timezone.localdate(), today=timezone.localdate(), uploaded_by=trichologist)[0]


def photo_urls(photo):
    return [reverse("photos:image", args=[photo.pk]), reverse("photos:thumbnail", args=[photo.pk])]


def patient_urls(patient):
    return [reverse(f"photos:{name}", args=[patient.pk]) for name in ("gallery", "upload", "compare")]


def test_a_photo_and_its_thumbnail_are_served_privately_and_never_cached(client, practitioner, photo):
    client.force_login(practitioner)
    original = client.get(reverse("photos:image", args=[photo.pk]))
    assert original.status_code == 200
    assert original["Content-Type"] == "image/jpeg"
    assert original["Cache-Control"] == "private, no-store"
    assert original["X-Content-Type-Options"] == "nosniff"
    assert b"".join(original.streaming_content) == storages["photos"].open(photo.file_name).read()
    thumb = client.get(reverse("photos:thumbnail", args=[photo.pk]))
    assert thumb["Cache-Control"] == "private, no-store" and thumb["X-Content-Type-Options"] == "nosniff"
    assert len(b"".join(thumb.streaming_content)) < photo.size_bytes


def test_every_view_of_a_photo_is_audited_with_the_patient(client, practitioner, photo):
    client.force_login(practitioner)
    client.get(reverse("photos:image", args=[photo.pk]))
    client.get(reverse("photos:thumbnail", args=[photo.pk]))
    reads = AuditEntry.objects.filter(action="read", object_id=str(photo.pk), patient_id=photo.patient_id, user_id=practitioner.pk)
    assert sorted(reads.values_list("object_type", flat=True)) == ["photo", "photo_thumbnail"]


def test_reception_never_sees_photos(client, receptionist, photo):
    client.force_login(receptionist)
    for url in photo_urls(photo) + patient_urls(photo.patient):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("photos:upload", args=[photo.patient_id]), {}).status_code == 403


def test_another_clinics_photo_and_patient_do_not_exist(client, other_clinic, make_user, photo):
    outsider = make_user(other_clinic, "trichologist")
    client.force_login(outsider)
    for url in photo_urls(photo) + patient_urls(photo.patient):
        assert client.get(url).status_code == 404, url
    assert not AuditEntry.objects.filter(user_id=outsider.pk, object_type__startswith="photo").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, photo):
    for url in photo_urls(photo) + patient_urls(photo.patient):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_the_files_live_outside_the_static_folder(photo, settings):
    location = str(storages["photos"].location)
    assert not location.startswith(str(settings.STATIC_ROOT))
    services.make_pending_thumbnails()
    assert storages["photos"].exists(photo.file_name) and storages["photos"].exists(photo.thumbnail_name)


def test_the_gallery_shows_the_visit_with_its_thumbnails(client, trichologist, photo):
    client.force_login(trichologist)
    page = client.get(reverse("photos:gallery", args=[photo.patient_id])).content.decode()
    assert f'src="{reverse("photos:thumbnail", args=[photo.pk])}"' in page
    assert f"Visit of {photo.visit_date:%-d %b %Y}" in page
    assert AuditEntry.objects.filter(action="read", object_type="photo_gallery", patient_id=photo.patient_id).exists()


def test_the_patient_page_shows_the_photos_panel_to_clinicians_only(client, trichologist, receptionist, photo):
    url = reverse("patients:detail", args=[photo.patient_id])
    client.force_login(trichologist)
    page = client.get(url).content.decode()
    assert 'id="photos-panel"' in page and "1 photograph" in page
    assert reverse("photos:upload", args=[photo.patient_id]) in page
    client.force_login(receptionist)
    assert 'id="photos-panel"' not in client.get(url).content.decode()
