"""Staff see what the patient reported between visits (issue 22, item 7) on the progress page, beside
the clinic's measurements and labelled as the patient's; the response, the forecast, the non-responder
flag and the outlooks never read it."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.outcomes.models import ReportedOutcome, SheddingDiaryEntry

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def course(patient, make_programme):
    type(patient).objects.filter(pk=patient.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    patient.refresh_from_db()
    return make_programme(patient, gains=(2.0, 6.0))


def _report(patient, today, *, hairs: int, comb: int | None, change: int, satisfaction: int, days: int = 60) -> None:
    """A diary entry every other day for ``days`` days and an answer for every completed visit."""
    from anagen.scheduling.models import Appointment

    now = timezone.now()
    for back in range(0, days, 2):
        SheddingDiaryEntry.objects.create(clinic=patient.clinic, patient=patient, day=today - dt.timedelta(days=back), hairs_shed=hairs,
                                          comb_count=comb, recorded_at=now)
    for visit in Appointment.objects.filter(patient=patient, status="completed"):
        ReportedOutcome.objects.create(clinic=patient.clinic, patient=patient, appointment=visit, visit_on=timezone.localdate(visit.starts_at),
                                       answered_at=visit.starts_at + dt.timedelta(hours=3), change=change, satisfaction=satisfaction)


def test_the_progress_page_shows_the_patients_diary_and_answers_labelled_as_reported_by_the_patient(client, trichologist, patient, course, today):
    _report(patient, today, hairs=85, comb=23, change=2, satisfaction=4, days=6)
    client.force_login(trichologist)
    response = client.get(reverse("outcomes:progress", args=[patient.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    section = body[body.index('data-testid="reported-by-patient"'):body.index('aria-labelledby="reports-h"')]
    assert "Reported by the patient" in section and "They are not measurements" in section
    assert 'id="chart-reported-shedding"' in section and 'id="chart-reported-change"' in section
    assert "Shedding diary (reported by the patient)" in section and "Questionnaire at each visit (reported by the patient)" in section
    assert section.count("<td>85</td>") == 3 and section.count("<td>23</td>") == 3
    assert "+2 · Moderately better" in section and "4 · Satisfied" in section
    assert f"{today.day} {today:%b %Y}" in section  # the one date format
    # The patient's numbers are in their own section, not among the clinic's measurements.
    measurements = body[body.index('id="measurement-table"'):body.index('data-testid="reported-by-patient"')]
    assert "<td>85</td>" not in measurements and "<td>23</td>" not in measurements
    # The page's one audited read of the patient's progress covers what it shows, the patient's reports included.
    read = AuditEntry.objects.get(action="read", object_type="progress", patient_id=patient.pk)
    assert read.user_id == trichologist.pk


def test_the_patients_shedding_chart_has_its_own_series_and_the_clinics_chart_stays_as_it_was(client, trichologist, patient, course, today):
    client.force_login(trichologist)
    clinic_chart = client.get(reverse("outcomes:chart_svg", args=[patient.pk, "shedding"])).content
    _report(patient, today, hairs=85, comb=23, change=2, satisfaction=4, days=6)
    body = client.get(reverse("outcomes:progress", args=[patient.pk])).content.decode()
    start = body.index('<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" id="chart-reported-shedding"')
    root = ET.fromstring(body[start:body.index("</svg>", start) + len("</svg>")])
    assert "".join(root.find(f"{SVG}title").itertext()) == "Shedding diary (reported by the patient)"
    points = [e.find(f"{SVG}title").text for e in root.iter() if e.get("class") == "point" and e.find(f"{SVG}title") is not None]
    assert sum("85" in p for p in points) == 3 and sum("23" in p for p in points) == 3
    assert client.get(reverse("outcomes:chart_svg", args=[patient.pk, "shedding"])).content == clinic_chart


def test_a_patient_with_nothing_reported_reads_so(client, trichologist, patient, course):
    client.force_login(trichologist)
    body = client.get(reverse("outcomes:progress", args=[patient.pk])).content.decode()
    assert "No diary entries yet." in body and "No questionnaire answers yet." in body
    assert "chart-reported-" not in body


@pytest.mark.parametrize("reported", [
    {"hairs": 1000, "comb": 1000, "change": -3, "satisfaction": 1},  # the worst a patient can report
    {"hairs": 0, "comb": 0, "change": 3, "satisfaction": 5},  # the best
])
def test_the_response_the_forecast_and_the_non_responder_rule_ignore_what_the_patient_reported(patient, course, today, reported):
    from anagen.outcomes import outlook
    from anagen.outcomes.progress import _forecast_inputs, patient_progress

    def judged():
        progress = patient_progress(patient, today)
        key, baseline, follow_ups, note = _forecast_inputs(progress)
        row = outlook.refresh_patient(patient)
        return {
            "response": (progress.response.response_class, tuple(progress.response.reasons)),
            "forecast_inputs": (key, baseline, tuple(follow_ups), note),
            "non_responder": progress.non_responder,
            "forecast": (progress.forecast.density.p50[:200], progress.forecast.horizon_days),
            "charts": [(c.chart_id, c.series) for c in progress.charts],
            "outlook": (row.response_class, row.flagged, row.message, row.measurement_visits),
        }

    before = judged()
    _report(patient, today, **reported)
    assert SheddingDiaryEntry.objects.filter(patient=patient).count() == 30 and ReportedOutcome.objects.filter(patient=patient).exists()
    assert judged() == before
