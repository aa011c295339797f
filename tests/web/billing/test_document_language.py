"""Invoices and receipts print in the patient's language, with the rupee sign and Indian digit
grouping in every language; staff may print another language. Read back with poppler's pdftotext."""

from __future__ import annotations

import subprocess
from datetime import date

from anagen.billing import services
from anagen.billing.models import PriceItem


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout


def holds(text: str, words: str) -> bool:
    """``words`` in ``text``, letter for letter in order, spaces aside: pdftotext puts a space where
    a glyph is drawn left of its place in the text (the vowel sign ि before its consonant: "बि ल"
    for "बिल"), so spaces are not compared; every letter and its order are."""
    return "".join(words.split()) in "".join(text.split())


def _large_invoice(actor, patient, clinic):
    item = PriceItem.objects.create(clinic=clinic, kind="package", name="12-session course", price_paise=1_23_456_00,
                                    tax_class="medical_exempt", code="9993", gst_rate_bp=0, sessions=12)
    return services.create_invoice(actor, patient, [services.LineRequest(item)], today=date(2026, 6, 1))


def test_a_marathi_reading_patients_invoice_and_receipt_are_in_marathi(client, receptionist, actor, make_patient, billing_clinic,
                                                                       tmp_path):
    patient = make_patient(billing_clinic, given_name="सुनीता", family_name="पाटील", preferred_language="mr")
    invoice = _large_invoice(actor, patient, billing_clinic)
    payment = services.record_payment(actor, invoice, amount_paise=23_456_00, method="bank_transfer", reference="NEFT 1")
    client.force_login(receptionist)
    text = pdftotext(client.get(f"/billing/invoices/{invoice.pk}/pdf/").content, tmp_path)
    for words in ("बीजक क्रमांक", "बिल कोणाच्या नावे", "रक्कम अक्षरी", "देय शिल्लक", "पुरवठ्याचे ठिकाण", "सुनीता पाटील"):
        assert holds(text, words), words
    assert "रक्कम अक्षरी" in text  # no vowel sign drawn out of order: pdftotext gives the words exactly
    assert "₹ 1,23,456.00" in text and "₹ 1,00,000.00" in text, text  # Indian grouping, Latin digits
    assert "Balance due" not in text and "Billed to" not in text
    receipt = pdftotext(client.get(f"/billing/payments/{payment.pk}/receipt/").content, tmp_path)
    assert holds(receipt, "पावती") and holds(receipt, "बँक हस्तांतरण") and "₹ 23,456.00" in receipt


def test_staff_print_an_invoice_in_another_language(client, receptionist, actor, make_patient, billing_clinic, tmp_path):
    invoice = _large_invoice(actor, make_patient(billing_clinic, preferred_language="mr"), billing_clinic)
    client.force_login(receptionist)
    english = pdftotext(client.get(f"/billing/invoices/{invoice.pk}/pdf/?language=en-in").content, tmp_path)
    assert "Balance due" in english and "₹ 1,23,456.00" in english
    hindi = pdftotext(client.get(f"/billing/invoices/{invoice.pk}/pdf/?language=hi").content, tmp_path)
    assert holds(hindi, "बकाया राशि") and "₹ 1,23,456.00" in hindi
    page = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert f"/billing/invoices/{invoice.pk}/pdf/?language=hi" in page


def test_an_unknown_language_asked_for_prints_the_patients_own(client, receptionist, actor, make_patient, billing_clinic, tmp_path):
    invoice = _large_invoice(actor, make_patient(billing_clinic, preferred_language="hi"), billing_clinic)
    client.force_login(receptionist)
    response = client.get(f"/billing/invoices/{invoice.pk}/pdf/?language=xx")
    assert response.status_code == 200 and holds(pdftotext(response.content, tmp_path), "बकाया राशि")
