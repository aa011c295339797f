"""Hair counts in the product: measure a trichoscopy image, correct the marks, file the figures
into a visit; calibration per dermatoscope; access, audit and refusals."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from tests.core.hairs.test_measurement import scene

from anagen.audit.models import AuditEntry
from anagen.consultations.models import MeasurementSet
from anagen.photos.models import Dermatoscope, HairCount, Photo

from .conftest import jpeg, upload_file

pytestmark = pytest.mark.django_db

SHAFTS = [(60, 90, 340, 110, 60, 0.8), (80, 310, 330, 290, 50, 0.8), (80, 200, 330, 190, 22, 0.4)]


def _jpeg_of(image) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, "JPEG", quality=95)
    return out.getvalue()


def upload_trichoscopy(client, patient, content=None, on=None):
    on = on or timezone.localdate()
    response = client.post(reverse("photos:upload", args=[patient.pk]), {
        "visit_date": on.isoformat(), "view": "trichoscopy", "site_zone": "vertex", "site_offset_cm": "10",
        "site_note": "", "files": [upload_file(content or _jpeg_of(scene(SHAFTS)), "tricho.jpg")],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return Photo.objects.filter(patient=patient).latest("id")


@pytest.fixture
def scope(clinic):
    return Dermatoscope.objects.create(clinic=clinic, name="Handyscope", micrometres_per_pixel=Decimal("5.000"))


def measure(client, patient, photo, scope, visit=None):
    data = {"photo": photo.pk, "dermatoscope": scope.pk}
    if visit:
        data["visit"] = visit
    response = client.post(reverse("photos:hairs_start", args=[patient.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return HairCount.objects.latest("id")


def test_a_trichologist_measures_corrects_and_files_the_figures_into_a_new_follow_up_visit(client, trichologist, consented, scope):
    client.force_login(trichologist)
    photo = upload_trichoscopy(client, consented)
    count = measure(client, consented, photo, scope)
    assert (count.auto_count, count.final_count) == (3, 3)
    assert count.auto_vellus_share == pytest.approx(1 / 3)
    page = client.get(reverse("photos:hair_count", args=[count.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="mark ') == 3 and "mark vellus" in body and "mark terminal" in body
    # A click on the thin hair removes its mark; a click on bare skin adds one.
    removed = client.post(reverse("photos:hair_mark", args=[count.pk]), {"x_px": "205", "y_px": "195"}, headers={"HX-Request": "true"})
    assert removed.status_code == 200 and removed.content.decode().count('class="mark ') == 2
    count.refresh_from_db()
    assert (count.auto_count, count.final_count, count.corrected_by) == (3, 2, trichologist)
    assert count.final_vellus_share == 0
    client.post(reverse("photos:hair_mark", args=[count.pk]), {"x_px": "330", "y_px": "370"})
    count.refresh_from_db()
    assert count.final_count == 3 and count.added[0]["diameter_um"] is None
    filed = client.post(reverse("photos:hair_file", args=[count.pk]), {"visit": "new"})
    assert filed.status_code == 302 and filed["Location"] == reverse("outcomes:progress", args=[consented.pk])
    count.refresh_from_db()
    row = count.filed_to
    assert row.measured_on == photo.visit_date and row.consultation is None
    assert row.site_zone == "vertex" and row.site_offset_cm == Decimal("10.0")
    assert float(row.density_per_cm2) == pytest.approx(3 / count.area_cm2, abs=0.1)
    assert row.thin_hairs_pct == Decimal("0.0")
    assert 45 <= float(row.mean_shaft_diameter_um) <= 65
    assert count.filed_by == trichologist
    actions = list(AuditEntry.objects.filter(object_type="hair_count", object_id=str(count.pk)).values_list("action", flat=True))
    assert actions.count("create") == 1 and actions.count("update") == 3 and "read" in actions
    assert AuditEntry.objects.filter(object_type="measurement_set", object_id=str(row.pk), action="create").exists()
    # The progress page shows the filed density.
    progress = client.get(reverse("outcomes:progress", args=[consented.pk]))
    assert progress.status_code == 200
    assert f"{row.density_per_cm2}" in progress.content.decode()
    # Filed figures are not corrected again.
    again = client.post(reverse("photos:hair_mark", args=[count.pk]), {"x_px": "100", "y_px": "100"})
    assert "filed" in again.content.decode()


def test_the_figures_go_into_an_existing_follow_up_visit_and_a_signed_consultation_is_refused(client, trichologist, consented, scope, clinic):
    client.force_login(trichologist)
    photo = upload_trichoscopy(client, consented)
    visit = MeasurementSet.objects.create(clinic=clinic, patient=consented, measured_on=photo.visit_date, comb_count=12)
    count = measure(client, consented, photo, scope, visit=visit.pk)
    page = client.get(reverse("photos:hair_count", args=[count.pk]) + f"?visit={visit.pk}")
    assert f'<option value="{visit.pk}" selected>' in page.content.decode()
    client.post(reverse("photos:hair_file", args=[count.pk]), {"visit": str(visit.pk)})
    visit.refresh_from_db()
    assert visit.density_per_cm2 is not None and visit.comb_count == 12
    other = measure(client, consented, photo, scope)
    refused = client.post(reverse("photos:hair_file", args=[other.pk]), {"visit": "999999"})
    assert refused.status_code == 400 and "not signed" in refused.content.decode()


def test_the_next_visit_shows_the_baseline_at_the_same_site(client, trichologist, consented, scope):
    client.force_login(trichologist)
    first = upload_trichoscopy(client, consented, on=timezone.localdate() - dt.timedelta(days=90))
    baseline = measure(client, consented, first, scope)
    later = upload_trichoscopy(client, consented, _jpeg_of(scene(SHAFTS[:2])))
    count = measure(client, consented, later, scope)
    body = client.get(reverse("photos:hair_count", args=[count.pk])).content.decode()
    assert "Baseline at the same site" in body
    assert reverse("photos:image", args=[baseline.photo.pk]) in body


def test_a_picture_that_is_not_trichoscopy_or_a_missing_scale_is_refused_naming_it(client, trichologist, consented):
    client.force_login(trichologist)
    photo = upload_trichoscopy(client, consented)
    response = client.post(reverse("photos:hairs_start", args=[consented.pk]), {"photo": photo.pk, "dermatoscope": ""})
    assert response.status_code == 400 and "Dermatoscope" in response.content.decode()
    response = client.post(reverse("photos:hairs_start", args=[consented.pk]),
                           {"photo": photo.pk, "dermatoscope": "", "micrometres_per_pixel": "-3"})
    assert response.status_code == 400 and "Scale" in response.content.decode()
    assert not HairCount.objects.exists()


def test_a_trichoscopy_image_too_small_to_measure_is_refused_with_a_clear_message(client, trichologist, consented, scope):
    client.force_login(trichologist)
    photo = upload_trichoscopy(client, consented, jpeg(120, 90))
    response = client.post(reverse("photos:hairs_start", args=[consented.pk]), {"photo": photo.pk, "dermatoscope": scope.pk})
    assert response.status_code == 400
    assert "too small" in response.content.decode()
    assert not HairCount.objects.exists()


def test_other_clinics_and_reception_cannot_reach_hair_counts(client, trichologist, receptionist, consented, scope, other_clinic):
    from tests.conftest import _make_user

    client.force_login(trichologist)
    photo = upload_trichoscopy(client, consented)
    count = measure(client, consented, photo, scope)
    client.force_login(receptionist)
    assert client.get(reverse("photos:hair_count", args=[count.pk])).status_code == 403
    client.force_login(_make_user(other_clinic, "trichologist"))
    assert client.get(reverse("photos:hair_count", args=[count.pk])).status_code == 404
    assert client.post(reverse("photos:hair_mark", args=[count.pk]), {"x_px": "1", "y_px": "1"}).status_code == 404
    client.logout()
    assert client.get(reverse("photos:hair_count", args=[count.pk])).status_code == 302


def test_a_clinic_admin_calibrates_dermatoscopes_and_bad_scales_are_refused(client, admin_user, trichologist, clinic):
    client.force_login(admin_user)
    url = reverse("photos:dermatoscopes")
    assert client.post(url, {"name": "FotoFinder", "micrometres_per_pixel": "4.2"}).status_code == 302
    device = Dermatoscope.objects.get(clinic=clinic)
    assert device.micrometres_per_pixel == Decimal("4.2")
    bad = client.post(url, {"name": "Other", "micrometres_per_pixel": "0"})
    assert bad.status_code == 400 and "Scale" in bad.content.decode()
    clash = client.post(url, {"name": "FotoFinder", "micrometres_per_pixel": "3"})
    assert clash.status_code == 400
    assert AuditEntry.objects.filter(object_type="dermatoscope", action="create").count() == 1
    client.force_login(trichologist)
    assert client.get(url).status_code == 403
