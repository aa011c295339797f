"""Invoices: GST splits through the service, numbering per financial year, payments, refunds."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from anagen.billing import services
from anagen.billing.models import Invoice, PatientPackage
from anagen.core.errors import InvalidInput


def _line(item, quantity=1):
    return services.LineRequest(item, quantity)


def test_an_intra_state_invoice_splits_gst_per_line_and_exempts_medical_treatment(actor, items, make_patient, billing_clinic):
    patient = make_patient(billing_clinic)
    invoice = services.create_invoice(actor, patient, [_line(items["package"]), _line(items["cosmetic"]), _line(items["serum"], 3)],
                                      today=date(2026, 6, 1))
    lines = list(invoice.lines.all())
    assert [(line.cgst_paise, line.sgst_paise, line.igst_paise) for line in lines] == [(0, 0, 0), (27_000, 27_000, 0), (9_000, 9_000, 0)]
    assert invoice.intra_state and invoice.taxable_paise == 36_000_00 + 2_999_99 + 999_99
    assert invoice.total_paise == invoice.taxable_paise + 72_000
    assert invoice.clinic_gstin == "27ABCDE1234F1Z5"
    assert PatientPackage.objects.get(patient=patient).sessions_total == 6


def test_a_customer_from_another_state_pays_igst(actor, items, make_patient, billing_clinic):
    invoice = services.create_invoice(actor, make_patient(billing_clinic), [_line(items["cosmetic"])], today=date(2026, 6, 1),
                                      customer_state_code="29")
    assert not invoice.intra_state
    assert (invoice.cgst_paise, invoice.sgst_paise, invoice.igst_paise) == (0, 0, 54_000)


def test_invoice_numbers_restart_with_each_financial_year(actor, items, make_patient, billing_clinic):
    patient = make_patient(billing_clinic)
    numbers = [services.create_invoice(actor, patient, [_line(items["serum"])], today=day).number
               for day in (date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 2))]
    assert numbers == ["MUM/2025-26/0001", "MUM/2025-26/0002", "MUM/2026-27/0001", "MUM/2026-27/0002"]


def test_another_clinic_numbers_its_invoices_on_its_own(actor, items, make_patient, billing_clinic, other_clinic):
    from anagen.audit.services import Actor
    from anagen.billing.models import PriceItem

    services.create_invoice(actor, make_patient(billing_clinic), [_line(items["serum"])], today=date(2026, 6, 1))
    serum = PriceItem.objects.create(clinic=other_clinic, kind="product", name="Serum", price_paise=100, tax_class="goods", code="3305", gst_rate_bp=1800)
    other = services.create_invoice(Actor.system("t", other_clinic.pk), make_patient(other_clinic), [_line(serum)], today=date(2026, 6, 1))
    assert other.number == "INV/2026-27/0001"
    with pytest.raises(InvalidInput):
        services.create_invoice(actor, make_patient(billing_clinic), [_line(serum)], today=date(2026, 6, 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_invoices_take_consecutive_numbers_without_gaps_or_duplicates(items, make_patient, billing_clinic):
    from anagen.audit.services import Actor

    patients = [make_patient(billing_clinic) for _ in range(4)]
    barrier = threading.Barrier(len(patients))
    results: list[object] = [None] * len(patients)

    def issue(index):
        try:
            barrier.wait(timeout=10)
            results[index] = services.create_invoice(Actor.system("t", billing_clinic.pk), patients[index], [_line(items["serum"])],
                                                     today=date(2026, 6, 1)).number
        except Exception as exc:  # noqa: BLE001
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(len(patients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [f"MUM/2026-27/000{n}" for n in range(1, 5)], results


def test_partial_payments_refunds_and_their_limits(actor, items, make_patient, billing_clinic):
    invoice = services.create_invoice(actor, make_patient(billing_clinic), [_line(items["package"])], today=date(2026, 6, 1))
    services.record_payment(actor, invoice, amount_paise=10_000_00, method="cash")
    services.record_payment(actor, invoice, amount_paise=6_000_00, method="upi", reference="UPI123")
    assert invoice.balance_paise == 20_000_00
    with pytest.raises(InvalidInput) as over:
        services.record_payment(actor, invoice, amount_paise=20_000_01, method="card")
    assert over.value.errors[0].field == "amount"
    with pytest.raises(InvalidInput) as no_ref:
        services.record_payment(actor, invoice, amount_paise=100, method="upi")
    assert no_ref.value.errors[0].field == "reference"
    with pytest.raises(InvalidInput) as no_reason:
        services.record_refund(actor, invoice, amount_paise=100, method="cash", reason=" ")
    assert no_reason.value.errors[0].field == "reason"
    services.record_refund(actor, invoice, amount_paise=1_000_00, method="cash", reason="Patient moved away")
    assert (invoice.paid_paise, invoice.refunded_paise, invoice.balance_paise) == (16_000_00, 1_000_00, 21_000_00)
    with pytest.raises(InvalidInput):
        services.record_refund(actor, invoice, amount_paise=15_000_01, method="cash", reason="Too much")


def test_the_database_refuses_an_invoice_whose_total_is_not_its_sum(actor, items, make_patient, billing_clinic):
    invoice = services.create_invoice(actor, make_patient(billing_clinic), [_line(items["serum"])], today=date(2026, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total_paise=1)


def test_the_invoice_pdf_prints_a_devanagari_name_and_the_rupee_sign(actor, billing_clinic, items, make_patient):
    from tests.web.outcomes.pdftext import pdf_text

    from anagen.billing.pdf import invoice_pdf

    patient = make_patient(billing_clinic, given_name="अनन्या", family_name="शर्मा")
    invoice = services.create_invoice(actor, patient, [_line(items["cosmetic"])], today=date(2026, 6, 1))
    data = invoice_pdf(invoice)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "अनन्या" in text and "₹" in text
