"""Photos and reports on S3-compatible object storage (django-storages), tested against a local
moto server: what several application servers share instead of a local folder."""

from __future__ import annotations

import io
import socket

import boto3
import pytest
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="ap-south-1", aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket="anagen-clinic", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
    options = {"bucket_name": "anagen-clinic", "endpoint_url": endpoint, "region_name": "ap-south-1", "access_key": "test",
               "secret_key": "test", "default_acl": None, "file_overwrite": False, "querystring_auth": True}
    from django.conf import settings

    configured = {**settings.STORAGES,
                  "photos": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "photos"}},
                  "reports": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "reports"}}}
    with override_settings(STORAGES=configured):
        yield client
    server.stop()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 70)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_photos_are_stored_in_the_bucket_and_served_through_the_audited_view(client, s3_server, clinic, trichologist, patient):
    from django.utils import timezone

    from anagen.audit.models import AuditEntry
    from anagen.audit.services import Actor
    from anagen.consents.services import publish_text, sign_consent
    from anagen.photos.services import UploadedFile, make_pending_thumbnails, upload_photos

    assert type(storages["photos"]).__name__ == "S3Storage"
    actor = Actor.system("test", clinic.pk)
    text = publish_text(actor, clinic, "photographs", "en", "Clinical photographs", "I consent to clinical photographs.")
    sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=trichologist)
    today = timezone.localdate()
    [photo] = upload_photos(actor, patient, [UploadedFile("vertex.jpg", len(jpeg_bytes()), io.BytesIO(jpeg_bytes()))], view_choice="vertex",
                            visit_date=today, today=today, uploaded_by=trichologist)
    keys = [o["Key"] for o in s3_server.list_objects_v2(Bucket="anagen-clinic")["Contents"]]
    assert sum(1 for k in keys if k.startswith("photos/")) == 1  # the thumbnail comes after the request
    assert make_pending_thumbnails() == 1
    keys = [o["Key"] for o in s3_server.list_objects_v2(Bucket="anagen-clinic")["Contents"]]
    assert any(k.startswith("photos/") and k.endswith("-thumb.jpg") for k in keys)
    assert sum(1 for k in keys if k.startswith("photos/")) == 2

    client.force_login(trichologist)
    response = client.get(reverse("photos:image", args=[photo.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert Image.open(io.BytesIO(body)).size == (64, 48)
    assert AuditEntry.objects.filter(object_type="photo", action="read", patient_id=patient.pk).exists()
