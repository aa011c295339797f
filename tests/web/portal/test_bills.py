"""The patient's bills in the portal (issue 22): their own invoices only, the amounts as staff see
them, the UPI QR code for what is still due, the payment link, the PDF, every read audited."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.billing import services
from anagen.billing.models import BillingSettings, LinkStatus, PaymentLink, PriceItem

pytestmark = pytest.mark.django_db

UPI_ID = "lotushair@okhdfcbank"


@pytest.fixture
def items(clinic: Any) -> dict[str, Any]:
    clinic.gstin = "27ABCDE1234F1Z5"
    clinic.save()
    BillingSettings.objects.create(clinic=clinic, state_code="27", invoice_prefix="MUM", upi_id=UPI_ID, upi_payee_name="Lotus Hair Clinic")
    make = PriceItem.objects.create
    return {
        "package": make(clinic=clinic, kind="package", name="6-session intensive course", price_paise=36_000_00,
                        tax_class="medical_exempt", code="9993", gst_rate_bp=0, sessions=6),
        "serum": make(clinic=clinic, kind="product", name="Hair serum", price_paise=333_33, tax_class="goods", code="3305", gst_rate_bp=1800),
    }


@pytest.fixture
def bill(actor: Any, items: dict[str, Any]) -> Any:
    """Issue an invoice to ``patient`` for the named items."""

    def bill_(patient: Any, *names: str, day: date = date(2026, 6, 1)) -> Any:
        return services.create_invoice(actor, patient, [services.LineRequest(items[n]) for n in names or ("package",)], today=day)

    return bill_


def _upi_parameters(uri: str) -> dict[str, str]:
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("upi", "pay")
    return dict(parse_qsl(parts.query))


def _link_href(content: str, testid: str) -> str:
    start = content.index(f'data-testid="{testid}"')
    tag = content[content.rindex("<a ", 0, start):content.index(">", start)]
    return unescape(tag.split('href="', 1)[1].split('"', 1)[0])


def test_the_patient_sees_their_own_bills_with_what_was_paid_and_what_is_still_to_pay(client, actor, patient, patient_user, other_patient, bill):
    older = bill(patient, "package", day=date(2026, 5, 4))
    newer = bill(patient, "serum", day=date(2026, 6, 1))
    services.record_payment(actor, older, amount_paise=10_000_00, method="cash")
    foreign = bill(other_patient, "serum")
    client.force_login(patient_user)
    response = client.get(reverse("portal:bills"))
    assert response.status_code == 200
    content = response.content.decode()
    assert [r.invoice.pk for r in response.context["rows"]] == [newer.pk, older.pk]
    assert foreign.number not in content
    assert reverse("portal:bill", args=[older.pk]) in content
    assert "4 May 2026" in content and "1 Jun 2026" in content
    # The older bill: ₹36,000.00 in all, ₹10,000.00 paid, ₹26,000.00 still to pay.
    row = content[content.rindex("<tr>", 0, content.index(older.number)):]
    row = row[:row.index("</tr>")]
    for shown in (older.number, "4 May 2026", "₹36,000.00", "₹10,000.00", "₹26,000.00", "Partly paid"):
        assert shown in row
    assert "Not paid yet" in content  # the serum, ₹393.33 with GST
    assert "₹393.33" in content
    assert "The clinic records your payment when it reaches its account." in content
    assert 'aria-current="page">Bills and payments' in content


def test_with_no_bills_the_page_says_so(client, patient_user):
    client.force_login(patient_user)
    content = client.get(reverse("portal:bills")).content.decode()
    assert "You have no bills from the clinic." in content


def test_another_patients_bill_and_its_pdf_are_not_found_and_nothing_is_recorded_against_them(client, patient_user, other_patient, bill):
    foreign = bill(other_patient, "serum")
    client.force_login(patient_user)
    assert client.get(reverse("portal:bill", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("portal:bill_pdf", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("portal:bill", args=[foreign.pk + 1000])).status_code == 404  # no such invoice: the same answer
    assert client.get("/portal/bills/99999999999999999999999/").status_code == 404  # beyond any id the database holds
    assert not AuditEntry.objects.filter(object_type="invoice", object_id=str(foreign.pk), user_id=patient_user.pk).exists()


def test_a_bill_shows_its_lines_totals_and_the_payments_received(client, actor, patient, patient_user, bill):
    invoice = bill(patient, "package", "serum")
    services.record_payment(actor, invoice, amount_paise=20_000_00, method="upi", reference="UPI-PAID-0001",
                            now=timezone.make_aware(timezone.datetime(2026, 6, 1, 16, 5)))
    client.force_login(patient_user)
    response = client.get(reverse("portal:bill", args=[invoice.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Invoice {invoice.number}" in content
    assert "Issued on 1 Jun 2026 by Lotus Hair Clinic, Mumbai." in content
    assert "6-session intensive course" in content and "Hair serum" in content
    # ₹36,000.00 exempt + ₹333.33 serum with 9% CGST and 9% SGST (₹30.00 each) = ₹36,393.33.
    assert 'data-testid="total">₹36,393.33<' in content
    assert 'data-testid="paid">₹20,000.00<' in content
    assert 'data-testid="due"><strong>₹16,393.33</strong>' in content
    assert "1 Jun 2026, 16:05: ₹20,000.00 by UPI" in content and "UPI-PAID-0001" in content
    assert reverse("portal:bill_pdf", args=[invoice.pk]) in content and "Download the invoice (PDF)" in content


def test_the_upi_qr_asks_for_the_amount_due_and_names_the_invoice_until_nothing_is_due(client, actor, patient, patient_user, bill):
    invoice = bill(patient, "package")
    client.force_login(patient_user)
    page = client.get(reverse("portal:bill", args=[invoice.pk]))
    content = page.content.decode()
    assert 'data-testid="upi-qr"' in content and "<svg" in content
    assert "UPI QR code for the amount due" in content  # the code's title, for screen readers
    expected = {"pa": UPI_ID, "pn": "Lotus Hair Clinic", "am": "36000.00", "cu": "INR", "tr": invoice.number, "tn": f"Invoice {invoice.number}"}
    assert _upi_parameters(page.context["bill"].upi.uri) == expected
    # The same request opens a UPI app on the phone the patient reads the portal on.
    assert _upi_parameters(_link_href(content, "upi-link")) == expected

    services.record_payment(actor, invoice, amount_paise=10_000_00, method="cash")
    page = client.get(reverse("portal:bill", args=[invoice.pk]))
    assert _upi_parameters(page.context["bill"].upi.uri)["am"] == "26000.00"
    assert "Scan with any UPI app to pay the balance due, ₹26,000.00." in page.content.decode()

    services.record_payment(actor, invoice, amount_paise=26_000_00, method="card")
    page = client.get(reverse("portal:bill", args=[invoice.pk]))
    content = page.content.decode()
    assert page.context["bill"].upi is None
    assert 'data-testid="upi-qr"' not in content and "<svg" not in content and "upi://" not in content
    assert 'data-testid="pay"' not in content
    assert "Paid" in content


def test_without_the_clinics_upi_id_there_is_no_qr_and_the_patient_is_told_to_pay_at_reception(client, clinic, patient, patient_user, bill):
    invoice = bill(patient, "serum")
    BillingSettings.objects.filter(clinic=clinic).update(upi_id="")
    client.force_login(patient_user)
    content = client.get(reverse("portal:bill", args=[invoice.pk])).content.decode()
    assert 'data-testid="upi-qr"' not in content and "upi://" not in content
    assert "Pay at the clinic's reception." in content


def test_an_open_payment_link_for_the_amount_due_is_offered_and_a_stale_or_paid_one_is_not(client, actor, patient, patient_user, bill):
    invoice = bill(patient, "package")
    now = timezone.now()
    link = PaymentLink.objects.create(invoice=invoice, provider_link_id="plink_open", short_url="https://rzp.io/i/open",
                                      amount_paise=36_000_00, created_at=now)
    client.force_login(patient_user)
    content = client.get(reverse("portal:bill", args=[invoice.pk])).content.decode()
    assert _link_href(content, "payment-link") == "https://rzp.io/i/open"
    assert "Pay ₹36,000.00 online" in content

    # Part paid at the desk: the link still asks for ₹36,000.00, more than is due now.
    services.record_payment(actor, invoice, amount_paise=1_000_00, method="cash")
    content = client.get(reverse("portal:bill", args=[invoice.pk])).content.decode()
    assert 'data-testid="payment-link"' not in content and "rzp.io" not in content

    fresh = PaymentLink.objects.create(invoice=invoice, provider_link_id="plink_fresh", short_url="https://rzp.io/i/fresh",
                                       amount_paise=35_000_00, created_at=now + timedelta(minutes=5), status=LinkStatus.EXPIRED)
    content = client.get(reverse("portal:bill", args=[invoice.pk])).content.decode()
    assert "rzp.io" not in content  # expired
    fresh.status = LinkStatus.CREATED
    fresh.save()
    content = client.get(reverse("portal:bill", args=[invoice.pk])).content.decode()
    assert _link_href(content, "payment-link") == "https://rzp.io/i/fresh"
    assert link.short_url not in content


def test_the_pdf_is_the_invoice_as_the_clinic_prints_it(client, patient, patient_user, bill, tmp_path):
    invoice = bill(patient, "package", "serum")
    client.force_login(patient_user)
    response = client.get(reverse("portal:bill_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number.replace("/", "-")}.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert invoice.number in text
    assert patient.full_name in text
    assert "Pay by UPI" in text


def test_every_read_is_audited_as_the_patient_and_shows_in_their_access_log(client, patient, patient_user, bill):
    invoice = bill(patient, "serum")
    client.force_login(patient_user)
    client.get(reverse("portal:bills"))
    client.get(reverse("portal:bill", args=[invoice.pk]))
    client.get(reverse("portal:bill_pdf", args=[invoice.pk]))
    mine = AuditEntry.objects.filter(user_id=patient_user.pk, patient_id=patient.pk)
    assert mine.filter(action="read", object_type="portal_bills", object_id=str(patient.pk)).count() == 1
    assert mine.filter(action="read", object_type="invoice", object_id=str(invoice.pk)).count() == 1
    assert mine.filter(action="export", object_type="invoice", object_id=str(invoice.pk)).count() == 1
    log = client.get(reverse("portal:access_log")).content.decode()
    assert "opened your bills" in log
    assert "opened an invoice" in log and "downloaded or exported an invoice" in log


def test_staff_do_not_reach_the_patients_bill_pages(client, receptionist, patient, patient_user, bill):
    invoice = bill(patient, "serum")
    client.force_login(receptionist)
    for url in (reverse("portal:bills"), reverse("portal:bill", args=[invoice.pk]), reverse("portal:bill_pdf", args=[invoice.pk])):
        assert client.get(url).status_code == 403


def test_a_hindi_preferring_patient_reads_their_bills_in_hindi(client, actor, patient, patient_user, bill):
    patient.preferred_language = "hi"
    patient.save()
    invoice = bill(patient, "package")
    services.record_payment(actor, invoice, amount_paise=10_000_00, method="cash")
    client.force_login(patient_user)
    bills = client.get(reverse("portal:bills"), HTTP_ACCEPT_LANGUAGE="en")
    assert bills["Content-Language"] == "hi"
    content = bills.content.decode()
    assert "बिल और भुगतान" in content and "बाकी भुगतान" in content and "इनवॉइस" in content
    assert "Bills and payments" not in content and "Still to pay" not in content
    page = client.get(reverse("portal:bill", args=[invoice.pk])).content.decode()
    assert "इनवॉइस डाउनलोड करें (PDF)" in page
    assert "Lotus Hair Clinic, Mumbai द्वारा 1 जून 2026 को जारी।" in page  # the one date format, its month in Hindi
    assert "भुगतान क्लिनिक के खाते में पहुँचने पर क्लिनिक उसे दर्ज करता है।" in page
    assert "बकाया राशि के लिए UPI QR कोड" in page
    assert "Download the invoice" not in page and "How to pay" not in page


def test_a_marathi_preferring_patient_reads_no_english_interface_word_on_the_bill_pages(client, actor, patient, patient_user, bill):
    patient.preferred_language = "mr"
    patient.save()
    invoice = bill(patient, "package", "serum")
    services.record_payment(actor, invoice, amount_paise=10_000_00, method="cash")
    services.record_refund(actor, invoice, amount_paise=1_000_00, method="cash", reason="Overcharged")
    PaymentLink.objects.create(invoice=invoice, provider_link_id="plink_mr", short_url="https://rzp.io/i/mr",
                               amount_paise=invoice.balance_paise, created_at=timezone.now())
    # Data (names, items, the refund's reason, the UPI ID, the invoice number) and the names of
    # taxes and formats stay as they are.
    data = {invoice.clinic.name, invoice.number, "6-session intensive course", "Hair serum", "Overcharged", UPI_ID, "Lotus Hair Clinic"}
    allowed = {"GST", "CGST", "SGST", "UPI", "ID", "QR", "PDF"}
    client.force_login(patient_user)
    for url in (reverse("portal:bills"), reverse("portal:bill", args=[invoice.pk])):
        page = client.get(url).content.decode()
        text = page[page.index("<h1"):page.index("</main>")]
        text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", text, flags=re.S)
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        assert [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", unescape(text)) if w not in allowed] == [], url
    assert "भरायची बाकी रक्कम" in page and "बीजक डाउनलोड करा (PDF)" in page and "देय रकमेसाठी UPI QR कोड" in page
