"""Who may use which interop page, scoping to the clinic, and the audit entry each one writes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

CLINICAL = ["admin_user", "trichologist", "practitioner"]


@pytest.mark.parametrize("name", ["interop:patient_bundle", "interop:patient_export", "interop:patient_feeds"])
def test_it_sends_anonymous_visitors_to_sign_in(client, patient, name):
    response = client.get(reverse(name, args=[patient.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ["interop:patient_bundle", "interop:patient_export"])
def test_it_refuses_reception_the_fhir_bundle_and_the_full_export(client, patient, receptionist, name):
    client.force_login(receptionist)
    assert client.get(reverse(name, args=[patient.pk])).status_code == 403


@pytest.mark.parametrize("name", ["interop:patient_bundle", "interop:patient_export", "interop:patient_feeds"])
def test_another_clinics_patient_is_404(client, patient, other_admin, name):
    client.force_login(other_admin)
    assert client.get(reverse(name, args=[patient.pk])).status_code == 404


@pytest.mark.parametrize("role_fixture", CLINICAL)
def test_clinical_roles_export_the_fhir_bundle_and_it_is_audited(client, full_record, role_fixture, request):
    from anagen.audit.models import AuditEntry

    user = request.getfixturevalue(role_fixture)
    patient = full_record["patient"]
    client.force_login(user)
    response = client.get(reverse("interop:patient_bundle", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert json.loads(response.content)["resourceType"] == "Bundle"
    entry = AuditEntry.objects.filter(action="export", object_type="fhir_bundle").last()
    assert (entry.patient_id, entry.user_id) == (patient.pk, user.pk)


def test_the_consultation_document_is_downloaded_and_audited(client, full_record, trichologist):
    from anagen.audit.models import AuditEntry

    consultation = full_record["consultation"]
    client.force_login(trichologist)
    response = client.get(reverse("interop:consultation_document", args=[consultation.pk]))
    assert response.status_code == 200
    assert json.loads(response.content)["type"] == "document"
    assert AuditEntry.objects.filter(action="export", object_type="fhir_document", object_id=str(consultation.pk)).exists()


def test_a_draft_consultation_document_is_refused_with_a_message(client, patient, trichologist):
    import datetime as dt

    from anagen.consultations.models import Consultation

    draft = Consultation.objects.create(clinic=patient.clinic, patient=patient, author=trichologist, consulted_on=dt.date(2025, 1, 6))
    client.force_login(trichologist)
    response = client.get(reverse("interop:consultation_document", args=[draft.pk]))
    assert response.status_code == 400
    assert "Only a signed consultation" in response.content.decode()


def test_reception_and_other_clinics_cannot_get_a_consultation_document(client, full_record, receptionist, other_admin):
    url = reverse("interop:consultation_document", args=[full_record["consultation"].pk])
    client.force_login(receptionist)
    assert client.get(url).status_code == 403
    client.force_login(other_admin)
    assert client.get(url).status_code == 404


def test_the_patient_page_shows_export_links_to_clinical_staff(client, patient, trichologist):
    client.force_login(trichologist)
    html = client.get(reverse("patients:data", args=[patient.pk])).content.decode()
    assert "Export FHIR bundle" in html and "Download all data (ZIP)" in html and "Calendar feed" in html


def test_the_patient_page_shows_reception_only_the_calendar_feed_link(client, patient, receptionist):
    client.force_login(receptionist)
    html = client.get(reverse("patients:data", args=[patient.pk])).content.decode()
    assert "Calendar feed" in html
    assert "Export FHIR bundle" not in html and "Download all data" not in html


def test_the_patient_feed_page_is_audited_as_a_read(client, patient, receptionist):
    from anagen.audit.models import AuditEntry

    client.force_login(receptionist)
    assert client.get(reverse("interop:patient_feeds", args=[patient.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="read", object_type="patient", patient_id=patient.pk, user_id=receptionist.pk).exists()


def test_another_clinic_cannot_revoke_a_feed(client, full_record, practitioner, other_admin):
    from anagen.interop import services

    from .conftest import actor_for

    patient = full_record["patient"]
    feed, _ = services.create_feed(actor_for(practitioner), patient.clinic, patient=patient)
    client.force_login(other_admin)
    assert client.post(reverse("interop:revoke_feed", args=[feed.pk])).status_code == 404


def test_services_refuse_another_clinics_objects(full_record, other_clinic):
    from anagen.audit.services import Actor
    from anagen.core.errors import NotFound
    from anagen.interop import services

    actor = Actor.system("test", other_clinic.pk)
    with pytest.raises(NotFound):
        services.patient_bundle(actor, other_clinic, full_record["patient"])
    with pytest.raises(NotFound):
        services.patient_export(actor, other_clinic, full_record["patient"])
    with pytest.raises(NotFound):
        services.create_feed(actor, other_clinic, patient=full_record["patient"])
