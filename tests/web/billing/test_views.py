"""Billing pages: roles, clinic scoping, bad input as field errors, PDFs, the reception dashboard."""

from __future__ import annotations

from datetime import date

from anagen.audit.models import AuditEntry
from anagen.billing import services
from anagen.billing.models import Invoice, PriceItem


def _invoice(actor, patient, item):
    return services.create_invoice(actor, patient, [services.LineRequest(item)], today=date(2026, 6, 1))


def test_reception_sells_a_package_and_takes_a_partial_payment(client, receptionist, items, make_patient, billing_clinic):
    patient = make_patient(billing_clinic)
    client.force_login(receptionist)
    response = client.post(f"/billing/patients/{patient.pk}/invoices/new/", {"item_1": items["package"].pk, "quantity_1": 1,
                                                                             "customer_state_code": ""})
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response.url == f"/billing/invoices/{invoice.pk}/"
    paid = client.post(f"/billing/invoices/{invoice.pk}/pay/", {"amount": "10,000", "method": "cash"})
    assert paid.status_code == 302
    invoice.refresh_from_db()
    assert invoice.balance_paise == 26_000_00
    page = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "₹26,000.00" in page and "6-session intensive course" in page
    assert AuditEntry.objects.filter(object_type="payment", patient_id=patient.pk).exists()


def test_bad_amounts_come_back_as_field_errors_never_a_500(client, receptionist, actor, items, make_patient, billing_clinic):
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    client.force_login(receptionist)
    for amount, message in (("12.345", "two decimal places"), ("abc", "Enter an amount"), ("99999", "is due on this invoice")):
        response = client.post(f"/billing/invoices/{invoice.pk}/pay/", {"amount": amount, "method": "cash"})
        assert response.status_code == 400 and message in response.content.decode()
    refund = client.post(f"/billing/invoices/{invoice.pk}/refund/", {"refund-amount": "1", "refund-method": "cash", "refund-reason": "x"})
    assert refund.status_code == 400 and "can be refunded" in refund.content.decode()
    assert invoice.payments.count() == 0


def test_the_invoice_and_receipt_download_as_pdf(client, receptionist, actor, items, make_patient, billing_clinic):
    invoice = _invoice(actor, make_patient(billing_clinic, given_name="Zoë"), items["cosmetic"])
    payment = services.record_payment(actor, invoice, amount_paise=100_00, method="card", reference="4242")
    client.force_login(receptionist)
    response = client.get(f"/billing/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attachment" in response["Content-Disposition"]
    receipt = client.get(f"/billing/payments/{payment.pk}/receipt/")
    assert receipt.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="export", object_type="invoice", object_id=str(invoice.pk)).exists()


def test_another_clinics_invoices_and_packages_do_not_exist(client, other_admin, actor, items, make_patient, billing_clinic):
    invoice = _invoice(actor, make_patient(billing_clinic), items["package"])
    client.force_login(other_admin)
    package = invoice.lines.get().package
    for url in (f"/billing/invoices/{invoice.pk}/", f"/billing/invoices/{invoice.pk}/pdf/", f"/billing/packages/{package.pk}/",
                f"/billing/patients/{invoice.patient_id}/"):
        assert client.get(url).status_code == 404, url


def test_billing_needs_a_login_and_the_price_list_needs_an_admin(client, receptionist, admin_user, billing_clinic):
    assert client.get("/billing/reception/").status_code == 302
    client.force_login(receptionist)
    assert client.get("/billing/prices/").status_code == 403
    assert client.get("/billing/settings/").status_code == 403
    client.force_login(admin_user)
    bad = client.post("/billing/prices/", {"kind": "session", "name": "Cosmetic", "price": "1000", "tax_class": "medical_exempt",
                                           "gst_rate_bp": "1800", "code": "12", "active": "on"})
    assert bad.status_code == 400 and "4 to 8 digits" in bad.content.decode()
    ok = client.post("/billing/prices/", {"kind": "package", "name": "8-session course", "price": "40000", "tax_class": "medical_exempt",
                                          "gst_rate_bp": "1800", "code": "", "sessions": 8, "active": "on"})
    assert ok.status_code == 302
    item = PriceItem.objects.get(name="8-session course")
    assert (item.gst_rate_bp, item.code, item.price_paise) == (0, "9993", 40_000_00)
    settings_bad = client.post("/billing/settings/", {"state_code": "27", "invoice_prefix": "MUM", "gstin": "29ABCDE1234F1Z5"})
    assert settings_bad.status_code == 400 and "registered in state 29" in settings_bad.content.decode()


def test_the_reception_dashboard_shows_the_day_unpaid_invoices_and_open_packages(client, receptionist, actor, items, make_patient,
                                                                                 billing_clinic, visit):
    patient = make_patient(billing_clinic, given_name="Meera")
    _invoice(actor, patient, items["package"])
    visit(patient, days_ago=0, hour=9, complete=False)
    client.force_login(receptionist)
    page = client.get("/billing/reception/").content.decode()
    assert "Today's appointments" in page and "Arrived" in page
    assert "MUM/2026-27/0001" in page and "6 of 6" in page and "No failed reminders" in page
    assert AuditEntry.objects.filter(object_type="billing_list", object_id="reception").exists()


def test_the_patient_page_shows_the_billing_panel(client, receptionist, actor, items, make_patient, billing_clinic):
    patient = make_patient(billing_clinic)
    _invoice(actor, patient, items["package"])
    client.force_login(receptionist)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Packages with sessions left" in page and "6 of 6 left" in page and "₹36,000.00 due" in page


def test_the_demo_seed_sets_up_a_price_list_and_a_part_paid_package(billing_clinic, make_patient):
    from types import SimpleNamespace

    from anagen.demo.billing import seed_billing

    patient = make_patient(billing_clinic)
    seed_billing(SimpleNamespace(clinic=billing_clinic, patients=[patient], today=date(2026, 6, 1)))
    invoice = Invoice.objects.get(patient=patient)
    assert invoice.number == "MUM/2026-27/0001" and invoice.paid_paise == 20_000_00
    assert patient.packages.get().sessions_left == 6
