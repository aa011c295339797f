from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.consents.models import ConsentEvent
from anagen.outcomes.models import Report
from anagen.portal.models import ExportRequest

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    ("home", []),
    ("patients:list", []),
    ("patients:detail", ["own"]),
    ("patients:edit", ["own"]),
    ("scheduling:day", []),
    ("consents:patient", ["own"]),
    ("audit:trail", []),
    ("accounts:staff_list", []),
    ("portal:requests", []),
    ("portal:invite", ["own"]),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_a_patient_cannot_open_any_staff_page(client, patient, patient_user, name, args):
    client.force_login(patient_user)
    url = reverse(name, args=[patient.pk if a == "own" else a for a in args])
    response = client.post(url) if name == "portal:invite" else client.get(url)
    assert response.status_code == 403


def test_staff_cannot_open_the_portal_pages(client, trichologist):
    client.force_login(trichologist)
    for name in ("portal:home", "portal:access_log", "portal:my_data"):
        assert client.get(reverse(name)).status_code == 403


def test_the_portal_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_patient_gets_404_for_another_patients_records(client, patient, patient_user, other_patient, consent, book, trichologist):
    foreign_consent = consent(other_patient)
    foreign_appointment = book(other_patient)
    foreign_export = ExportRequest.objects.create(clinic_id=other_patient.clinic_id, patient=other_patient, requested_at=foreign_appointment.created_at,
                                                  fulfilled_at=foreign_appointment.created_at, file_name="exports/x.zip")
    foreign_report = Report.objects.create(clinic_id=other_patient.clinic_id, patient=other_patient, created_by=trichologist,
                                           file_name="x.pdf", size_bytes=1, sha256="0" * 64, shared_with_patient=True)
    client.force_login(patient_user)
    assert client.get(reverse("portal:withdraw_consent", args=[foreign_consent.pk])).status_code == 404
    assert client.post(reverse("portal:withdraw_consent", args=[foreign_consent.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("portal:request_change", args=[foreign_appointment.pk]), {"message": "Move it"}).status_code == 404
    assert client.get(reverse("portal:export_download", args=[foreign_export.pk])).status_code == 404
    assert client.get(reverse("portal:report_download", args=[foreign_report.pk])).status_code == 404
    assert not ConsentEvent.objects.filter(record=foreign_consent, kind="withdrawn").exists()
    assert not foreign_appointment.change_requests.exists()


def test_a_report_not_shared_with_the_patient_is_404(client, patient, patient_user, trichologist):
    report = Report.objects.create(clinic_id=patient.clinic_id, patient=patient, created_by=trichologist,
                                   file_name="r.pdf", size_bytes=1, sha256="0" * 64, shared_with_patient=False)
    client.force_login(patient_user)
    assert client.get(reverse("portal:report_download", args=[report.pk])).status_code == 404
    assert b"r.pdf" not in client.get(reverse("portal:home")).content


def test_the_portal_shows_no_staff_navigation(client, patient_user):
    client.force_login(patient_user)
    content = client.get(reverse("portal:home")).content.decode()
    assert reverse("patients:list") not in content
    assert reverse("scheduling:day") not in content
