from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from anagen.audit.models import AuditEntry
from anagen.demo.photos import scalp_image, seed_photos
from anagen.photos.models import Photo

from .conftest import consent_to_photographs

pytestmark = pytest.mark.django_db


def test_demo_pictures_get_denser_from_visit_to_visit():
    def dark_share(data):
        histogram = Image.open(io.BytesIO(data)).convert("L").histogram()
        return sum(histogram[:80]) / sum(histogram)

    assert dark_share(scalp_image("7-vertex", 0.5)) > dark_share(scalp_image("7-vertex", 0.3)) * 1.2
    assert Image.open(io.BytesIO(scalp_image("7-trichoscopy", 0.3, trichoscopy=True))).size == (480, 360)


def test_the_demo_seed_uploads_baseline_and_latest_visits_for_consenting_patients(clinic, make_patient, trichologist, practitioner):
    from anagen.demo.seed import SeedContext

    patients = [make_patient(clinic, given_name=f"P{i}") for i in range(16)]
    consent_to_photographs(clinic, patients[14], practitioner)  # patients[15] has not consented
    today = timezone.localdate()
    ctx = SeedContext(clinic=clinic, branch=clinic, staff={"doctor": trichologist}, patients=patients, today=today)
    seed_photos(ctx)
    photos = Photo.objects.filter(patient=patients[14])
    assert photos.count() == 14
    assert sorted({p.visit_date for p in photos}) == [today - dt.timedelta(days=90), today]
    assert photos.filter(view="trichoscopy").exclude(site_zone="").count() == 2
    assert not Photo.objects.filter(patient=patients[15]).exists()
    assert AuditEntry.objects.filter(action="create", object_type="photo", patient_id=patients[14].pk).count() == 14
    seed_photos(ctx)  # running it again adds nothing
    assert Photo.objects.count() == 14
