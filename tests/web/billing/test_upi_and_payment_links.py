"""UPI QR codes on invoices (page and PDF) and Razorpay payment links, contract-tested against a
local server that speaks Razorpay's documented API and a webhook signed as Razorpay signs it."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pypdfium2
import pytest
import zxingcpp

from anagen.audit.models import AuditEntry
from anagen.billing import services
from anagen.billing.models import BillingSettings, LinkStatus, Payment, PaymentLink
from anagen.billing.pdf import invoice_pdf

from .fake_razorpay import KEY_ID, KEY_SECRET, FakeRazorpay, paid_event

WEBHOOK_SECRET = "whsec-test-anagen"


def _invoice(actor, patient, item):
    return services.create_invoice(actor, patient, [services.LineRequest(item)], today=date(2026, 6, 1))


def _with_upi(clinic, upi_id="lotushair@okhdfcbank", payee="Lotus Hair Clinic"):
    BillingSettings.objects.filter(clinic=clinic).update(upi_id=upi_id, upi_payee_name=payee)


def _qr_parameters_in_pdf(data: bytes) -> dict[str, str]:
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=3).to_pil()
    found = [b.text for b in zxingcpp.read_barcodes(image) if b.text.startswith("upi://")]
    assert len(found) == 1, found
    parts = urlsplit(found[0])
    return dict(parse_qsl(parts.query))


def test_an_admin_sets_the_upi_id_and_a_malformed_one_is_refused_naming_the_field(client, admin_user, billing_clinic):
    client.force_login(admin_user)
    form = {"state_code": "27", "invoice_prefix": "MUM", "gstin": "27ABCDE1234F1Z5", "upi_payee_name": "Lotus Hair Clinic"}
    bad = client.post("/billing/settings/", {**form, "upi_id": "lotushair at hdfc"})
    assert bad.status_code == 400
    assert "Enter a UPI ID as name@bank" in bad.content.decode()
    assert BillingSettings.objects.get(clinic=billing_clinic).upi_id == ""
    good = client.post("/billing/settings/", {**form, "upi_id": " LotusHair@OKHDFCBANK "})
    assert good.status_code == 302
    assert BillingSettings.objects.get(clinic=billing_clinic).upi_id == "lotushair@okhdfcbank"
    entry = AuditEntry.objects.filter(object_type="billing_settings").latest("id")
    assert "upi_id" in json.dumps(entry.changes)


def test_the_invoice_pdf_carries_a_upi_qr_that_decodes_to_the_balance_due_and_the_invoice_number(actor, items, make_patient, billing_clinic):
    _with_upi(billing_clinic)
    invoice = _invoice(actor, make_patient(billing_clinic), items["package"])
    assert _qr_parameters_in_pdf(invoice_pdf(invoice)) == {
        "pa": "lotushair@okhdfcbank", "pn": "Lotus Hair Clinic", "am": "36000.00", "cu": "INR", "tr": invoice.number,
        "tn": f"Invoice {invoice.number}"}
    services.record_payment(actor, invoice, amount_paise=10_000_00, method="cash")
    assert _qr_parameters_in_pdf(invoice_pdf(invoice))["am"] == "26000.00"


def test_the_invoice_page_shows_the_qr_with_the_upi_id_and_amount(client, receptionist, actor, items, make_patient, billing_clinic):
    _with_upi(billing_clinic)
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    client.force_login(receptionist)
    page = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert 'data-testid="upi-qr"' in page and "<svg" in page
    assert "lotushair@okhdfcbank" in page and "Scan with any UPI app to pay the balance due, ₹393.33." in page


def test_no_qr_is_printed_without_a_upi_id_or_once_nothing_is_due(client, receptionist, actor, items, make_patient, billing_clinic):
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    client.force_login(receptionist)
    assert 'data-testid="upi-qr"' not in client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    _with_upi(billing_clinic)
    services.record_payment(actor, invoice, amount_paise=invoice.total_paise, method="cash")
    assert 'data-testid="upi-qr"' not in client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert services.upi_request_for(invoice) is None


@pytest.fixture
def razorpay_server(settings):
    server = FakeRazorpay()
    settings.ANAGEN_RAZORPAY_API_BASE = server.base_url
    settings.ANAGEN_RAZORPAY_KEY_ID = KEY_ID
    settings.ANAGEN_RAZORPAY_KEY_SECRET = KEY_SECRET
    settings.ANAGEN_RAZORPAY_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield server
    server.close()


def _post_event(client, event: dict, secret: str = WEBHOOK_SECRET):
    body = json.dumps(event).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post("/billing/razorpay/webhook/", body, content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE=signature)


def test_reception_sends_a_payment_link_for_the_balance_as_razorpay_documents_the_request(
        client, receptionist, actor, items, make_patient, billing_clinic, razorpay_server):
    patient = make_patient(billing_clinic)
    invoice = _invoice(actor, patient, items["package"])
    services.record_payment(actor, invoice, amount_paise=6_000_00, method="cash")
    client.force_login(receptionist)
    response = client.post(f"/billing/invoices/{invoice.pk}/payment-link/", follow=True)
    assert "Payment link for ₹30,000.00 sent to the patient by Razorpay." in response.content.decode()
    [sent] = razorpay_server.requests
    assert sent["path"] == "/v1/payment_links"
    assert sent["json"]["amount"] == 30_000_00 and sent["json"]["currency"] == "INR"
    assert sent["json"]["reference_id"] == f"{invoice.number}-1" and sent["json"]["accept_partial"] is False
    assert sent["json"]["customer"] == {"name": patient.full_name, "contact": patient.phone}
    link = PaymentLink.objects.get()
    assert (link.amount_paise, link.status, link.short_url) == (30_000_00, LinkStatus.CREATED, "https://rzp.io/rzp/Test1")
    assert "https://rzp.io/rzp/Test1" in response.content.decode()
    # A second tap does not text the patient a second link for the same amount.
    client.post(f"/billing/invoices/{invoice.pk}/payment-link/")
    assert len(razorpay_server.requests) == 1 and PaymentLink.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="payment_link", action="create", patient_id=patient.pk).count() == 1


def test_a_link_razorpay_refuses_shows_its_reason_and_stores_nothing(client, receptionist, actor, items, make_patient,
                                                                      billing_clinic, razorpay_server, settings):
    settings.ANAGEN_RAZORPAY_KEY_SECRET = "wrong-secret"
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    client.force_login(receptionist)
    page = client.post(f"/billing/invoices/{invoice.pk}/payment-link/", follow=True).content.decode()
    assert "Razorpay refused the link (HTTP 401): The api key provided is invalid." in page
    assert not PaymentLink.objects.exists()
    assert "wrong-secret" not in page


def test_a_signed_paid_event_records_the_payment_once_however_often_razorpay_retries(
        client, receptionist, actor, items, make_patient, billing_clinic, razorpay_server):
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    link = services.create_payment_link(actor, invoice)
    event = paid_event(link.provider_link_id, invoice.total_paise, payment_id="pay_TestUpi0042")
    first = _post_event(client, event)
    again = _post_event(client, event)
    assert first.json() == {"outcome": "recorded"} and again.json() == {"outcome": "already recorded"}
    payment = Payment.objects.get()
    assert (payment.amount_paise, payment.method, payment.reference) == (invoice.total_paise, "upi", "pay_TestUpi0042")
    invoice.refresh_from_db()
    link.refresh_from_db()
    assert invoice.balance_paise == 0 and link.status == LinkStatus.PAID and link.payment == payment
    assert AuditEntry.objects.filter(object_type="payment", username="razorpay").count() == 1


def test_an_event_without_the_right_signature_is_refused_and_records_nothing(client, actor, items, make_patient,
                                                                             billing_clinic, razorpay_server):
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    link = services.create_payment_link(actor, invoice)
    event = paid_event(link.provider_link_id, invoice.total_paise)
    assert _post_event(client, event, secret="someone-else").status_code == 403
    unsigned = client.post("/billing/razorpay/webhook/", json.dumps(event), content_type="application/json")
    assert unsigned.status_code == 403
    assert not Payment.objects.exists()


def test_a_card_or_wallet_payment_is_recorded_under_its_own_method(client, actor, items, make_patient, billing_clinic, razorpay_server):
    first = _invoice(actor, make_patient(billing_clinic), items["serum"])
    second = _invoice(actor, make_patient(billing_clinic, given_name="Meera", family_name="Iyer"), items["serum"])
    for invoice, method, payment_id in ((first, "card", "pay_Card1"), (second, "wallet", "pay_Wallet1")):
        link = services.create_payment_link(actor, invoice)
        _post_event(client, paid_event(link.provider_link_id, invoice.total_paise, payment_id=payment_id, method=method))
    assert dict(Payment.objects.values_list("reference", "method")) == {"pay_Card1": "card", "pay_Wallet1": "online"}


def test_a_link_paid_after_the_balance_was_settled_is_flagged_for_a_refund_not_recorded(
        client, receptionist, actor, items, make_patient, billing_clinic, razorpay_server):
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    link = services.create_payment_link(actor, invoice)
    services.record_payment(actor, invoice, amount_paise=invoice.total_paise, method="cash")
    outcome = _post_event(client, paid_event(link.provider_link_id, invoice.total_paise, payment_id="pay_Late1")).json()
    assert outcome == {"outcome": "not recorded"}
    assert Payment.objects.count() == 1
    client.force_login(receptionist)
    page = client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "₹393.33 paid online (pay_Late1) after the balance was settled: refund it." in page


def test_a_cancelled_or_expired_link_says_so_and_an_unknown_link_changes_nothing(client, actor, items, make_patient,
                                                                                 billing_clinic, razorpay_server):
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    link = services.create_payment_link(actor, invoice)
    cancelled = {**paid_event(link.provider_link_id, invoice.total_paise), "event": "payment_link.cancelled"}
    assert _post_event(client, cancelled).json() == {"outcome": "status"}
    link.refresh_from_db()
    assert link.status == LinkStatus.CANCELLED
    assert _post_event(client, paid_event("plink_Unknown", 100)).json() == {"outcome": "unknown link"}
    assert _post_event(client, {"event": "payment.captured"}).json() == {"outcome": "ignored"}
    assert not Payment.objects.exists()


def test_without_razorpay_keys_no_link_is_offered_and_a_forced_request_is_refused(client, receptionist, actor, items,
                                                                                 make_patient, billing_clinic, settings):
    settings.ANAGEN_RAZORPAY_KEY_ID = settings.ANAGEN_RAZORPAY_KEY_SECRET = ""
    invoice = _invoice(actor, make_patient(billing_clinic), items["serum"])
    client.force_login(receptionist)
    assert "Send a payment link" not in client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    page = client.post(f"/billing/invoices/{invoice.pk}/payment-link/", follow=True).content.decode()
    assert "Payment links are not set up for this clinic." in page
    assert not PaymentLink.objects.exists()
