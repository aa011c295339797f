"""Consent pages need a login and a staff role, and answer 404 for other clinics' ids."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.consents.models import ConsentText

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["clinic_admin", "trichologist", "practitioner", "reception"]


def _pages(patient, record, text):
    return [
        reverse("consents:text_list"),
        reverse("consents:text_publish"),
        reverse("consents:text_detail", args=[text.pk]),
        reverse("consents:patient", args=[patient.pk]),
        reverse("consents:sign", args=[patient.pk, "treatment"]),
        reverse("consents:record", args=[record.pk]),
        reverse("consents:signature", args=[record.pk]),
        reverse("consents:withdraw", args=[record.pk]),
    ]


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    for url in _pages(patient, record, treatment_text):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_opens_the_patient_consent_pages(client, clinic, make_user, role, patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    client.force_login(make_user(clinic, role))
    for name, args in [("patient", [patient.pk]), ("sign", [patient.pk, "treatment"]), ("record", [record.pk]), ("withdraw", [record.pk])]:
        assert client.get(reverse(f"consents:{name}", args=args)).status_code == 200, name


@pytest.mark.parametrize("role", ["trichologist", "practitioner", "reception"])
def test_only_the_clinic_admin_sees_and_publishes_texts(client, clinic, make_user, role, treatment_text):
    client.force_login(make_user(clinic, role))
    assert client.get(reverse("consents:text_list")).status_code == 403
    assert client.get(reverse("consents:text_detail", args=[treatment_text.pk])).status_code == 403
    response = client.post(reverse("consents:text_publish"), {"purpose": "treatment", "language": "en", "title": "T", "body": "B"})
    assert response.status_code == 403
    assert ConsentText.objects.count() == 1


def test_the_clinic_admin_lists_texts_with_their_versions(client, admin_user, publish):
    publish("treatment", title="Treatment v1")
    publish("treatment", title="Treatment v2")
    publish("reminders", language="hi", title="रिमाइंडर")
    client.force_login(admin_user)
    response = client.get(reverse("consents:text_list"))
    assert response.status_code == 200
    body = response.content.decode()
    for title in ["Treatment v1", "Treatment v2", "रिमाइंडर"]:
        assert title in body


def test_another_clinics_patient_record_and_text_do_not_exist(client, other_admin, patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    client.force_login(other_admin)
    for url in _pages(patient, record, treatment_text)[2:]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("consents:withdraw", args=[record.pk]), {"reason": "x"}).status_code == 404
    assert not record.events.filter(kind="withdrawn").exists()


def test_signing_against_another_clinics_text_is_refused(client, clinic, other_clinic, make_user, patient, publish, signature_png, as_data_url):
    theirs = publish("treatment", clinic=other_clinic)
    publish("treatment")
    client.force_login(make_user(clinic, "reception"))
    response = client.post(
        reverse("consents:sign", args=[patient.pk, "treatment"]),
        {"text_id": theirs.pk, "method": "drawn", "signature_png": as_data_url(signature_png)},
    )
    assert response.status_code == 404
    assert not patient.consent_records.exists()


def test_the_patient_page_shows_the_consent_panel_to_every_role(client, receptionist, patient, treatment_text, sign):
    sign(patient, treatment_text)
    client.force_login(receptionist)
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Consents" in body and "Consent given" in body
    assert reverse("consents:patient", args=[patient.pk]) in body
