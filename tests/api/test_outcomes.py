"""The outcomes router (progress, reports, clinic outcome tables, likely non-responders): each
operation works, refuses bad input naming the field, refuses conflicts with 409, and leaves the
audit trail. Roles and clinics are in test_access.py."""

from __future__ import annotations

import pytest

from anagen.audit.models import AuditEntry

from .conftest import error_fields

pytestmark = pytest.mark.django_db


def test_likely_non_responders_are_listed_and_the_read_is_audited(world, api_as):
    from anagen.outcomes.models import PatientOutlook
    from anagen.outcomes.outlook import refresh_all

    refresh_all()  # the world's outlooks are built; then its patient is flagged as the rule would flag them
    message = "Density below the forecast band twice."
    PatientOutlook.objects.filter(patient=world["patient"]).update(flagged=True, flagged_days=[84, 112], message=message)
    response = api_as(world["staff"]["trichologist"])("get", "/non-responders")
    assert response.status_code == 200
    assert response.data == [{"patient_id": world["patient"].pk, "days": [84, 112], "message": message}]
    assert AuditEntry.objects.filter(object_type="non_responder_list").get().changes["patient_ids"] == [world["patient"].pk]


def test_progress_data_is_audited_and_a_report_can_be_generated_and_downloaded(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    patient = world["patient"]
    progress = api("get", f"/patients/{patient.pk}/progress")
    assert progress.status_code == 200
    assert float(progress.data["measurements"][0]["density_per_cm2"]) == 150
    assert progress.data["consultation_id"] == world["consultation"].pk
    assert AuditEntry.objects.filter(object_type="progress", patient_id=patient.pk, action="read").exists()
    report = api("post", f"/patients/{patient.pk}/progress-reports")
    assert report.status_code == 201
    pdf = api("get", f"/progress-reports/{report.data['id']}/file")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.body.startswith(b"%PDF")
    assert AuditEntry.objects.filter(object_type="progress_report_download", action="export").exists()


def test_clinic_outcomes_are_tables_and_refuse_a_reversed_range(world, api_as):
    api = api_as(world["staff"]["trichologist"])
    result = api("get", "/outcomes")
    assert result.status_code == 200
    assert [t["key"] for t in result.data["tables"]] == ["diagnosis", "formulation", "combination", "practitioner",
                                                          "adverse_events", "attendance"]
    reversed_range = api("get", "/outcomes?start=2026-05-01&end=2026-01-01")
    assert reversed_range.status_code == 422 and error_fields(reversed_range) == {"end"}
