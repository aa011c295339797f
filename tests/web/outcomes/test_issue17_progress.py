"""Issue 17 on the progress page, the API and the PDF: the untreated band beside the treated one,
forecasts that claim only what trials measured, the next step in the course's phase, follow-up
visits refused when empty or dated on or before the baseline, and a wrong visit voided (kept)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from anagen.outcomes.progress import chart_svgs, patient_progress

from .pdftext import pdf_text

SVG = "{http://www.w3.org/2000/svg}"
pytestmark = pytest.mark.django_db


def test_a_vitamin_only_course_gets_the_untreated_forecast_and_says_no_trial_measured_it(client, trichologist, patient, make_programme):
    make_programme(patient, gains=(2.0, 6.0))
    client.force_login(trichologist)
    page = client.get(reverse("outcomes:progress", args=[patient.pk])).content.decode()
    assert "No randomised trial has measured hair counts" in page
    svg = client.get(reverse("outcomes:chart_svg", args=[patient.pk, "density"])).content.decode()
    assert "expected without treatment (no trial measured this course)" in svg
    data = client.get(f"/api/v1/patients/{patient.pk}/progress").json()
    assert data["forecast_untreated_only"] is True and data["forecast_limits"]
    report = client.post(reverse("outcomes:generate_report", args=[patient.pk]))
    text = pdf_text(b"".join(client.get(report["Location"]).streaming_content))
    assert "No randomised trial has measured hair counts" in text


def test_dutasteride_in_a_man_is_drawn_beside_the_untreated_band_and_stops_at_12_weeks(client, trichologist, make_patient, clinic, make_programme, today):
    man = make_patient(clinic, sex="male")
    make_programme(man, gains=(2.0, 6.0), ingredients=("dutasteride",))
    client.force_login(trichologist)
    root = ET.fromstring(client.get(reverse("outcomes:chart_svg", args=[man.pk, "density"])).content)
    groups = {g.get("class") for g in root.iter(f"{SVG}g")}
    assert {"forecast-band", "untreated-band"} <= groups
    data = client.get(f"/api/v1/patients/{man.pk}/progress").json()
    assert data["forecast_horizon_days"] == 84 and data["forecast_untreated_only"] is False
    density = next(c for c in data["charts"] if c["chart_id"] == "chart-density")
    assert density["untreated_band"]["label"] == "without treatment, 10-90%"
    assert any("stops at day 84" in line for line in data["forecast_limits"])
    # The PDF draws the same untreated band beside the treated one and says what the outline is.
    progress = patient_progress(man, today)
    pdf_svg = dict((chart.chart_id, svg) for chart, svg in chart_svgs(progress, for_pdf=True))["chart-density"]
    assert {"forecast-band", "untreated-band"} <= {g.get("class") for g in ET.fromstring(pdf_svg).iter(f"{SVG}g")}
    report = client.post(reverse("outcomes:generate_report", args=[man.pk]))
    text = " ".join(pdf_text(b"".join(client.get(report["Location"]).streaming_content)).split())
    assert "the dashed outline beside it is the range expected without treatment" in text


def test_dutasteride_in_a_woman_adds_nothing_and_says_it_was_measured_in_men_only(patient, make_programme, today):
    make_programme(patient, gains=(2.0, 6.0), ingredients=("dutasteride",))  # the fixture's patient is a woman
    progress = patient_progress(patient, today)
    assert progress.forecast is not None and progress.forecast.untreated_only
    assert progress.forecast.horizon_days == 365


def test_the_shedding_sentence_about_new_growth_comes_only_with_minoxidil(patient, make_programme, today, make_patient, clinic):
    make_programme(patient, gains=(2.0, 6.0))
    plain = " ".join(patient_progress(patient, today).timeline.sentences)
    assert "making way for new growth" not in plain


def test_a_patient_in_the_intensive_phase_is_told_to_continue_it_not_maintenance(client, trichologist, patient, make_programme):
    make_programme(patient, gains=(2.0, 18.0), completed=4, start_days_ago=100)
    client.force_login(trichologist)
    data = client.get(f"/api/v1/patients/{patient.pk}/progress").json()
    assert data["response"]["next_step"] == "continue_intensive_phase"
    assert data["response"]["maintenance_interval_days"] is None
    assert not any("maintenance sessions, about every" in step for step in data["next_steps"])
    assert any("Continue the intensive phase" in step and "of 6 done" in step for step in data["next_steps"])
    # The PDF report (which used to say "continue maintenance sessions about every 60 days") agrees.
    report = client.post(reverse("outcomes:generate_report", args=[patient.pk]))
    text = " ".join(pdf_text(b"".join(client.get(report["Location"]).streaming_content)).split())
    assert "Continue the intensive phase as planned (session 4 of 6 done)" in text
    assert "maintenance sessions, about every" not in text


def _visit(client, patient, **values):
    body = {"measured_on": values.pop("measured_on").isoformat(), **values}
    return client.post(f"/api/v1/patients/{patient.pk}/measurement-visits", body, content_type="application/json")


def test_an_empty_follow_up_visit_and_one_on_the_baseline_day_are_refused(client, trichologist, patient, make_programme, today):
    from anagen.consultations.models import MeasurementSet

    course = make_programme(patient, gains=(2.0, 6.0))
    client.force_login(trichologist)
    before = MeasurementSet.objects.filter(patient=patient).count()
    site_only = _visit(client, patient, measured_on=today, site_zone="vertex", site_offset_cm=10)
    assert site_only.status_code in (400, 422) and "measurements" in site_only.content.decode()
    baseline_day = course.start_date - dt.timedelta(days=7)
    early = _visit(client, patient, measured_on=baseline_day, site_zone="vertex", site_offset_cm=10, density_per_cm2=150)
    assert early.status_code in (400, 422) and "after the baseline" in early.content.decode()
    assert MeasurementSet.objects.filter(patient=patient).count() == before
    ok = _visit(client, patient, measured_on=today, site_zone="vertex", site_offset_cm=10, density_per_cm2=150)
    assert ok.status_code == 201


def test_a_wrong_visit_is_voided_with_a_reason_kept_and_no_longer_counts(client, trichologist, patient, make_programme, today):
    from anagen.audit.models import AuditEntry
    from anagen.consultations.models import MeasurementSet
    make_programme(patient, gains=(2.0, 6.0))
    latest = MeasurementSet.objects.filter(patient=patient).order_by("-measured_on").first()
    client.force_login(trichologist)
    refused = client.post(reverse("outcomes:void_visit", args=[patient.pk, latest.pk]), {"reason": " "})
    assert refused.status_code == 302 and MeasurementSet.objects.filter(pk=latest.pk).exists()
    response = client.post(reverse("outcomes:void_visit", args=[patient.pk, latest.pk]), {"reason": "Measured the wrong patient"})
    assert response.status_code == 302
    assert not MeasurementSet.objects.filter(pk=latest.pk).exists()
    kept = MeasurementSet.all_objects.get(pk=latest.pk)
    assert kept.void_reason == "Measured the wrong patient" and kept.voided_by == trichologist
    assert AuditEntry.objects.filter(object_type="measurement_set", object_id=str(latest.pk), action="update").exists()
    progress = patient_progress(patient, today)
    assert latest.pk not in [m.pk for m in progress.measurements] and progress.response_follow_up.pk != latest.pk
    page = client.get(reverse("outcomes:progress", args=[patient.pk])).content.decode()
    assert "Measured the wrong patient" in page


def test_a_consultations_own_measurements_cannot_be_voided(client, trichologist, patient, make_programme):
    from anagen.consultations.models import MeasurementSet

    course = make_programme(patient, gains=(2.0,))
    baseline = MeasurementSet.objects.get(consultation=course.consultation)
    client.force_login(trichologist)
    client.post(reverse("outcomes:void_visit", args=[patient.pk, baseline.pk]), {"reason": "no"})
    assert MeasurementSet.objects.filter(pk=baseline.pk).exists()


def test_reception_cannot_void_a_visit(client, receptionist, patient, make_programme):
    from anagen.consultations.models import MeasurementSet

    make_programme(patient, gains=(2.0,))
    visit = MeasurementSet.objects.filter(patient=patient, consultation__isnull=True).first()
    client.force_login(receptionist)
    assert client.post(reverse("outcomes:void_visit", args=[patient.pk, visit.pk]), {"reason": "x"}).status_code == 403


def test_telogen_effluvium_is_judged_against_its_untreated_course_with_the_recorded_trigger(patient, make_programme, today):
    from anagen.consultations.models import Consultation
    course = make_programme(patient, gains=(2.0, 6.0))
    Consultation.objects.filter(pk=course.consultation_id).update(
        diagnosis_primary="telogen_effluvium", te_trigger_on=course.start_date - dt.timedelta(days=60))
    progress = patient_progress(patient, today)
    assert any("untreated course" in r for r in progress.response.reasons)
    assert progress.forecast is not None and progress.forecast.diagnosis == "telogen_effluvium"
