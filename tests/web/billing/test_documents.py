"""The invoice as a document people keep (issue 20, item 7): the page and the PDF carry the clinic's
address, the patient's address, unit prices, discounts and the amount in words; a discount is taken
off before GST and a wrong one is refused naming its line."""

from __future__ import annotations

import re
from datetime import date

from tests.web.outcomes.pdftext import pdf_text

from anagen.audit.models import AuditEntry
from anagen.billing import services
from anagen.billing.models import Invoice
from anagen.billing.pdf import invoice_pdf, receipt_pdf


def _clinic_with_address(clinic):
    clinic.address = "2nd floor, Linking Road\nBandra West, Mumbai 400050"
    clinic.phone = "+912226001234"
    clinic.save()
    return clinic


def test_reception_gives_a_discount_and_gst_is_charged_on_the_price_after_it(client, receptionist, items, make_patient, billing_clinic):
    patient = make_patient(billing_clinic)
    client.force_login(receptionist)
    response = client.post(f"/billing/patients/{patient.pk}/invoices/new/", {
        "item_1": items["cosmetic"].pk, "quantity_1": 1, "discount_1": "499.99",
        "item_2": items["serum"].pk, "quantity_2": 3, "customer_state_code": ""})
    invoice = Invoice.objects.get()
    assert response.status_code == 302, response.content.decode()
    cosmetic, serum = invoice.lines.all()
    assert (cosmetic.unit_price_paise, cosmetic.discount_paise, cosmetic.taxable_paise) == (2_999_99, 499_99, 2_500_00)
    assert cosmetic.cgst_paise == cosmetic.sgst_paise == 225_00
    assert serum.discount_paise == 0 and serum.taxable_paise == 999_99
    assert invoice.discount_paise == 499_99
    entry = AuditEntry.objects.get(object_type="invoice", object_id=str(invoice.pk))
    assert "less 49999 paise" in str(entry.changes)


def test_a_discount_larger_than_its_line_is_refused_beside_that_line_and_nothing_is_issued(client, receptionist, items, make_patient,
                                                                                         billing_clinic):
    patient = make_patient(billing_clinic)
    client.force_login(receptionist)
    response = client.post(f"/billing/patients/{patient.pk}/invoices/new/", {
        "item_1": items["serum"].pk, "quantity_1": 1,
        "item_3": items["serum"].pk, "quantity_3": 2, "discount_3": "700",
        "discount_4": "10", "customer_state_code": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the item this discount is for." in page
    assert not Invoice.objects.exists()
    response = client.post(f"/billing/patients/{patient.pk}/invoices/new/", {
        "item_1": items["serum"].pk, "quantity_1": 1, "item_3": items["serum"].pk, "quantity_3": 2, "discount_3": "700",
        "customer_state_code": ""})
    page = response.content.decode()
    assert response.status_code == 400
    # The error sits beside the third row's discount (the second line of the invoice).
    assert re.search(r'id="id_discount_3_error"[^>]*>\s*<li>The discount is more than the line&#x27;s price \(₹666.66\)', page)
    assert not Invoice.objects.exists()
    bad = client.post(f"/billing/patients/{patient.pk}/invoices/new/", {
        "item_1": items["serum"].pk, "quantity_1": 1, "discount_1": "12.345", "customer_state_code": ""})
    assert bad.status_code == 400 and "two decimal places" in bad.content.decode()


def test_the_invoice_pdf_carries_both_addresses_unit_prices_the_discount_and_the_amount_in_words(actor, items, make_patient, billing_clinic):
    _clinic_with_address(billing_clinic)
    patient = make_patient(billing_clinic, address="14 Carter Road\nBandra West, Mumbai 400050")
    invoice = services.create_invoice(actor, patient, [services.LineRequest(items["cosmetic"], 1, 499_99),
                                                       services.LineRequest(items["package"])], today=date(2026, 6, 1))
    text = pdf_text(invoice_pdf(invoice))
    assert "2nd floor, Linking Road, Bandra West, Mumbai 400050" in text
    assert "14 Carter Road" in text and "Bandra West, Mumbai 400050" in text
    assert "Unit price" in text and "₹ 2,999.99" in text and "₹ 36,000.00" in text
    assert "Discount" in text and "₹ 499.99" in text and "-₹ 499.99" in text
    # 36,000 + 2,500 + 18% of 2,500 = 38,950.
    assert "₹ 38,950.00" in text
    assert "Rupees thirty-eight thousand, nine hundred and fifty only" in text
    assert "1 Jun 2026" in text


def test_the_pdf_header_names_the_clinic_once(actor, items, make_patient, billing_clinic):
    # The fixture clinic is "Lotus Hair Clinic, Mumbai" in Mumbai: the city is not repeated.
    invoice = services.create_invoice(actor, make_patient(billing_clinic), [services.LineRequest(items["serum"])], today=date(2026, 6, 1))
    text = pdf_text(invoice_pdf(invoice))
    assert text.splitlines()[0] == "Lotus Hair Clinic, Mumbai"
    assert text.count("Mumbai") == 1
    payment = services.record_payment(actor, invoice, amount_paise=100_00, method="cash")
    receipt = pdf_text(receipt_pdf(payment))
    assert receipt.splitlines()[0] == "Lotus Hair Clinic, Mumbai" and "Rupees one hundred only" in receipt


def test_the_invoice_page_is_laid_out_as_a_document_with_totals_under_the_amounts(client, receptionist, actor, items, make_patient,
                                                                                billing_clinic):
    _clinic_with_address(billing_clinic)
    patient = make_patient(billing_clinic, address="14 Carter Road\nBandra West")
    invoice = services.create_invoice(actor, patient, [services.LineRequest(items["cosmetic"], 1, 499_99)], today=date(2026, 6, 1))
    client.force_login(receptionist)
    page = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    document = page[page.index('data-testid="invoice-document"'):page.index("</article>")]
    # The item table is not inside a definition list; its totals are the table's footer.
    assert "<table" in document and not re.search(r"<dd>[^<]*<table", document)
    footer = document[document.index("<tfoot>"):document.index("</tfoot>")]
    for label in ("Price before discount", "Discount", "Taxable value", "CGST", "SGST", "Invoice total", "Balance due"):
        assert label in footer
    assert footer.count('colspan="9"') >= 7
    assert "14 Carter Road<br>Bandra West" in document and "2nd floor, Linking Road" in document
    assert "Rupees two thousand, nine hundred and fifty only" in document
    assert "1 Jun 2026" in document and "data-print" in page
