"""Signing in the browser: drawn or typed, against the exact text version shown, witnessed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.consents import services
from anagen.consents.models import ConsentEvent, ConsentRecord

pytestmark = pytest.mark.django_db


def _sign_url(patient, purpose="treatment"):
    return reverse("consents:sign", args=[patient.pk, purpose])


def test_the_sign_page_shows_the_exact_current_text_and_its_version(client, receptionist, patient, publish):
    publish("treatment", body="Old wording.")
    current = publish("treatment", body="Bruising and redness for 24-48 hours.")
    client.force_login(receptionist)
    response = client.get(_sign_url(patient))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bruising and redness for 24-48 hours." in body and "Old wording." not in body
    assert "Version 2" in body
    assert response.context["form"]["text_id"].value() == current.pk
    assert 'class="signature-pad"' in body and "Clear signature" in body
    assert "<script>" not in body


def test_a_drawn_signature_creates_a_record_with_the_exact_text_version(client, receptionist, patient, treatment_text, signature_png, as_data_url):
    client.force_login(receptionist)
    response = client.post(_sign_url(patient), {"text_id": treatment_text.pk, "method": "drawn", "signature_png": as_data_url(signature_png)})
    record = ConsentRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consents:record", args=[record.pk])
    assert (record.text_id, record.purpose, record.method) == (treatment_text.pk, "treatment", "drawn")
    assert bytes(record.signature_png) == signature_png
    assert record.witness == receptionist
    assert [e.kind for e in record.events.all()] == ["granted"]
    assert services.has_valid_consent(patient, "treatment")


def test_a_typed_signature_with_the_checkbox_creates_a_record(client, trichologist, patient, publish):
    hindi = publish("photographs", language="hi", body="तस्वीरें केवल आपकी देखभाल के लिए।")
    client.force_login(trichologist)
    url = _sign_url(patient, "photographs") + "?language=hi"
    assert "तस्वीरें केवल आपकी देखभाल के लिए।" in client.get(url).content.decode()
    response = client.post(url, {"text_id": hindi.pk, "language": "hi", "method": "typed", "typed_name": "  Asha   Patil ", "acknowledged": "on"})
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert (record.text, record.typed_name, record.acknowledged, record.signature_png) == (hindi, "Asha Patil", True, None)
    assert record.witness == trichologist


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"method": "drawn", "signature_png": ""}, "signature_png", "empty"),
        ({"method": "drawn", "signature_png": "data:image/gif;base64,R0lGODlhAQABAAAAACw="}, "signature_png", "PNG image"),
        ({"method": "drawn", "blank": True}, "signature_png", "blank"),
        ({"method": "drawn", "not_png": True}, "signature_png", "not a PNG"),
        ({"method": "typed", "typed_name": "Asha Patil"}, "acknowledged", "tick the box"),
        ({"method": "typed", "typed_name": "   ", "acknowledged": "on"}, "typed_name", "full name"),
        ({"method": "carrier pigeon"}, "method", "valid choice"),
    ],
)
def test_a_bad_signature_is_refused_naming_the_field_and_nothing_is_saved(client, receptionist, patient, treatment_text, png, as_data_url, form, field, message):
    form = dict(form)
    if form.pop("blank", False):
        form["signature_png"] = as_data_url(png(ink=[]))
    if form.pop("not_png", False):
        form["signature_png"] = as_data_url(b"this is not an image at all")
    entries_before = AuditEntry.objects.filter(action="create").count()
    client.force_login(receptionist)
    response = client.post(_sign_url(patient), {"text_id": treatment_text.pk, **form})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert message.encode() in response.content
    assert ConsentRecord.objects.count() == 0 and ConsentEvent.objects.count() == 0
    assert AuditEntry.objects.filter(action="create").count() == entries_before
    # A refused drawn signature is never carried over to the next submission.
    assert response.context["form"]["signature_png"].value() == ""


def test_a_text_published_while_the_form_was_open_must_be_read_before_signing(client, receptionist, patient, treatment_text, publish, signature_png, as_data_url):
    client.force_login(receptionist)
    newer = publish("treatment", body="A new risk is described here.")
    response = client.post(_sign_url(patient), {"text_id": treatment_text.pk, "method": "drawn", "signature_png": as_data_url(signature_png)})
    assert response.status_code == 400
    assert b"newer version" in response.content
    assert b"A new risk is described here." in response.content
    assert response.context["form"]["text_id"].value() == str(newer.pk)
    assert ConsentRecord.objects.count() == 0


def test_the_record_page_shows_the_signature_served_by_an_audited_view(client, practitioner, patient, treatment_text, signature_png, as_data_url):
    client.force_login(practitioner)
    client.post(_sign_url(patient), {"text_id": treatment_text.pk, "method": "drawn", "signature_png": as_data_url(signature_png)})
    record = ConsentRecord.objects.get()
    page = client.get(reverse("consents:record", args=[record.pk]))
    assert page.status_code == 200
    assert reverse("consents:signature", args=[record.pk]).encode() in page.content
    assert b"version 1" in page.content and b"Consent given" in page.content
    image = client.get(reverse("consents:signature", args=[record.pk]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert "no-store" in image["Cache-Control"]
    assert image.content == signature_png
    assert AuditEntry.objects.filter(action="read", object_type="consent_signature", object_id=str(record.pk), patient_id=patient.pk, user_id=practitioner.pk).count() == 1
    assert AuditEntry.objects.filter(action="read", object_type="consent", object_id=str(record.pk)).count() == 1


def test_a_typed_record_has_no_signature_image(client, receptionist, patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    client.force_login(receptionist)
    assert client.get(reverse("consents:signature", args=[record.pk])).status_code == 404


def test_withdrawal_keeps_the_record_and_ends_the_consent(client, receptionist, patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    client.force_login(receptionist)
    response = client.post(reverse("consents:withdraw", args=[record.pk]), {"reason": "Patient changed her mind."})
    assert response.status_code == 302
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    assert [(e.kind, e.reason, e.by) for e in record.events.all()] == [
        ("granted", "", record.witness),
        ("withdrawn", "Patient changed her mind.", receptionist),
    ]
    assert not services.has_valid_consent(patient, "treatment")
    page = client.get(reverse("consents:patient", args=[patient.pk])).content.decode()
    assert "Withdrawn" in page and "Patient changed her mind." in page


def test_a_withdrawal_needs_a_reason_and_happens_once(client, receptionist, patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    client.force_login(receptionist)
    response = client.post(reverse("consents:withdraw", args=[record.pk]), {"reason": "  "})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    client.post(reverse("consents:withdraw", args=[record.pk]), {"reason": "No longer wishes treatment."})
    again = client.post(reverse("consents:withdraw", args=[record.pk]), {"reason": "Twice."})
    assert again.status_code == 400 and b"already been withdrawn" in again.content
    assert record.events.filter(kind="withdrawn").count() == 1


def test_signing_again_after_a_withdrawal_makes_consent_valid_again(patient, treatment_text, sign, trichologist):
    from anagen.audit.services import Actor

    first = sign(patient, treatment_text)
    services.withdraw_consent(Actor.system("test", patient.clinic_id), first, "Wanted time to think.")
    assert not services.has_valid_consent(patient, "treatment")
    second = sign(patient, treatment_text)
    assert services.has_valid_consent(patient, "treatment")
    assert services.consent_status(patient)["treatment"].record == second
    with pytest.raises(services.ConsentError, match="already been withdrawn"):
        services.withdraw_consent(Actor.system("test", patient.clinic_id), first, "again")


def test_an_older_record_cannot_be_withdrawn_in_place_of_the_current_one(patient, treatment_text, sign, publish):
    from anagen.audit.services import Actor

    older = sign(patient, treatment_text)
    # A second signature of the text in force is refused (issue 20): the later one is on version 2.
    sign(patient, publish("treatment"))
    with pytest.raises(services.ConsentError, match="later consent"):
        services.withdraw_consent(Actor.system("test", patient.clinic_id), older, "wrong one")


def test_a_signed_consent_downloads_as_a_pdf_with_its_signature_version_and_witness(client, practitioner, patient, treatment_text,
                                                                                    signature_png, as_data_url):
    from tests.web.outcomes.pdftext import pdf_text

    client.force_login(practitioner)
    client.post(_sign_url(patient), {"text_id": treatment_text.pk, "method": "drawn", "signature_png": as_data_url(signature_png)})
    record = ConsentRecord.objects.get()
    page = client.get(reverse("consents:record", args=[record.pk])).content.decode()
    assert reverse("consents:record_pdf", args=[record.pk]) in page
    response = client.get(reverse("consents:record_pdf", args=[record.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and f"consent-{record.pk}.pdf" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"%PDF") and b"/Subtype /Image" in data
    text = pdf_text(data)
    assert treatment_text.title in text and "The treatment text the patient reads." in text
    assert "Version 1" in text and "Drawn signature" in text
    assert patient.full_name in text and patient.mrn in text
    assert practitioner.get_full_name() in text
    assert "Granted" in text
    assert AuditEntry.objects.filter(action="read", object_type="consent_pdf", object_id=str(record.pk), patient_id=patient.pk).count() == 1


def test_a_typed_consent_pdf_names_the_typed_name_and_the_ticked_box(client, receptionist, patient, treatment_text, sign):
    from tests.web.outcomes.pdftext import pdf_text

    record = sign(patient, treatment_text)
    client.force_login(receptionist)
    text = pdf_text(client.get(reverse("consents:record_pdf", args=[record.pk])).content)
    assert "Name typed" in text and patient.full_name in text
    assert "I have read and agree to this consent" in text
    assert b"/Subtype /Image" not in client.get(reverse("consents:record_pdf", args=[record.pk])).content
