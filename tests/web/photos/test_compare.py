from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor
from anagen.photos import services

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def add_photos(clinic, patient, user, on, view="standard_order", count=6, colour=(180, 130, 100), **site):
    files = []
    for _ in range(count):
        data = jpeg(160, 120, colour=colour)
        files.append(services.UploadedFile("p.jpg", len(data), io.BytesIO(data)))
    return services.upload_photos(Actor.system("test", clinic.pk), patient, files, view_choice=view, visit_date=on,
                                  today=timezone.localdate(), uploaded_by=user, site=services.Site(**site) if site else None)


def completed_session_appointment(clinic, patient, user, room, on):
    from anagen.scheduling.models import Appointment

    starts = timezone.make_aware(dt.datetime.combine(on, dt.time(9, 0)))
    return Appointment.objects.create(clinic=clinic, patient=patient, practitioner=user, room=room, kind="mesotherapy_session",
                                      starts_at=starts, ends_at=starts + dt.timedelta(minutes=45), status="completed")


@pytest.fixture
def history(clinic, trichologist, practitioner, consented):
    from anagen.consultations.models import MeasurementSet
    from anagen.scheduling.models import Room

    today = timezone.localdate()
    baseline, middle, latest = today - dt.timedelta(days=120), today - dt.timedelta(days=60), today
    add_photos(clinic, consented, trichologist, baseline)
    add_photos(clinic, consented, trichologist, middle, view="vertex", count=1)
    add_photos(clinic, consented, trichologist, latest, colour=(120, 90, 70))
    site = {"site_zone": "vertex", "site_offset_cm": Decimal("10.0"), "site_note": "midline"}
    MeasurementSet.objects.create(clinic=clinic, patient=consented, measured_on=baseline - dt.timedelta(days=2), density_per_cm2=Decimal("131.5"),
                                  comb_count=24, **site)
    MeasurementSet.objects.create(clinic=clinic, patient=consented, measured_on=latest - dt.timedelta(days=1), density_per_cm2=Decimal("149.0"),
                                  comb_count=11, **site)
    # Measured nearer the latest date but at another site: never compared with the baseline.
    MeasurementSet.objects.create(clinic=clinic, patient=consented, measured_on=latest, site_zone="frontal", density_per_cm2=Decimal("99.9"))
    room = Room.objects.create(clinic=clinic, name="Room A")
    for days in (0, 14, 28, 42, 56, 70):  # six intensive sessions from the baseline day
        completed_session_appointment(clinic, consented, practitioner, room, baseline + dt.timedelta(days=days))
    completed_session_appointment(clinic, consented, practitioner, room, latest)  # after the latest photographs
    return {"patient": consented, "baseline": baseline, "middle": middle, "latest": latest}


def test_the_comparison_shows_both_dates_the_sessions_and_both_measurements(client, trichologist, history):
    client.force_login(trichologist)
    response = client.get(reverse("photos:compare", args=[history["patient"].pk]), {"view": "vertex"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<span class="compare-date" id="before-date">{history["baseline"]:%-d %b %Y}</span>' in page
    assert f'<span class="compare-date" id="after-date">{history["latest"]:%-d %b %Y}</span>' in page
    assert "<strong>6</strong> treatment sessions between these dates" in page
    comparison = response.context["comparison"]
    assert comparison.sessions_between == 6 and comparison.completed_appointments_without_record == 6
    assert comparison.before.measurement.density_per_cm2 == Decimal("131.5")
    assert comparison.after.measurement.density_per_cm2 == Decimal("149.0")
    assert "131.5" in page and "149.0" in page and "99.9" not in page
    assert 'id="compare-slider"' in page and 'type="range"' in page
    assert "<script>" not in page


def test_viewing_a_comparison_audits_both_photographs(client, trichologist, history):
    client.force_login(trichologist)
    comparison = client.get(reverse("photos:compare", args=[history["patient"].pk]), {"view": "vertex"}).context["comparison"]
    reads = AuditEntry.objects.filter(action="read", object_type="photo", user_id=trichologist.pk, patient_id=history["patient"].pk)
    assert set(reads.values_list("object_id", flat=True)) == {str(comparison.before.photo.pk), str(comparison.after.photo.pk)}


def test_any_two_visits_can_be_chosen_and_their_order_does_not_matter(client, trichologist, history):
    client.force_login(trichologist)
    url = reverse("photos:compare", args=[history["patient"].pk])
    comparison = client.get(url, {"view": "vertex", "before": history["latest"].isoformat(), "after": history["middle"].isoformat()}).context["comparison"]
    assert (comparison.before.visit_date, comparison.after.visit_date) == (history["middle"], history["latest"])
    assert comparison.sessions_between == 1  # day 70 of the course; day 56 came before the middle visit
    assert comparison.before.measurement is None  # nothing measured within 45 days of the middle visit


def test_a_view_taken_at_one_visit_only_says_so(client, trichologist, history):
    client.force_login(trichologist)
    page = client.get(reverse("photos:compare", args=[history["patient"].pk]), {"view": "trichoscopy"}).content.decode()
    assert "No trichoscopy (at the target site) photographs of this patient yet" in page


def test_nonsense_parameters_fall_back_to_the_defaults(client, trichologist, history):
    client.force_login(trichologist)
    response = client.get(reverse("photos:compare", args=[history["patient"].pk]), {"view": "selfie", "before": "yesterday"})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison.view, comparison.before.visit_date) == ("vertex", history["baseline"])


def test_trichoscopy_images_from_different_sites_carry_a_warning(client, clinic, trichologist, consented):
    today = timezone.localdate()
    add_photos(clinic, consented, trichologist, today - dt.timedelta(days=90), view="trichoscopy", count=1, zone="vertex", offset_cm=Decimal("10.0"))
    add_photos(clinic, consented, trichologist, today, view="trichoscopy", count=1, zone="frontal", offset_cm=Decimal("2.0"))
    client.force_login(trichologist)
    page = client.get(reverse("photos:compare", args=[consented.pk]), {"view": "trichoscopy"}).content.decode()
    assert "taken at different sites (Vertex, 10.0 cm behind the hairline; Frontal, 2.0 cm behind the hairline)" in page
