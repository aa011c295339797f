"""Browser: the clinic admin sets the clinic's UPI ID; the invoice reception opens carries a QR
code that a phone's UPI app would read as the balance due, and it follows a part payment."""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
import zxingcpp
from PIL import Image


def _scanned(page) -> dict[str, str]:
    """What a UPI app reads from the QR as Chromium draws it (a screenshot of the element)."""
    image = Image.open(io.BytesIO(page.get_by_test_id("upi-qr").locator("svg").screenshot()))
    found = [b.text for b in zxingcpp.read_barcodes(image) if b.text.startswith("upi://pay?")]
    assert len(found) == 1, found
    return dict(parse_qsl(urlsplit(found[0]).query))


@pytest.mark.django_db(transaction=True)
def test_the_invoice_page_qr_scans_as_the_balance_due_to_the_clinics_upi_id(page, sign_in, clinic, admin_user, receptionist,
                                                                            make_patient):
    from anagen.audit.services import Actor
    from anagen.billing import services
    from anagen.billing.models import BillingSettings, PriceItem

    BillingSettings.objects.create(clinic=clinic, state_code="27", invoice_prefix="MUM")
    serum = PriceItem.objects.create(clinic=clinic, kind="product", name="Hair serum", price_paise=1_000_00,
                                     tax_class="goods", code="3305", gst_rate_bp=1800)
    invoice = services.create_invoice(Actor.system("test", clinic.pk), make_patient(clinic), [services.LineRequest(serum, 2)],
                                      today=date(2026, 6, 1))

    sign_in(admin_user.username)
    page.goto("/billing/settings/")
    page.get_by_label("UPI ID for payments").fill("lotus hair")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Enter a UPI ID as name@bank").wait_for()
    page.get_by_label("UPI ID for payments").fill("LotusHair@okhdfcbank")
    page.get_by_label("Name shown to the payer").fill("Lotus Hair Clinic")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Billing settings saved.").wait_for()
    page.context.clear_cookies()

    sign_in(receptionist.username)
    page.goto(f"/billing/invoices/{invoice.pk}/")
    # 2 × ₹1,000 + 18% GST = ₹2,360.
    assert _scanned(page) == {"pa": "lotushair@okhdfcbank", "pn": "Lotus Hair Clinic", "am": "2360.00", "cu": "INR",
                              "tr": invoice.number, "tn": f"Invoice {invoice.number}"}
    page.get_by_label("Amount").fill("360")
    page.get_by_label("Method").select_option("cash")
    page.get_by_role("button", name="Record payment").click()
    page.get_by_text("Payment recorded.").wait_for()
    assert _scanned(page)["am"] == "2000.00"
    assert re.search(r"Scan with any UPI app to pay the balance due, ₹2,000\.00\.", page.get_by_test_id("upi-qr").inner_text())
