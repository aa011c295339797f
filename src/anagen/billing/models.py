"""Price list, invoices with GST per line, payments, refunds and session packages.

Money is integer paise everywhere (``*_paise`` fields); tax is computed per line by
anagen.core.billing. Invoice numbers are consecutive per clinic and financial year, taken from a
counter row locked in the invoice's transaction. A package's ``sessions_used`` can never exceed
its ``sessions_total`` (a database check, besides the locked row in the service).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic
from anagen.core.billing import STATE_CODES, balance_due
from anagen.core.billing import TaxClass as CoreTaxClass
from anagen.patients.models import Patient

STATE_CHOICES = sorted(((code, f"{name} ({code})") for code, name in STATE_CODES.items()), key=lambda c: c[1])


class TaxClass(models.TextChoices):
    MEDICAL_EXEMPT = CoreTaxClass.MEDICAL_EXEMPT.value, _("Medical treatment, exempt (SAC 9993)")
    COSMETIC = CoreTaxClass.COSMETIC.value, _("Cosmetic procedure, 18% (SAC 999722)")
    GOODS = CoreTaxClass.GOODS.value, _("Product (HSN, GST as set)")


class ItemKind(models.TextChoices):
    PACKAGE = "package", _("Course package")
    SESSION = "session", _("Single session")
    PRODUCT = "product", _("Product over the counter")
    SERVICE = "service", _("Other service")


class BillingSettings(models.Model):
    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, primary_key=True, related_name="billing_settings")
    state_code = models.CharField("clinic's GST state", max_length=2, choices=STATE_CHOICES, default="27")
    invoice_prefix = models.CharField("invoice number prefix", max_length=6, default="INV",
                                      help_text="1-6 capital letters or digits, e.g. MUM: invoices read MUM/2026-27/0001.")
    # Where UPI payments go: invoices carry a QR code for the amount due only when this is set.
    upi_id = models.CharField("UPI ID", max_length=320, blank=True)
    upi_payee_name = models.CharField("name shown to the payer", max_length=50, blank=True)


class PriceItem(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="price_items")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    name = models.CharField(max_length=150)
    price_paise = models.BigIntegerField("price (paise, before GST)")
    tax_class = models.CharField(max_length=20, choices=TaxClass.choices)
    code = models.CharField("SAC/HSN code", max_length=8)
    gst_rate_bp = models.PositiveIntegerField("GST rate (basis points)", default=0)
    sessions = models.PositiveSmallIntegerField("sessions in the package", default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price_paise__gte=0), name="price_item_price_not_negative"),
            models.CheckConstraint(condition=~Q(kind="package") | Q(sessions__gte=1), name="price_item_package_has_sessions"),
            models.UniqueConstraint(fields=["clinic", "name"], name="price_item_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class InvoiceCounter(models.Model):
    """The last number issued per clinic and financial year; locked while an invoice is numbered."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    fy_start_year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "fy_start_year"], name="invoice_counter_once")]


class Invoice(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="invoices")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=24)
    fy_start_year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    issued_on = models.DateField()
    # Copied at issue: an invoice shows the identity and rules in force when it was made.
    clinic_gstin = models.CharField(max_length=15, blank=True)
    clinic_state_code = models.CharField(max_length=2)
    customer_state_code = models.CharField(max_length=2, blank=True)
    customer_gstin = models.CharField(max_length=15, blank=True)
    intra_state = models.BooleanField()
    taxable_paise = models.BigIntegerField()
    cgst_paise = models.BigIntegerField()
    sgst_paise = models.BigIntegerField()
    igst_paise = models.BigIntegerField()
    total_paise = models.BigIntegerField()
    paid_paise = models.BigIntegerField(default=0)
    refunded_paise = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "number"], name="invoice_number_once_per_clinic"),
            models.UniqueConstraint(fields=["clinic", "fy_start_year", "sequence"], name="invoice_sequence_once_per_fy"),
            models.CheckConstraint(
                condition=Q(total_paise=F("taxable_paise") + F("cgst_paise") + F("sgst_paise") + F("igst_paise")),
                name="invoice_total_is_sum",
            ),
            models.CheckConstraint(condition=Q(paid_paise__gte=0) & Q(refunded_paise__gte=0) & Q(refunded_paise__lte=F("paid_paise")),
                                   name="invoice_refund_within_paid"),
            models.CheckConstraint(condition=Q(paid_paise__lte=F("total_paise") + F("refunded_paise")), name="invoice_not_overpaid"),
        ]
        indexes = [models.Index(fields=["clinic", "patient"], name="invoice_clinic_patient")]

    def __str__(self) -> str:
        return self.number

    @property
    def discount_paise(self) -> int:
        """The discounts of its lines (read from a prefetched ``lines`` when there is one)."""
        return sum(line.discount_paise for line in self.lines.all())

    @property
    def balance_paise(self) -> int:
        return balance_due(self.total_paise, self.paid_paise, self.refunded_paise)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    item = models.ForeignKey(PriceItem, null=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    tax_class = models.CharField(max_length=20, choices=TaxClass.choices)
    code = models.CharField("SAC/HSN", max_length=8)
    gst_rate_bp = models.PositiveIntegerField()
    quantity = models.PositiveIntegerField()
    unit_price_paise = models.BigIntegerField()
    # Given at the time of supply and shown on the invoice: GST is on the price after it.
    discount_paise = models.BigIntegerField(default=0)
    taxable_paise = models.BigIntegerField()
    cgst_paise = models.BigIntegerField()
    sgst_paise = models.BigIntegerField()
    igst_paise = models.BigIntegerField()
    total_paise = models.BigIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(discount_paise__gte=0) & Q(taxable_paise=F("unit_price_paise") * F("quantity") - F("discount_paise")),
                                   name="invoice_line_taxable_after_discount"),
            models.CheckConstraint(condition=Q(total_paise=F("taxable_paise") + F("cgst_paise") + F("sgst_paise") + F("igst_paise")),
                                   name="invoice_line_total_is_sum"),
        ]


class Method(models.TextChoices):
    CASH = "cash", _("Cash")
    UPI = "upi", "UPI"
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    # Paid through a payment link (Razorpay) by a means reception does not take itself (a wallet,
    # pay-later): recorded by the provider's webhook, never chosen at the desk.
    ONLINE = "online", _("Online (payment link)")


DESK_METHODS = [(value, label) for value, label in Method.choices if value != Method.ONLINE]


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount_paise = models.BigIntegerField()
    method = models.CharField(max_length=16, choices=Method.choices)
    reference = models.CharField("reference (UPI/card/bank)", max_length=100, blank=True)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_paise__gt=0), name="payment_positive")]


class LinkStatus(models.TextChoices):
    CREATED = "created", _("Sent, not paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class PaymentLink(models.Model):
    """A payment link (Razorpay) for an invoice's balance; the provider's signed webhook records
    the payment. ``provider_link_id`` is the provider's id, not a secret."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payment_links")
    provider_link_id = models.CharField(max_length=64, unique=True)
    short_url = models.URLField(max_length=300)
    amount_paise = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=LinkStatus.choices, default=LinkStatus.CREATED)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    payment = models.OneToOneField(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="payment_link")
    # Set when the link was paid but the payment could not be recorded (the balance was already
    # settled): reception must refund it.
    problem = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_paise__gt=0), name="payment_link_positive")]


class Refund(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    amount_paise = models.BigIntegerField()
    method = models.CharField(max_length=16, choices=Method.choices)
    reason = models.CharField(max_length=300)
    refunded_at = models.DateTimeField()
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["refunded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_paise__gt=0), name="refund_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="refund_has_reason"),
        ]


class PatientPackage(models.Model):
    """A course package sold to a patient, redeemed one session at a time: by hand at the desk, or
    by itself when a session of its ``course`` is signed (billing.receivers)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="packages")
    invoice_line = models.OneToOneField(InvoiceLine, on_delete=models.PROTECT, related_name="package")
    # The treatment course the package pays for (chosen at invoicing, by default the patient's
    # active course); None: redeemed by hand only.
    course = models.ForeignKey("treatments.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=150)
    sessions_total = models.PositiveSmallIntegerField()
    sessions_used = models.PositiveSmallIntegerField(default=0)
    sold_on = models.DateField()

    class Meta:
        ordering = ["-sold_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sessions_used__lte=F("sessions_total")), name="package_never_below_zero"),
        ]

    @property
    def sessions_left(self) -> int:
        return self.sessions_total - self.sessions_used


class Redemption(models.Model):
    package = models.ForeignKey(PatientPackage, on_delete=models.PROTECT, related_name="redemptions")
    appointment = models.OneToOneField("scheduling.Appointment", on_delete=models.PROTECT, related_name="redemption")
    treatment_session = models.ForeignKey("procedures.TreatmentSession", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    redeemed_at = models.DateTimeField()
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["package", "number"], name="redemption_number_once")]
