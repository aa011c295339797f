"""Demo data for billing (run in ``anagen.demo.seed.SEEDERS`` after the programme): billing
settings, a price list, and one package sold and partly paid."""

from __future__ import annotations

from anagen.audit.services import Actor
from anagen.billing import services
from anagen.billing.models import BillingSettings
from anagen.demo.context import SeedContext

PRICE_LIST = [
    {"kind": "package", "name": "6-session intensive course", "price_paise": 36_000_00, "tax_class": "medical_exempt", "sessions": 6},
    {"kind": "session", "name": "Single mesotherapy session", "price_paise": 6_500_00, "tax_class": "medical_exempt"},
    {"kind": "session", "name": "Cosmetic scalp rejuvenation", "price_paise": 4_999_00, "tax_class": "cosmetic", "gst_rate_bp": 1800},
    {"kind": "product", "name": "Scalp serum 30 mL", "price_paise": 1_250_00, "tax_class": "goods", "gst_rate_bp": 1800},
]


def seed_billing(ctx: SeedContext) -> None:
    clinic = ctx.clinic
    actor = Actor.system("demo-seed", clinic.pk)
    # A made-up UPI ID (no bank has the handle "demobank"): the demo shows the QR, nothing can pay it.
    BillingSettings.objects.update_or_create(clinic=clinic, defaults={"state_code": "27", "invoice_prefix": "MUM",
                                                                      "upi_id": "anagen.demo@demobank", "upi_payee_name": clinic.name[:50]})
    items = [services.save_price_item(actor, clinic, dict(values)) for values in PRICE_LIST]
    if ctx.patients:
        invoice = services.create_invoice(actor, ctx.patients[0], [services.LineRequest(items[0]), services.LineRequest(items[3])],
                                          today=ctx.today)
        services.record_payment(actor, invoice, amount_paise=20_000_00, method="upi", reference="DEMO-UPI-0001")
