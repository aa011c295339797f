"""Progress charts, the response, the forecast band and the non-responder flag."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def course(patient, make_programme):
    return make_programme(patient, gains=(2.0, 6.0))


def test_the_progress_page_shows_charts_response_and_table(client, trichologist, patient, course):
    from anagen.audit.models import AuditEntry

    client.force_login(trichologist)
    response = client.get(reverse("outcomes:progress", args=[patient.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="chart-density"' in body and 'id="measurement-table"' in body
    assert "148.4" in body  # the second follow-up, in the text table
    assert "Download progress report (PDF)" in body
    # +6% density is inside the smallest detectable change, +1 on the photographs: no response yet (issue 17).
    assert 'class="badge response-none"' in body
    assert AuditEntry.objects.filter(action="read", object_type="progress", patient_id=patient.pk).exists()


def test_the_density_chart_parses_with_baseline_sessions_and_band(client, trichologist, patient, course):
    client.force_login(trichologist)
    response = client.get(reverse("outcomes:chart_svg", args=[patient.pk, "density"]))
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    groups = {g.get("class") for g in root.iter(f"{SVG}g")}
    assert {"baseline", "sessions", "forecast-band", "series"} <= groups
    markers = [p for p in root.iter(f"{SVG}polygon") if p.get("class") == "session-marker"]
    assert len(markers) == 5
    baseline = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "baseline")
    assert "baseline 140" in "".join(baseline.itertext())
    points = [e for e in root.iter() if e.get("class") == "point" and e.find(f"{SVG}title") is not None
              and "density" in e.find(f"{SVG}title").text]
    assert len(points) == 3 + 1  # baseline and two follow-ups, plus the legend's marker


def test_a_measurement_at_another_site_is_not_compared(patient, course, today):
    from decimal import Decimal

    from anagen.consultations.models import MeasurementSet
    from anagen.outcomes.progress import patient_progress

    MeasurementSet.objects.create(clinic=patient.clinic, patient=patient, measured_on=today, site_zone="frontal",
                                  site_offset_cm=Decimal("2.0"), density_per_cm2=Decimal("90.0"))
    progress = patient_progress(patient, today)
    density = progress.charts[0].series[0].points
    assert 90.0 not in [v for _, v in density]
    assert [row["compared"] for row in progress.table][-1] is False


def test_it_flags_two_consecutive_follow_ups_below_the_band(patient, make_programme, today):
    from anagen.outcomes.progress import patient_progress

    make_programme(patient, gains=(-9.0, -12.0))
    progress = patient_progress(patient, today)
    assert progress.non_responder is not None
    assert progress.non_responder.days == (28, 56)
    assert "combination therapy" in progress.non_responder.message


def test_a_responder_is_not_flagged(patient, course, today):
    from anagen.outcomes.progress import patient_progress

    assert patient_progress(patient, today).non_responder is None


def test_the_dashboard_lists_the_flagged_patient_only(client, trichologist, clinic, make_patient, make_programme):
    from anagen.outcomes.models import PatientOutlook

    flagged = make_patient(clinic, given_name="Kavya", family_name="Flagged")
    fine = make_patient(clinic, given_name="Rahul", family_name="Fine", sex="male")
    make_programme(flagged, gains=(-9.0, -12.0))
    make_programme(fine, gains=(3.0, 8.0))
    client.force_login(trichologist)
    body = client.get(reverse("home")).content.decode()
    assert "Likely non-responders" in body
    assert "Kavya Flagged" in body and "Rahul Fine" not in body
    assert PatientOutlook.objects.filter(clinic=clinic).count() == 2
    built = dict(PatientOutlook.objects.values_list("patient_id", "refreshed_at"))
    client.get(reverse("home"))  # nothing written since: nothing rebuilt
    assert dict(PatientOutlook.objects.values_list("patient_id", "refreshed_at")) == built
    assert PatientOutlook.objects.filter(clinic=clinic, flagged=True).get().patient_id == flagged.pk


def test_reception_sees_no_outcomes_panel_and_no_progress(client, receptionist, patient, course):
    client.force_login(receptionist)
    assert "Likely non-responders" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("outcomes:progress", args=[patient.pk])).status_code == 403
    assert client.get(reverse("outcomes:chart_svg", args=[patient.pk, "density"])).status_code == 403


def test_another_clinics_patient_is_not_found(client, other_admin, patient, course):
    client.force_login(other_admin)
    assert client.get(reverse("outcomes:progress", args=[patient.pk])).status_code == 404
    assert client.post(reverse("outcomes:generate_report", args=[patient.pk])).status_code == 404


def test_no_forecast_for_a_diagnosis_the_model_does_not_cover(patient, course, today):
    from anagen.consultations.models import Consultation
    from anagen.outcomes.progress import patient_progress

    Consultation.objects.filter(pk=course.consultation_id).update(diagnosis_primary="scalp_condition")
    progress = patient_progress(patient, today)
    assert progress.forecast is None
    assert "No forecast for this diagnosis" in progress.forecast_note


def test_drug_components_join_the_forecast_treatments(patient, make_programme, today):
    from anagen.outcomes.progress import patient_progress

    make_programme(patient, ingredients=("minoxidil",))
    assert patient_progress(patient, today).treatments == ("vitamin_mesotherapy", "minoxidil_mesotherapy")


def test_the_patient_page_shows_the_progress_panel(client, trichologist, patient, course):
    client.force_login(trichologist)
    body = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Progress charts and report" in body
