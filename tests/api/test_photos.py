"""The photos router (photographs: upload, metadata, files, comparison; hair counts): each operation works,
refuses bad input naming the field, refuses conflicts with 409, and leaves the audit trail. Roles
and clinics are in test_access.py."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.utils import timezone
from PIL import Image
from tests.core.hairs.test_measurement import scene
from tests.web.photos.conftest import consent_to_photographs, stored_names

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.photos import services as photo_services

pytestmark = pytest.mark.django_db


def _upload(user, patient_id, files, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor

    secret = issue_token(Actor.system("t"), user, "t", expires_at=None, by=user).secret
    data = {**fields, "files": [SimpleUploadedFile(name, content, content_type="image/jpeg") for name, content in files]}
    response = Client().post(f"/api/v1/patients/{patient_id}/photos", data=data, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response.data = response.json()
    return response


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (190, 140, 110)).save(out, "JPEG")
    return out.getvalue()


def test_it_serves_photo_metadata_and_the_file_with_an_audit_entry(world, api_as):
    import io

    from PIL import Image

    from anagen.audit.services import Actor
    from anagen.photos.services import UploadedFile, upload_photos

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "JPEG")
    [photo] = upload_photos(Actor.system("t", world["clinic"].pk), world["patient"],
                            [UploadedFile(name="a.jpg", size=len(buffer.getvalue()), content=io.BytesIO(buffer.getvalue()))], view_choice="frontal",
                            visit_date=world["today"], today=world["today"], uploaded_by=world["staff"]["trichologist"])
    api = api_as(world["staff"]["practitioner"])
    listed = api("get", f"/photos?patient_id={world['patient'].pk}")
    assert [p["id"] for p in listed.data["items"]] == [photo.pk]
    assert listed.data["items"][0]["taken_by_patient"] is False  # the patient's own from home say True (issue 22)
    download = api("get", f"/photos/{photo.pk}/file")
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert download.body.startswith(b"\xff\xd8")
    assert AuditEntry.objects.filter(object_type="photo", object_id=str(photo.pk), action="read").exists()


def test_clinical_staff_upload_photographs_and_compare_two_visits(world, api_as):
    doctor = world["staff"]["trichologist"]
    patient = world["patient"]
    earlier = world["today"] - dt.timedelta(days=90)
    first = _upload(doctor, patient.pk, [("v.jpg", _jpeg())], visit_date=earlier.isoformat(), view="vertex")
    assert first.status_code == 201, first.data
    second = _upload(doctor, patient.pk, [("v2.jpg", _jpeg())], visit_date=world["today"].isoformat(), view="vertex")
    assert second.status_code == 201 and second.data[0]["view"] == "vertex"
    assert AuditEntry.objects.filter(object_type="photo", action="create", patient_id=patient.pk).count() == 2
    compared = api_as(doctor)("get", f"/patients/{patient.pk}/photo-comparison?view=vertex")
    assert compared.status_code == 200
    assert compared.data["before"]["photo"]["id"] == first.data[0]["id"]
    assert compared.data["after"]["photo"]["id"] == second.data[0]["id"]


def test_an_upload_is_refused_naming_the_field_and_without_consent_with_409(world, api_as, make_patient):
    doctor = world["staff"]["trichologist"]
    bad = _upload(doctor, world["patient"].pk, [("x.jpg", b"not an image")], visit_date=world["today"].isoformat(), view="vertex")
    assert bad.status_code == 422 and bad.data["errors"][0]["field"] == "files"
    future = _upload(doctor, world["patient"].pk, [("v.jpg", _jpeg())],
                     visit_date=(world["today"] + dt.timedelta(days=2)).isoformat(), view="vertex")
    assert future.status_code == 422 and "visit_date" in {e["field"] for e in future.data["errors"]}
    stranger = make_patient(world["clinic"], phone="+919811100000")
    refused = _upload(doctor, stranger.pk, [("v.jpg", _jpeg())], visit_date=world["today"].isoformat(), view="vertex")
    assert refused.status_code == 409 and refused.data["type"].endswith("consent-missing")


# ------------------------------------------------------------------------------ hair counts


@pytest.fixture
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


@pytest.mark.usefixtures("empty_storage")
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


@pytest.mark.usefixtures("empty_storage")
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


@pytest.mark.usefixtures("empty_storage")
def test_reception_cannot_read_hair_counts(clinic, patient, receptionist, api_as):
    assert api_as(receptionist)("get", f"/patients/{patient.pk}/hair-counts").status_code == 403
