"""One upload request cannot keep a worker busy (issue 19, finding 6): the attack sent twenty
49-megapixel PNGs, small in bytes, in one request; the worker decoded them past gunicorn's 30 s
timeout and was killed. Now a request is weighed on its headers before any pixel is decoded, and
thumbnails are made after the request. The same attack against the real server is in
tests/web/reliability/test_upload_flood.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from anagen.photos.models import Photo
from anagen.photos.services import make_pending_thumbnails

from .conftest import jpeg, png_claiming, stored_names, upload_file

pytestmark = pytest.mark.django_db

BOMB = png_claiming(7000, 7000)  # 49 megapixels, a few kilobytes


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel is decoded: the refusals below must come from the headers."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("an image was decoded before the request was weighed")

    monkeypatch.setattr(Image.Image, "load", refuse)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", refuse)


def _post(client, patient, files, view="vertex"):
    return client.post(reverse("photos:upload", args=[patient.pk]),
                       {"visit_date": timezone.localdate().isoformat(), "view": view, "files": files})


def test_twenty_bombs_in_one_request_are_refused_on_their_count_before_any_decoding(client, trichologist, consented, no_decoding):
    client.force_login(trichologist)
    response = _post(client, consented, [upload_file(BOMB, f"b{i}.png", "image/png") for i in range(20)])
    assert response.status_code == 400
    assert "Send at most 12 photographs at a time (20 were sent)" in response.content.decode()
    assert not Photo.objects.exists() and stored_names() == set()


def test_a_few_bombs_are_refused_on_their_pixels_together_before_any_decoding(client, trichologist, consented, no_decoding):
    client.force_login(trichologist)
    response = _post(client, consented, [upload_file(BOMB, f"b{i}.png", "image/png") for i in range(3)])
    assert response.status_code == 400
    assert "147 megapixels together, more than the 100 megapixels one upload may carry" in response.content.decode()
    assert not Photo.objects.exists() and stored_names() == set()


def test_the_api_refuses_the_same_request_naming_the_files(client, trichologist, consented, no_decoding):
    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor

    token = issue_token(Actor.system("test"), trichologist, "script", expires_at=None, by=trichologist).secret
    response = client.post(f"/api/v1/patients/{consented.pk}/photos",
                           {"visit_date": timezone.localdate().isoformat(), "view": "vertex",
                            "files": [upload_file(BOMB, f"b{i}.png", "image/png") for i in range(20)]},
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "files"
    assert not Photo.objects.exists()


def test_a_clinics_usual_upload_still_goes_through_and_gets_its_thumbnails_afterwards(client, trichologist, consented):
    client.force_login(trichologist)
    files = [upload_file(jpeg(1600, 1200, colour=(150 + i, 120, 90)), f"IMG_{i}.jpg") for i in range(6)]
    assert _post(client, consented, files, view="standard_order").status_code == 302
    assert Photo.objects.filter(has_thumbnail=False).count() == 6
    assert make_pending_thumbnails() == 6
    assert not Photo.objects.filter(has_thumbnail=False).exists()


def test_a_thumbnail_the_worker_has_not_made_yet_is_made_on_first_request(client, trichologist, consented):
    client.force_login(trichologist)
    _post(client, consented, [upload_file(jpeg(1600, 1200))])
    photo = Photo.objects.get()
    response = client.get(reverse("photos:thumbnail", args=[photo.pk]))
    assert response.status_code == 200
    thumb = Image.open(__import__("io").BytesIO(b"".join(response.streaming_content)))
    assert thumb.size == (320, 240)
    photo.refresh_from_db()
    assert photo.has_thumbnail
