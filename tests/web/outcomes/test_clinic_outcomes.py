"""Clinic outcomes: response rates with Wilson intervals, adverse events, attendance, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse


@pytest.fixture
def cohort(clinic, make_patient, make_programme):
    patients = []
    for i, gains in enumerate([(2.0, 12.0), (1.0, 4.0), (-9.0, -12.0)]):
        p = make_patient(clinic, given_name=f"P{i}", sex="female" if i % 2 == 0 else "male")
        make_programme(p, gains=gains)
        patients.append(p)
    return patients


def test_it_counts_responders_with_wilson_intervals(clinic, cohort, today):
    from anagen.outcomes.clinic_outcomes import clinic_outcomes, table_rows

    outcomes = clinic_outcomes(clinic, today.replace(year=today.year - 1), today, today)
    header, rows = table_rows(outcomes, "diagnosis")
    assert header[:3] == ["group", "responders", "patients"]
    assert rows == [["Androgenetic alopecia (pattern hair loss)", "1", "3", "33.3", "6.1", "79.2", "too few patients to say"]]
    _, combos = table_rows(outcomes, "combination")
    assert combos[0][0] == "No combination therapy"
    _, attendance = table_rows(outcomes, "attendance")
    assert attendance[1][:3] == ["Courses with every planned session completed", "0", "0"]


def test_the_csv_matches_the_table(client, admin_user, clinic, cohort, today):
    from anagen.audit.models import AuditEntry
    from anagen.outcomes.clinic_outcomes import clinic_outcomes, table_rows

    client.force_login(admin_user)
    start = today.replace(year=today.year - 1)
    query = {"start": start.isoformat(), "end": today.isoformat()}
    page = client.get(reverse("outcomes:clinic"), query).content.decode()
    assert "Response by diagnosis" in page and "33.3" in page
    before = AuditEntry.objects.count()
    response = client.get(reverse("outcomes:clinic_csv", args=["diagnosis"]), query)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, expected = table_rows(clinic_outcomes(clinic, start, today, today), "diagnosis")
    assert rows == [header, *expected]
    assert AuditEntry.objects.count() == before  # aggregates only: no patient audit


def test_it_refuses_an_end_before_the_start(client, admin_user, today):
    client.force_login(admin_user)
    response = client.get(reverse("outcomes:clinic"), {"start": today.isoformat(), "end": "2000-01-01"})
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    bad = client.get(reverse("outcomes:clinic_csv", args=["diagnosis"]), {"start": "not a date", "end": "2000-01-01"})
    assert bad.status_code == 400 and "start" in bad.content.decode()


def test_adverse_events_are_counted_per_100_sessions(clinic, trichologist, cohort, today):
    from anagen.outcomes.clinic_outcomes import clinic_outcomes, table_rows
    from anagen.safety.models import AdverseEvent

    AdverseEvent.objects.create(clinic=clinic, patient=cohort[0], event_type="erythema", severity="mild", onset_date=today,
                                reported_by=trichologist)
    outcomes = clinic_outcomes(clinic, today.replace(year=today.year - 1), today, today)
    _, rows = table_rows(outcomes, "adverse_events")
    assert outcomes.sessions == 15
    assert rows == [["Erythema (redness)", "Mild", "1", "15", "6.7"]]


@pytest.mark.parametrize("role", ["practitioner", "reception"])
def test_only_admins_and_trichologists_see_clinic_outcomes(client, clinic, make_user, role):
    client.force_login(make_user(clinic, role))
    assert client.get(reverse("outcomes:clinic")).status_code == 403
    assert client.get(reverse("outcomes:clinic_csv", args=["diagnosis"])).status_code == 403


def test_the_nav_links_outcomes_for_trichologists_only(client, trichologist, practitioner):
    client.force_login(trichologist)
    assert reverse("outcomes:clinic") in client.get(reverse("home")).content.decode()
    client.force_login(practitioner)
    assert reverse("outcomes:clinic") not in client.get(reverse("home")).content.decode()
