"""The API exposes hair counts: measure a trichoscopy image, read one, list a patient's."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image
from tests.core.hairs.test_measurement import scene
from tests.web.photos.conftest import consent_to_photographs, stored_names

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.photos import services as photo_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_storage():
    for name in stored_names():
        storages["photos"].delete(name)
    yield


def _photo(clinic, patient, user, view="trichoscopy"):
    consent_to_photographs(clinic, patient, user)
    out = io.BytesIO()
    Image.fromarray(scene([(60, 90, 340, 110, 60, 0.8), (80, 200, 330, 190, 22, 0.4)])).save(out, "JPEG", quality=95)
    data = out.getvalue()
    upload = photo_services.UploadedFile("t.jpg", len(data), io.BytesIO(data))
    site = photo_services.Site("vertex", None, "") if view == "trichoscopy" else None
    return photo_services.upload_photos(Actor.system("test", clinic.pk), patient, [upload], view_choice=view,
                                        visit_date=timezone.localdate(), today=timezone.localdate(), uploaded_by=user, site=site)[0]


def test_a_trichologist_measures_reads_and_lists_hair_counts_through_the_api(clinic, patient, trichologist, api_as):
    photo = _photo(clinic, patient, trichologist)
    api = api_as(trichologist)
    created = api("post", f"/photos/{photo.pk}/hair-counts", {"micrometres_per_pixel": "5.0"})
    assert created.status_code == 201, created.content
    body = created.data
    assert body["auto_count"] == body["final_count"] == 2 == len(body["hairs"])
    assert body["auto_vellus_share"] == 0.5 and body["filed_to_id"] is None
    assert {h["source"] for h in body["hairs"]} == {"automatic"}
    read = api("get", f"/hair-counts/{body['id']}")
    assert read.status_code == 200 and read.data["final_density_per_cm2"] == body["final_density_per_cm2"]
    listed = api("get", f"/patients/{patient.pk}/hair-counts")
    assert listed.status_code == 200 and [c["id"] for c in listed.data["items"]] == [body["id"]]
    assert AuditEntry.objects.filter(object_type="hair_count", object_id=str(body["id"]), action="read").count() == 2


def test_the_api_refuses_a_bad_scale_and_another_clinic(clinic, patient, trichologist, other_clinic, api_as):
    from tests.conftest import _make_user

    photo = _photo(clinic, patient, trichologist)
    api = api_as(trichologist)
    bad = api("post", f"/photos/{photo.pk}/hair-counts", {"micrometres_per_pixel": "-1"})
    assert bad.status_code == 422 and "micrometres_per_pixel" in str(bad.data)
    missing = api("post", f"/photos/{photo.pk}/hair-counts", {})
    assert missing.status_code == 422 and "dermatoscope" in str(missing.data)
    stranger = api_as(_make_user(other_clinic, "trichologist"))
    assert stranger("post", f"/photos/{photo.pk}/hair-counts", {"micrometres_per_pixel": "5"}).status_code == 404
    assert stranger("get", f"/patients/{patient.pk}/hair-counts").status_code == 404


def test_reception_cannot_read_hair_counts(clinic, patient, receptionist, api_as):
    assert api_as(receptionist)("get", f"/patients/{patient.pk}/hair-counts").status_code == 403
