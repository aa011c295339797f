"""The amount in words on the invoice and the receipt is written in the document's language: Hindi
and Marathi with lakh and crore, rupees and paise (issue 21, item 3)."""

from __future__ import annotations

from datetime import date

from django.utils import translation
from tests.web.outcomes.pdftext import pdf_text

from anagen.billing import services
from anagen.billing.pdf import invoice_pdf, receipt_pdf


def test_a_marathi_invoice_and_receipt_write_the_amount_in_marathi_words(actor, items, make_patient, billing_clinic):
    invoice = services.create_invoice(actor, make_patient(billing_clinic), [services.LineRequest(items["package"])], today=date(2026, 6, 1))
    payment = services.record_payment(actor, invoice, amount_paise=1_500_50, method="cash")
    with translation.override("mr"):
        text, receipt = pdf_text(invoice_pdf(invoice)), pdf_text(receipt_pdf(payment))
    assert "छत्तीस हजार रुपये फक्त" in text and "Rupees" not in text
    assert "एक हजार पाचशे रुपये आणि पन्नास पैसे फक्त" in receipt


def test_the_hindi_invoice_page_writes_the_amount_in_hindi_words_and_english_reads_english(client, receptionist, actor, items,
                                                                                          make_patient, billing_clinic):
    invoice = services.create_invoice(actor, make_patient(billing_clinic), [services.LineRequest(items["package"])], today=date(2026, 6, 1))
    pages = {}
    for language in ("en-in", "hi"):
        receptionist.language = language
        receptionist.save()
        client.force_login(receptionist)
        response = client.get(f"/billing/invoices/{invoice.pk}/")
        assert response.status_code == 200 and response["Content-Language"] == language
        pages[language] = response.content.decode()
    assert "Rupees thirty-six thousand only" in pages["en-in"]
    assert "छत्तीस हज़ार रुपये मात्र" in pages["hi"] and "Rupees thirty-six" not in pages["hi"]
