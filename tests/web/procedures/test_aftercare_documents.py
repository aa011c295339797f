"""The aftercare sheet as a document the patient keeps (issue 20, item 7): printable, and a PDF in
the sheet's language with the patient, the session date and the clinic's phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.web.outcomes.pdftext import pdf_text

from anagen.audit.models import AuditEntry
from anagen.procedures.models import TreatmentSession

from .conftest import session_post

pytestmark = pytest.mark.django_db


def _signed_session(client, practitioner, ready):
    ready["appointment"].clinic.phone = "+912226001234"
    ready["appointment"].clinic.save()
    client.force_login(practitioner)
    response = client.post(reverse("procedures:record", args=[ready["appointment"].pk]), session_post(ready["lot"]))
    assert response.status_code == 302
    return TreatmentSession.objects.get()


def test_the_aftercare_sheet_offers_print_and_pdf_and_the_pdf_carries_the_sheet(client, practitioner, ready):
    session = _signed_session(client, practitioner, ready)
    page = client.get(reverse("procedures:aftercare", args=[session.pk])).content.decode()
    assert "data-print" in page and reverse("procedures:aftercare_pdf", args=[session.pk]) + "?lang=en" in page
    response = client.get(reverse("procedures:aftercare_pdf", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and f"aftercare-{session.pk}-en.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "After your scalp mesotherapy session" in text
    assert "Do not wash your hair for one day." in text
    assert session.patient.full_name in text
    assert f"{session.performed_on.day} {session.performed_on:%b %Y}" in text
    assert "Questions or worries: call +91 22 2600 1234" in text
    assert AuditEntry.objects.filter(object_type="treatment_session", object_id=str(session.pk), action="read").exists()


def test_the_aftercare_pdf_prints_the_hindi_sheet_in_devanagari(client, practitioner, ready):
    session = _signed_session(client, practitioner, ready)
    text = pdf_text(client.get(reverse("procedures:aftercare_pdf", args=[session.pk]) + "?lang=hi").content)
    assert "स्कैल्प मेसोथेरेपी सत्र के बाद" in text
    unknown = client.get(reverse("procedures:aftercare_pdf", args=[session.pk]) + "?lang=xx")
    assert unknown.status_code == 200 and "After your scalp mesotherapy session" in pdf_text(unknown.content)
